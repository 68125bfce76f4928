package activities

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// FuzzClusterOutputs reads a region's module outputs as `tofu output -json`
// gives them (the values come from the cloud's API) and builds the admin
// kubeconfig from the endpoint, as Outputs and Connect do. It holds: a
// missing output is an error; decoded outputs keep the module's values; a
// kubeconfig that loads points at exactly the endpoint the module gave,
// trusting only the generated server CA and presenting the generated admin
// certificate, and sends no credential to an endpoint that is not https.
func FuzzClusterOutputs(f *testing.F) {
	nodes := `[{"name":"acme-fsn1-cp-0","role":"control-plane","public_ipv4":"203.0.113.10","private_ipv4":"10.0.1.1"},` +
		`{"name":"acme-fsn1-worker-0","role":"worker","public_ipv4":"203.0.113.11","private_ipv4":"10.0.1.2"}]`
	f.Add(`"https://203.0.113.5:6443"`, `"203.0.113.5"`, `"203.0.113.5"`, nodes, "acme-fsn1")
	f.Add(`"https://api.acme.example:6443"`, `"api.acme.example"`, `null`, `[]`, "acme-hel1")
	f.Add(`null`, `""`, `""`, `null`, "")
	f.Add(`"http://[::1]:6443/prefix?x=1#f"`, `5`, `"x"`, `[{"name":1}]`, "a b:c")
	f.Add(`"https://u:p@host:6443"`, `"h"`, `"h"`, `{}`, "acme/eu")
	f.Add(``, `"h"`, `"h"`, `[]`, "x")
	f.Add(`"0"`, `""`, `null`, `[]`, "0") // not https: no TLS, so no credentials either
	pki, err := NewClusterPKI("fuzz", time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC))
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, endpoint, host, lb, nodes, cluster string) {
		raw := map[string][]byte{"api_endpoint": []byte(endpoint), "api_host": []byte(host), "load_balancer_ipv4": []byte(lb), "nodes": []byte(nodes)}
		for k, v := range raw {
			if len(v) == 0 {
				delete(raw, k) // an output the module does not have
			}
		}
		var out ClusterOutputs
		err := decodeOutputs(raw, &out, false)
		if len(raw) < 4 {
			require.Error(t, err, "an output is missing") // that one, or another that does not decode
			return
		}
		if err != nil {
			return
		}
		var want string
		if json.Unmarshal([]byte(endpoint), &want) == nil {
			require.Equal(t, want, out.APIEndpoint)
		}

		kc, err := Kubeconfig(pki, cluster, out.APIEndpoint)
		if err != nil {
			return
		}
		cfg, err := clientcmd.RESTConfigFromKubeConfig(kc)
		if err != nil {
			return // Connect refuses it as an invalid bootstrap
		}
		require.Equal(t, out.APIEndpoint, cfg.Host, "the kubeconfig points elsewhere than the module's endpoint")
		require.False(t, cfg.Insecure)
		require.Empty(t, cfg.BearerToken)
		require.Empty(t, cfg.Username)
		if !rest.IsConfigTransportTLS(*cfg) {
			// Not https: client-go drops the TLS settings, so the admin
			// certificate and key never go out in clear.
			require.Empty(t, cfg.CertData)
			require.Empty(t, cfg.KeyData)
			return
		}
		require.Equal(t, pki.ServerCA, string(cfg.CAData))
		require.Equal(t, pki.Admin, string(cfg.CertData))
		require.Equal(t, string(pki.AdminKey), string(cfg.KeyData))
	})
}
