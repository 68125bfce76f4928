package bootstrap

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/secret"
)

// contractVar is one variable of variables.tf as the test reads it.
type contractVar struct {
	typ         string // typeexpr.TypeString of its type constraint
	required    bool   // no default
	nullDefault bool   // default = null
	sensitive   bool
}

// contractVars parses the contract's variables.tf with HCL's own parser.
func contractVars(t *testing.T) map[string]contractVar {
	t.Helper()
	file, diags := hclparse.NewParser().ParseHCLFile(filepath.Join("..", "terraform", "modules", "contract", "variables.tf"))
	require.False(t, diags.HasErrors(), diags.Error())
	content, diags := file.Body.Content(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "variable", LabelNames: []string{"name"}}}})
	require.False(t, diags.HasErrors(), diags.Error())
	out := map[string]contractVar{}
	for _, b := range content.Blocks {
		attrs, _, diags := b.Body.PartialContent(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "type", Required: true}, {Name: "default"}, {Name: "sensitive"}}})
		require.False(t, diags.HasErrors(), "variable %s: %s", b.Labels[0], diags.Error())
		ty, diags := typeexpr.TypeConstraint(attrs.Attributes["type"].Expr)
		require.False(t, diags.HasErrors(), "variable %s: %s", b.Labels[0], diags.Error())
		v := contractVar{typ: typeexpr.TypeString(ty)}
		if d, ok := attrs.Attributes["default"]; ok {
			val, diags := d.Expr.Value(nil)
			require.False(t, diags.HasErrors(), diags.Error())
			v.nullDefault = val.IsNull()
		} else {
			v.required = true
		}
		if s, ok := attrs.Attributes["sensitive"]; ok {
			val, diags := s.Expr.Value(nil)
			require.False(t, diags.HasErrors(), diags.Error())
			v.sensitive = val.True()
		}
		out[b.Labels[0]] = v
	}
	return out
}

// typeString is the HCL type constraint a Go type encodes to, in
// typeexpr.TypeString's form; a pointer is its element (it may be null).
func typeString(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Int, reflect.Int64, reflect.Float64:
		return "number"
	case reflect.Bool:
		return "bool"
	case reflect.Pointer:
		return typeString(t.Elem())
	case reflect.Slice:
		return "list(" + typeString(t.Elem()) + ")"
	case reflect.Map:
		return "map(" + typeString(t.Elem()) + ")"
	case reflect.Struct:
		var attrs []string
		for i := range t.NumField() {
			name, _ := secret.JSONName(t.Field(i))
			attrs = append(attrs, name+"="+typeString(t.Field(i).Type))
		}
		sort.Strings(attrs)
		return "object({" + strings.Join(attrs, ",") + "})"
	}
	return "unsupported " + t.String()
}

// holdsSecret: t is secret.Text or has a secret.Text field.
func holdsSecret(t reflect.Type) bool {
	switch {
	case t == reflect.TypeFor[secret.Text]():
		return true
	case t.Kind() == reflect.Pointer:
		return holdsSecret(t.Elem())
	case t.Kind() == reflect.Struct:
		for i := range t.NumField() {
			if holdsSecret(t.Field(i).Type) {
				return true
			}
		}
	}
	return false
}

// ModuleVars and the contract's variables.tf agree: every variable has a
// field and every field a variable, of the same type; a variable without a
// default is always written (no omitempty), a field left out when empty
// has a default to fall back on, a variable that may be null is a
// pointer, and a sensitive variable's field holds a secret.Text.
func TestModuleVarsMatchTheContract(t *testing.T) {
	vars := contractVars(t)
	require.Greater(t, len(vars), 15, "the parse found the contract")
	typ := reflect.TypeFor[ModuleVars]()
	fields := map[string]reflect.StructField{}
	for i := range typ.NumField() {
		f := typ.Field(i)
		name, ok := secret.JSONName(f)
		require.True(t, ok, "%s has a json name", f.Name)
		fields[name] = f
	}
	for name, v := range vars {
		t.Run(name, func(t *testing.T) {
			f, ok := fields[name]
			require.True(t, ok, "variable %q of variables.tf has no field in ModuleVars", name)
			require.Equal(t, v.typ, typeString(f.Type), "variable %q's type", name)
			omitempty := strings.Contains(f.Tag.Get("json"), ",omitempty")
			if v.required {
				require.False(t, omitempty, "variable %q has no default: its field %s must always be written", name, f.Name)
			}
			if omitempty {
				require.False(t, v.required, "field %s is left out when empty: variable %q needs a default", f.Name, name)
			}
			if v.nullDefault {
				require.Equal(t, reflect.Pointer, f.Type.Kind(), "variable %q may be null: its field %s is a pointer", name, f.Name)
			}
			require.Equal(t, v.sensitive, holdsSecret(f.Type), "variable %q: sensitive in variables.tf exactly when its field %s holds a secret.Text", name, f.Name)
		})
	}
	for name, f := range fields {
		_, ok := vars[name]
		require.True(t, ok, "field %s (%q) has no variable in variables.tf", f.Name, name)
	}
}

// The variables print masked; Values reveals the secrets (for the
// variables file only) and Secrets lists each, a PEM key also per line.
func TestModuleVarsSecrets(t *testing.T) {
	v := ModuleVars{Organization: "acme", ClusterCA: ClusterCA{ServerCACert: "cert", ServerCAKey: "key-line-one-0123\nkey-line-two-0123", ClientCAKey: "client-key"},
		JoinToken: "join-canary", AgentToken: "agent-canary", Cilium: &Cilium{ChartVersion: "1.16.2", ClusterID: 2},
		Link:       &Link{PeerAddress: "203.0.113.7", PeerCIDRs: []string{"10.1.0.0/16", "10.44.0.0/16", "10.45.0.0/16"}, Port: 51820},
		LinkWGConf: "[Interface]\nPrivateKey = wg-key-canary-0123\n"}
	for _, s := range []string{fmt.Sprintf("%v", v), fmt.Sprintf("%+v", v), fmt.Sprintf("%#v", v)} {
		for _, canary := range []string{"key-line-one", "client-key", "join-canary", "agent-canary", "wg-key-canary"} {
			require.NotContains(t, s, canary)
		}
	}
	values, err := v.Values()
	require.NoError(t, err)
	require.Equal(t, "join-canary", values["join_token"])
	require.Equal(t, "client-key", values["cluster_ca"].(map[string]any)["client_ca_key"])
	require.Equal(t, "2", fmt.Sprint(values["cilium"].(map[string]any)["cluster_id"]))
	require.Equal(t, map[string]any{"peer_address": "203.0.113.7", "peer_cidrs": []any{"10.1.0.0/16", "10.44.0.0/16", "10.45.0.0/16"}, "port": json.Number("51820")}, values["link"])
	require.Equal(t, "[Interface]\nPrivateKey = wg-key-canary-0123\n", values["link_wg_conf"])
	require.ElementsMatch(t, []string{"key-line-one-0123\nkey-line-two-0123", "key-line-one-0123", "key-line-two-0123", "client-key", "join-canary", "agent-canary",
		"[Interface]\nPrivateKey = wg-key-canary-0123\n", "PrivateKey = wg-key-canary-0123"}, v.Secrets())

	t.Run("one region: no link, the module's defaults", func(t *testing.T) {
		one := v
		one.Link, one.LinkWGConf = nil, ""
		values, err := one.Values()
		require.NoError(t, err)
		require.NotContains(t, values, "link", "null: no gateway, route or open port")
		require.NotContains(t, values, "link_wg_conf")
	})
}
