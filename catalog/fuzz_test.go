package catalog

import (
	"testing"

	"github.com/stretchr/testify/require"
)

var fuzzSeeds = [][]byte{
	seed,
	[]byte(goodYAML),
	[]byte(indexHead + "  - name: grafana\n    versions: [{version: v11.5.0, released: 2025-01-28}]\n"),
	[]byte(""),
	[]byte("apiVersion: catalog.openova.io/v1\ncomponents: []\n"),
	[]byte("apiVersion: catalog.openova.io/v1\ncomponents:\n  - name: &a x\n    requires: [{name: *a}]\n"),
	[]byte("a: &a [*a, *a]\n"),
	[]byte("{{{"),
	[]byte("\xff\xfe"),
}

// sameCatalog compares public content, ignoring caches.
func sameCatalog(t *testing.T, want, got *Catalog) {
	require.Equal(t, want.Names(), got.Names())
	for name, w := range want.Components {
		a, b := *w, *got.Components[name]
		a.sem, b.sem = nil, nil
		require.Equal(t, len(a.Versions), len(b.Versions))
		for i := range a.Versions {
			require.True(t, a.Versions[i].Released.Equal(b.Versions[i].Released))
			b.Versions[i].Released = a.Versions[i].Released
		}
		require.Equal(t, a, b)
	}
}

// checkUsable asserts what every successfully parsed catalog must offer:
// it round-trips through Marshal and every component resolves or fails
// with a typed error.
func checkUsable(t *testing.T, c *Catalog, parse func([]byte) (*Catalog, error)) {
	out, err := c.Marshal()
	require.NoError(t, err)
	again, err := parse(out)
	require.NoError(t, err, "a parsed catalog re-validates:\n%s", out)
	sameCatalog(t, c, again)
	for _, name := range c.Names() {
		comp := c.Components[name]
		require.NotEmpty(t, comp.Latest().Version)
		if _, err := c.Resolve(nil, Request{Component: name}); err != nil {
			require.NotEmpty(t, KindOf(err), err.Error())
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err != nil {
			require.Nil(t, c)
			require.Equal(t, ErrInvalidCatalog, KindOf(err), err.Error())
			return
		}
		checkUsable(t, c, Parse)
	})
}

func FuzzParseIndex(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		idx, err := ParseIndex(data)
		if err != nil {
			require.Equal(t, ErrInvalidCatalog, KindOf(err), err.Error())
			return
		}
		merged, err := Default().Merge(idx)
		if err != nil {
			require.Equal(t, ErrInvalidCatalog, KindOf(err), err.Error())
			return
		}
		// Releases an index adds may leave out their source.
		checkUsable(t, merged, ParseIndex)
	})
}
