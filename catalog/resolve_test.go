package catalog

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// mandatory is a platform right after bootstrap.
func mandatory(extra Installed) Installed {
	in := Installed{
		"cilium": "v1.20.0", "flux": "v2.8.5", "crossplane": "v2.3.4", "cert-manager": "v1.21.1",
		"external-secrets": "v2.9.0", "gitea": "v1.22.3", "grafana": "v13.1.3", "backstage": "v1.55.0",
	}
	for k, v := range extra {
		in[k] = v
	}
	return in
}

// names renders layers as names, marking already-installed entries with "=".
func names(layers [][]Step) [][]string {
	out := [][]string{}
	for _, l := range layers {
		var ns []string
		for _, s := range l {
			n := s.Name
			if s.State == AlreadyInstalled {
				n = "=" + n
			}
			ns = append(ns, n)
		}
		out = append(out, ns)
	}
	return out
}

// catalogOf builds a catalog without validation, so tests can build ones
// Parse would reject (cycles, unknown components).
func catalogOf(comps ...*Component) *Catalog {
	c := &Catalog{Components: map[string]*Component{}}
	for _, comp := range comps {
		if comp.Title == "" {
			comp.Title = comp.Name
		}
		comp.sortVersions()
		c.Components[comp.Name] = comp
	}
	c.fillCaches()
	return c
}

func comp(name string, versions []string, requires ...Dependency) *Component {
	c := &Component{Name: name, Category: ALaCarte, Requires: requires}
	for _, v := range versions {
		c.Versions = append(c.Versions, Version{Version: v})
	}
	return c
}

func dep(name, rng string) Dependency { return Dependency{Name: name, Range: rng} }

