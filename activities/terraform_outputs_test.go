package activities

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// After a targeted apply (the gateways' addresses first) the state holds
// the gateway's output only: read partially, it is not refused; read
// whole, a missing output still is, and a malformed one always is.
func TestDecodeOutputs(t *testing.T) {
	gatewayOnly := map[string][]byte{"gateway_ipv4": []byte(`"203.0.113.7"`)}
	whole := map[string][]byte{"api_endpoint": []byte(`"https://203.0.113.1:6443"`), "api_host": []byte(`"203.0.113.1"`),
		"load_balancer_ipv4": []byte(`"203.0.113.1"`), "nodes": []byte(`[{"name":"acme-fsn1-cp-0","role":"control-plane"}]`),
		"gateway_ipv4": []byte(`"203.0.113.7"`), "gitea_endpoint": []byte(`"203.0.113.1:3000"`), "manager_endpoint": []byte(`"203.0.113.1:443"`)}
	for _, tc := range []struct {
		name    string
		raw     map[string][]byte
		partial bool
		want    ClusterOutputs
		err     string
	}{
		{"partial: the gateway only", gatewayOnly, true, ClusterOutputs{GatewayIPv4: "203.0.113.7"}, ""},
		{"whole: the others are missing", gatewayOnly, false, ClusterOutputs{}, "the module has no output"},
		{"whole", whole, false, ClusterOutputs{APIEndpoint: "https://203.0.113.1:6443", APIHost: "203.0.113.1", LoadBalancerIPv4: "203.0.113.1",
			Nodes: []Node{{Name: "acme-fsn1-cp-0", Role: "control-plane"}}, GatewayIPv4: "203.0.113.7", GiteaEndpoint: "203.0.113.1:3000", ManagerEndpoint: "203.0.113.1:443"}, ""},
		{"partial: malformed", map[string][]byte{"gateway_ipv4": []byte(`7`)}, true, ClusterOutputs{}, "output gateway_ipv4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out ClusterOutputs
			err := decodeOutputs(tc.raw, &out, tc.partial)
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, out)
		})
	}
}
