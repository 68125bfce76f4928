package fakehcloud

import (
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/require"
)

// fixSpec corrects the few places where the description disagrees with
// OpenAPI 3.0 or with the API as it is today. Each fix is narrow: one
// field or one response, never a schema switched off.
func fixSpec(t *testing.T, doc *openapi3.T) {
	t.Helper()
	// The description writes status ranges as "4xx" and "5xx"; OpenAPI
	// 3.0 (and kin-openapi) only know "4XX" and "5XX", so without this
	// every error response would be "undocumented".
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for code, resp := range op.Responses.Map() {
				if strings.HasSuffix(code, "xx") {
					op.Responses.Delete(code)
					op.Responses.Set(strings.ToUpper(code), resp)
				}
			}
		}
	}
	schemas := doc.Components.Schemas

	// The API stopped returning a server's deprecated datacenter on
	// 2026-07-01 (hcloud-go v2.50.0 removed the field); the description,
	// from 2026-02, still requires it.
	server := schemas["server"].Value
	require.Contains(t, server.Required, "datacenter")
	server.Required = slices.DeleteFunc(server.Required, func(s string) bool { return s == "datacenter" })
	// The same holds for a Primary IP's datacenter (hcloud-go's
	// schema.PrimaryIP has none since v2.50.0).
	// The description repeats the Primary IP's schema inline in each
	// response rather than naming it once.
	for _, resp := range []string{"create_primary_ip_response", "get_primary_ip_response", "replace_primary_ip_response"} {
		noDatacenter(t, schemas[resp].Value.Properties["primary_ip"].Value)
	}
	noDatacenter(t, schemas["list_primary_ips_response"].Value.Properties["primary_ips"].Value.Items.Value)

	// Since 2026-10-05 deleting a load balancer answers 201 with an action
	// instead of 204 (hcloud-go v2.52.0, LoadBalancerClient.DeleteWithResult);
	// the description predates that. The body is the one deleting a server
	// answers with: {"action": ...}.
	del := doc.Paths.Value("/load_balancers/{id}").Delete
	del.Responses.Set("201", doc.Paths.Value("/servers/{id}").Delete.Responses.Value("200"))

	// A load balancer target has server, label_selector and ip, one of
	// them set for its type; the API sends the other two as null (as in
	// hcloud-go's fixtures, e.g. "label_selector": null on a server
	// target), and hcloud-go's schema.LoadBalancerTarget encodes them so.
	// Likewise a tcp service has "http": null and a tcp health check
	// "http": null (schema.LoadBalancerService and ...HealthCheck). The
	// description points these properties at non-nullable schemas with
	// a bare $ref, which cannot say "or null".
	nullable(t, schemas["load_balancer_target"], "server", "label_selector", "ip")
	service := schemas["load_balancer_service"]
	nullable(t, service, "http")
	nullable(t, service.Value.Properties["health_check"], "http")
}

// noDatacenter drops datacenter from a schema's required properties.
func noDatacenter(t *testing.T, s *openapi3.Schema) {
	t.Helper()
	require.Contains(t, s.Required, "datacenter")
	s.Required = slices.DeleteFunc(s.Required, func(p string) bool { return p == "datacenter" })
}

// nullable lets the named properties of a schema also be null, keeping
// what they must be otherwise.
func nullable(t *testing.T, s *openapi3.SchemaRef, props ...string) {
	t.Helper()
	for _, p := range props {
		old := s.Value.Properties[p]
		require.NotNil(t, old, "no property %s", p)
		require.False(t, old.Value.Nullable, "%s is already nullable: drop this fix", p)
		s.Value.Properties[p] = &openapi3.SchemaRef{Value: &openapi3.Schema{Nullable: true, AllOf: openapi3.SchemaRefs{old}}}
	}
}