func TestResolveSeed(t *testing.T) {
	tests := []struct {
		name      string
		installed Installed
		req       Request
		layers    [][]string
		toInstall [][]string
		optional  []string // names of Plan.Optional, "=" when installed
		versions  map[string]string
	}{
		{
			// Debezium Server streams into a Kafka API, so debezium
			// requires redpanda too and comes one layer later; the
			// Redpanda chart needs cert-manager for its certificates.
			name:      "mongodb on an empty platform",
			req:       Request{Component: "mongodb"},
			layers:    [][]string{{"cert-manager"}, {"redpanda"}, {"debezium"}, {"mongodb"}},
			toInstall: [][]string{{"cert-manager"}, {"redpanda"}, {"debezium"}, {"mongodb"}},
			versions:  map[string]string{"redpanda": "v26.2.1", "debezium": "v3.5.2", "mongodb": "v8.3.8"},
		},
		{
			name:      "mongodb next to the mandatory components",
			installed: mandatory(nil),
			req:       Request{Component: "mongodb"},
			layers:    [][]string{{"=cert-manager"}, {"redpanda"}, {"debezium"}, {"mongodb"}},
			toInstall: [][]string{{"redpanda"}, {"debezium"}, {"mongodb"}},
		},
		{
			// Installed cnpg is an entry but not expanded: external-secrets
			// (installed too) does not appear. cert-manager is in the plan
			// because kserve requires it; it holds layer 0 with the others.
			name:      "ai-hub with cnpg installed",
			installed: mandatory(Installed{"cnpg": "v1.29.1"}),
			req:       Request{Component: "ai-hub"},
			layers:    [][]string{{"=cert-manager", "=cnpg", "knative", "kserve-crd", "milvus", "vllm"}, {"kserve"}, {"ai-hub"}},
			toInstall: [][]string{{"knative", "kserve-crd", "milvus", "vllm"}, {"kserve"}, {"ai-hub"}},
			optional:  []string{"neo4j"},
			versions:  map[string]string{"cnpg": "v1.29.1", "ai-hub": "v0.1.0", "kserve": "v0.20.0"},
		},
		{
			// An installed component is trusted to have its dependencies: its
			// own requires are not expanded, so external-secrets is absent.
			name:      "ai-hub with cnpg installed but not external-secrets",
			installed: Installed{"cnpg": "1.29.1", "cert-manager": "v1.20.3"},
			req:       Request{Component: "ai-hub"},
			layers:    [][]string{{"=cert-manager", "=cnpg", "knative", "kserve-crd", "milvus", "vllm"}, {"kserve"}, {"ai-hub"}},
			toInstall: [][]string{{"knative", "kserve-crd", "milvus", "vllm"}, {"kserve"}, {"ai-hub"}},
			optional:  []string{"neo4j"},
			versions:  map[string]string{"cnpg": "v1.29.1"},
		},
		{
			name:      "ai-hub on an empty platform installs external-secrets before cnpg",
			req:       Request{Component: "ai-hub"},
			layers:    [][]string{{"cert-manager", "external-secrets", "knative", "kserve-crd", "milvus", "vllm"}, {"cnpg", "kserve"}, {"ai-hub"}},
			toInstall: [][]string{{"cert-manager", "external-secrets", "knative", "kserve-crd", "milvus", "vllm"}, {"cnpg", "kserve"}, {"ai-hub"}},
			optional:  []string{"neo4j"},
		},
		{
			name:      "ai-hub with neo4j chosen",
			installed: mandatory(Installed{"cnpg": "v1.29.1"}),
			req:       Request{Component: "ai-hub", Optional: []string{"neo4j"}},
			layers:    [][]string{{"=cert-manager", "=cnpg", "knative", "kserve-crd", "milvus", "neo4j", "vllm"}, {"kserve"}, {"ai-hub"}},
			toInstall: [][]string{{"knative", "kserve-crd", "milvus", "neo4j", "vllm"}, {"kserve"}, {"ai-hub"}},
			versions:  map[string]string{"neo4j": "v5.26.29"},
		},
		{
			name:      "ai-hub with an unchosen optional already installed",
			installed: mandatory(Installed{"cnpg": "v1.29.1", "neo4j": "5.25.1"}),
			req:       Request{Component: "ai-hub"},
			layers:    [][]string{{"=cert-manager", "=cnpg", "knative", "kserve-crd", "milvus", "vllm"}, {"kserve"}, {"ai-hub"}},
			toInstall: [][]string{{"knative", "kserve-crd", "milvus", "vllm"}, {"kserve"}, {"ai-hub"}},
			optional:  []string{"=neo4j"},
		},
		{
			name:      "open-banking pulls keycloak after cnpg",
			installed: mandatory(nil),
			req:       Request{Component: "open-banking"},
			layers:    [][]string{{"=cert-manager", "=external-secrets", "vault"}, {"cnpg", "redpanda"}, {"keycloak"}, {"open-banking"}},
			toInstall: [][]string{{"vault"}, {"cnpg", "redpanda"}, {"keycloak"}, {"open-banking"}},
			optional:  []string{"debezium", "valkey"},
		},
		{
			name:      "requested version",
			req:       Request{Component: "cilium", Version: "1.19.6"},
			layers:    [][]string{{"cilium"}},
			toInstall: [][]string{{"cilium"}},
			versions:  map[string]string{"cilium": "v1.19.6"},
		},
		{
			name:      "already installed request",
			installed: mandatory(nil),
			req:       Request{Component: "grafana"},
			layers:    [][]string{{"=grafana"}},
			toInstall: nil,
			versions:  map[string]string{"grafana": "v13.1.3"},
		},
		{
			name:      "installed request at the requested version",
			installed: mandatory(nil),
			req:       Request{Component: "grafana", Version: "v13.1.3"},
			layers:    [][]string{{"=grafana"}},
			toInstall: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := Default().Resolve(tt.installed, tt.req)
			require.NoError(t, err)
			require.Equal(t, tt.layers, names(plan.Layers))
			if tt.toInstall == nil {
				require.Empty(t, plan.ToInstall())
			} else {
				require.Equal(t, tt.toInstall, names(plan.ToInstall()))
			}
			var opt []string
			for _, s := range plan.Optional {
				if s.State == AlreadyInstalled {
					opt = append(opt, "="+s.Name)
				} else {
					require.Equal(t, OptionalOffered, s.State)
					require.NotEmpty(t, s.Version, "offered optionals show the version they would get")
					opt = append(opt, s.Name)
				}
				require.Equal(t, tt.req.Component, s.NeededBy)
			}
			require.Equal(t, tt.optional, opt)
			for name, v := range tt.versions {
				s, ok := plan.Step(name)
				require.True(t, ok, name)
				require.Equal(t, v, s.Version, name)
			}
			req := plan.Requested()
			require.Equal(t, tt.req.Component, req.Name)
			require.False(t, req.Required)
			require.Len(t, plan.Layers[len(plan.Layers)-1], 1, "the request is alone in the last layer")

			again, err := Default().Resolve(tt.installed, tt.req)
			require.NoError(t, err)
			require.Equal(t, plan, again, "resolution is deterministic")
		})
	}
}

