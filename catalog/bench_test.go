package catalog

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// generated builds an n-component catalog where component i requires 0–4
// of the components before it (seeded, so every run plans the same graph),
// with ranges that v2.0.0 always satisfies.
func generated(tb testing.TB, n int) *Catalog {
	rng := rand.New(rand.NewPCG(42, 2026))
	ranges := []string{"", ">= 1.0.0", "< 3.0.0", ">= 1.1.0, < 3.0.0", "^2.0.0"}
	comps := make([]Component, n)
	for i := range comps {
		c := Component{
			Name: fmt.Sprintf("c%04d", i), Title: fmt.Sprintf("Component %d", i), Category: ALaCarte,
			Chart: Chart{Name: fmt.Sprintf("c%04d", i), Repository: "oci://ghcr.io/example/charts"},
		}
		for _, v := range []string{"v1.0.0", "v1.1.0", "v2.0.0"} {
			c.Versions = append(c.Versions, Version{Version: v, Released: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)})
		}
		if i > 0 {
			seen := map[int]bool{}
			for range rng.IntN(5) {
				j := rng.IntN(i)
				if !seen[j] && (i != n-1 || (n-2-j)%20 != 0) {
					seen[j] = true
					c.Requires = append(c.Requires, Dependency{Name: comps[j].Name, Range: ranges[rng.IntN(len(ranges))]})
				}
			}
		}
		comps[i] = c
	}
	// The top component (a meta-platform of meta-platforms) needs a broad
	// slice of the graph: every 20th component besides its random ones.
	for j := n - 2; j >= 0; j -= 20 {
		comps[n-1].Requires = append(comps[n-1].Requires, Dependency{Name: comps[j].Name, Range: ">= 1.0.0"})
	}
	require.Empty(tb, validateAll(comps, false, true))
	return build(comps)
}

func TestGeneratedCatalogResolves(t *testing.T) {
	c := generated(t, 1000)
	plan, err := c.Resolve(nil, Request{Component: "c0999"})
	require.NoError(t, err)
	require.Greater(t, len(plan.Steps()), 300)
	require.Greater(t, len(plan.Layers), 5)
	for _, s := range plan.Steps() {
		require.Equal(t, "v2.0.0", s.Version)
	}
}

func BenchmarkResolve1000(b *testing.B) {
	c := generated(b, 1000)
	half := Installed{}
	for i := 0; i < 1000; i += 2 {
		half[fmt.Sprintf("c%04d", i)] = "v2.0.0"
	}
	delete(half, "c0999")
	for _, bc := range []struct {
		name      string
		installed Installed
	}{{"none-installed", nil}, {"half-installed", half}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			var steps int
			for b.Loop() {
				plan, err := c.Resolve(bc.installed, Request{Component: "c0999"})
				if err != nil {
					b.Fatal(err)
				}
				steps = len(plan.Steps())
			}
			b.ReportMetric(float64(steps), "steps")
		})
	}
}

func BenchmarkParseSeed(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(seed); err != nil {
			b.Fatal(err)
		}
	}
}
