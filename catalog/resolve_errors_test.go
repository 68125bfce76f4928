package catalog

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestResolveErrors(t *testing.T) {
	small := catalogOf(
		comp("top", []string{"v1.0.0"}, dep("cnpg", ">= 2.0")),
		comp("cnpg", []string{"v1.23.1", "v1.24.0"}),
		comp("x", []string{"v1.0.0"}, dep("a", "")),
		comp("a", []string{"v1.0.0"}, dep("b", "")),
		comp("b", []string{"v1.0.0"}, dep("c", "")),
		comp("c", []string{"v1.0.0"}, dep("a", "")),
		comp("ghosted", []string{"v1.0.0"}, dep("ghost", "")),
		comp("both", []string{"v1.0.0"}, dep("p", ""), dep("q", "")),
		comp("p", []string{"v1.0.0"}, dep("lib", ">= 2.0.0")),
		comp("q", []string{"v1.0.0"}, dep("lib", "< 2.0.0")),
		comp("lib", []string{"v1.0.0", "v2.0.0"}),
		&Component{Name: "loop", Versions: []Version{{Version: "v1.0.0"}}, Optional: []Dependency{{Name: "back"}}},
		comp("back", []string{"v1.0.0"}, dep("loop", "")),
	)
	tests := []struct {
		name      string
		cat       *Catalog
		installed Installed
		req       Request
		kind      string
		chain     []string
		msg       string
	}{
		{name: "unknown component", cat: Default(), req: Request{Component: "nosuch"},
			kind: ErrUnknownComponent, chain: []string{"nosuch"}, msg: `nosuch: "nosuch" is not in the catalog`},
		{name: "unknown dependency", cat: small, req: Request{Component: "ghosted"},
			kind: ErrUnknownComponent, chain: []string{"ghosted", "ghost"}, msg: `ghosted → ghost: "ghost" is not in the catalog`},
		{name: "cycle", cat: small, req: Request{Component: "x"},
			kind: ErrDependencyCycle, chain: []string{"a", "b", "c", "a"}, msg: "a → b → c → a: these components require each other"},
		{name: "cycle through a chosen optional", cat: small, req: Request{Component: "loop", Optional: []string{"back"}},
			kind: ErrDependencyCycle, chain: []string{"loop", "back", "loop"}},
		{name: "unsatisfiable range", cat: small, req: Request{Component: "top"},
			kind: ErrUnsatisfiableRange, chain: []string{"top", "cnpg"},
			msg: `top → cnpg: no version of cnpg satisfies ">= 2.0" (have v1.24.0, v1.23.1)`},
		{name: "ranges that conflict", cat: small, req: Request{Component: "both"},
			kind: ErrUnsatisfiableRange, chain: []string{"both", "p", "lib"},
			msg: `no version of lib satisfies ">= 2.0.0" (from p) and "< 2.0.0" (from q) together (have v2.0.0, v1.0.0)`},
		{name: "installed version violates a range", cat: Default(), installed: Installed{"cnpg": "v1.22.0"}, req: Request{Component: "ai-hub"},
			kind: ErrUnsatisfiableRange, chain: []string{"ai-hub", "cnpg"},
			msg: `ai-hub → cnpg: installed cnpg v1.22.0 does not satisfy ">= 1.23.0" (required by ai-hub); upgrade cnpg first`},
		{name: "installed version reached twice reports the first range", cat: Default(), installed: Installed{"redpanda": "v23.3.1"}, req: Request{Component: "mongodb"},
			kind: ErrUnsatisfiableRange, chain: []string{"mongodb", "redpanda"}},
		{name: "installed version deep in the chain", cat: Default(), installed: Installed{"external-secrets": "v0.8.0"}, req: Request{Component: "keycloak"},
			kind: ErrUnsatisfiableRange, chain: []string{"keycloak", "cnpg", "external-secrets"},
			msg: `keycloak → cnpg → external-secrets: installed external-secrets v0.8.0 does not satisfy ">= 0.9.0" (required by cnpg)`},
		{name: "installed version is not semver", cat: Default(), installed: Installed{"cnpg": "latest"}, req: Request{Component: "keycloak"},
			kind: ErrUnsatisfiableRange, chain: []string{"keycloak", "cnpg"}, msg: "installed cnpg latest does not satisfy"},
		{name: "optional not offered", cat: Default(), req: Request{Component: "ai-hub", Optional: []string{"vault"}},
			kind: ErrInvalidRequest, chain: []string{"ai-hub", "vault"},
			msg: `ai-hub → vault: "vault" is not an optional dependency of ai-hub (it offers neo4j)`},
		{name: "requested version unknown", cat: Default(), req: Request{Component: "grafana", Version: "v12.0.0"},
			kind: ErrUnsatisfiableRange, chain: []string{"grafana"}, msg: "no version v12.0.0 of grafana in the catalog (have v13.2.0, v13.1.3)"},
		{name: "requested version invalid", cat: Default(), req: Request{Component: "grafana", Version: "11"},
			kind: ErrInvalidRequest, chain: []string{"grafana"}},
		{name: "requested version differs from installed", cat: Default(), installed: mandatory(nil), req: Request{Component: "grafana", Version: "v13.2.0"},
			kind: ErrUnsatisfiableRange, chain: []string{"grafana"}, msg: "grafana is installed at v13.1.3, not the requested v13.2.0; upgrade it instead"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.cat.Resolve(tt.installed, tt.req)
			require.Error(t, err)
			var re *ResolveError
			require.ErrorAs(t, err, &re)
			require.Equal(t, tt.kind, re.Kind)
			require.Equal(t, tt.kind, KindOf(err))
			require.Equal(t, tt.chain, re.Chain)
			if tt.msg != "" {
				require.Contains(t, err.Error(), tt.msg)
			}
		})
	}
}