func TestResolveStepDetails(t *testing.T) {
	plan, err := Default().Resolve(Installed{"cert-manager": "v1.21.1"}, Request{Component: "ai-hub", Optional: []string{"neo4j"}})
	require.NoError(t, err)
	cnpg, _ := plan.Step("cnpg")
	require.Equal(t, WillInstall, cnpg.State)
	require.True(t, cnpg.Required)
	require.Equal(t, "ai-hub", cnpg.NeededBy)
	require.Equal(t, Chart{Name: "cloudnative-pg", Repository: "https://cloudnative-pg.github.io/charts"}, cnpg.Chart)
	require.Equal(t, ALaCarte, cnpg.Category)
	es, _ := plan.Step("external-secrets")
	require.Equal(t, "cnpg", es.NeededBy)
	neo, _ := plan.Step("neo4j")
	require.False(t, neo.Required, "chosen optionals are not required")
	require.Equal(t, "ai-hub", neo.NeededBy)
	require.Equal(t, "https://neo4j.{{domain}}", neo.Endpoints[0].URL)
	require.Len(t, plan.Steps(), 10) // with kserve-crd, which kserve needs first

	// Steps own their endpoint slices: editing one leaves the catalog alone.
	neo.Endpoints[0].URL = "changed"
	require.Equal(t, "https://neo4j.{{domain}}", Default().Components["neo4j"].Endpoints[0].URL)
}

func TestResolveRangesPickNewestSatisfyingAll(t *testing.T) {
	c := catalogOf(
		comp("top", []string{"v1.0.0"}, dep("a", ""), dep("c", ">= 1.2.0")),
		comp("a", []string{"v1.0.0"}, dep("c", "< 2.0.0")),
		comp("c", []string{"v1.0.0", "v1.5.0", "v2.0.0", "v1.6.0-rc.1"}),
	)
	plan, err := c.Resolve(nil, Request{Component: "top"})
	require.NoError(t, err)
	require.Equal(t, [][]string{{"c"}, {"a"}, {"top"}}, names(plan.Layers))
	s, _ := plan.Step("c")
	require.Equal(t, "v1.5.0", s.Version, "newest stable version inside both ranges")
}

// A dependency takes the version the platform prefers for it when every
// range allows it, else the newest that fits; the request's own pin wins.
func TestResolvePrefersPlatformVersions(t *testing.T) {
	c := catalogOf(
		comp("top", []string{"v1.0.0", "v1.1.0"}, dep("c", ">= 1.2.0")),
		comp("c", []string{"v1.0.0", "v1.5.0", "v2.0.0"}),
	)
	cases := []struct {
		prefer map[string]string
		want   string
	}{
		{map[string]string{"c": "v1.5.0"}, "v1.5.0"},
		{map[string]string{"c": "1.5.0"}, "v1.5.0"},
		{map[string]string{"c": "v1.0.0"}, "v2.0.0"}, // outside ">= 1.2.0"
		{map[string]string{"c": "v9.0.0"}, "v2.0.0"}, // not in the catalog
		{nil, "v2.0.0"},
	}
	for _, tc := range cases {
		plan, err := c.Resolve(nil, Request{Component: "top", Version: "v1.0.0", Prefer: tc.prefer})
		require.NoError(t, err)
		s, _ := plan.Step("c")
		require.Equal(t, tc.want, s.Version, "prefer %v", tc.prefer)
	}
	plan, err := c.Resolve(nil, Request{Component: "top", Version: "v1.0.0", Prefer: map[string]string{"top": "v1.1.0"}})
	require.NoError(t, err)
	s, _ := plan.Step("top")
	require.Equal(t, "v1.0.0", s.Version, "the request's own version is not a preference")
}

func TestDependents(t *testing.T) {
	c := Default()
	installed := mandatory(Installed{"cnpg": "v1.24.0", "keycloak": "v26.0.5", "harbor": "v2.12.0", "ai-hub": "v0.1.0", "unknown-thing": "v1.0.0"})
	require.Equal(t, []string{"ai-hub", "keycloak"}, c.Dependents(installed, "cnpg"), "harbor only offers cnpg as optional")
	require.Equal(t, []string{"cnpg"}, c.Dependents(installed, "external-secrets"))
	require.Empty(t, c.Dependents(installed, "redpanda"))
	require.Empty(t, c.Dependents(nil, "cnpg"))
	require.Equal(t, []string{"ai-hub"}, c.Dependents(installed, "knative"), "even if knative itself is not installed")
}

func TestResolveErrorMessage(t *testing.T) {
	require.Equal(t, "a → b: boom", (&ResolveError{Chain: []string{"a", "b"}, Detail: "boom"}).Error())
	require.Equal(t, "boom", (&ResolveError{Detail: "boom"}).Error())
	require.Equal(t, "a", (&ResolveError{Chain: []string{"a"}}).Error())
	require.Equal(t, "", KindOf(nil))
}

func TestResolveConcurrently(t *testing.T) {
	// Default is shared by every workflow worker; resolving must not write to it.
	done := make(chan error)
	for range 8 {
		go func() {
			_, err := Default().Resolve(mandatory(nil), Request{Component: "ai-hub", Optional: []string{"neo4j"}})
			done <- err
		}()
	}
	for range 8 {
		require.NoError(t, <-done)
	}
}
