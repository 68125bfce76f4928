package terraform

import (
	"context"
	"maps"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/openova-io/core/dev/fakehcloud"
)

// testCilium is the module's cilium variable as the Bootstrap workflow
// passes it (chart from the catalog, the region's cluster ID).
var testCilium = map[string]any{"chart_repository": "https://helm.cilium.io/", "chart_version": "1.16.2", "cluster_id": 2}

// ciliumManifest is the path k3s's deploy controller reads on a server.
const ciliumManifest = "/var/lib/rancher/k3s/server/manifests/cilium.yaml"

// Cilium is the CNI (the real OpenTofu and hcloud provider against the
// fake Hetzner API): every server runs k3s without flannel and without its
// network policy controller, and carries the HelmChart k3s's Helm
// controller installs at first boot (bootstrap, before any CNI), with the
// catalog's chart, the region's cluster name and ID, pod addresses from the
// nodes' pod CIDRs and WireGuard between the region's nodes. Workers carry
// neither (flannel options are the servers'; manifests are deployed by
// servers).
func TestHetznerUserData_CiliumIsTheCNI(t *testing.T) {
	rel := newFakeRelease(t)
	ud := applyHetznerNodes(t, rel, 3, 1, "join-token-0123456789abcdef0123456789abcdef", "agent-token-fedcba9876543210fedcba9876543210",
		map[string]any{"cilium": testCilium})

	for _, name := range []string{"acme-fsn1-cp-0", "acme-fsn1-cp-1", "acme-fsn1-cp-2"} {
		t.Run(name, func(t *testing.T) {
			ci := parseCloudInit(t, ud[name])
			cfg := ci.k3sConfig(t)
			require.Equal(t, "none", cfg["flannel-backend"])
			require.Equal(t, true, cfg["disable-network-policy"])

			var chart struct {
				APIVersion string `yaml:"apiVersion"`
				Kind       string
				Metadata   struct{ Name, Namespace string }
				Spec       struct {
					Bootstrap       bool
					Repo, Chart     string
					Version         string
					TargetNamespace string `yaml:"targetNamespace"`
					ValuesContent   string `yaml:"valuesContent"`
				}
			}
			require.Contains(t, ci.files, ciliumManifest)
			require.NoError(t, yaml.Unmarshal([]byte(ci.files[ciliumManifest]), &chart))
			require.Equal(t, "helm.cattle.io/v1", chart.APIVersion)
			require.Equal(t, "HelmChart", chart.Kind)
			require.Equal(t, "kube-system", chart.Metadata.Namespace)
			require.True(t, chart.Spec.Bootstrap, "Cilium must install before any CNI exists")
			require.Equal(t, "https://helm.cilium.io/", chart.Spec.Repo)
			require.Equal(t, "cilium", chart.Spec.Chart)
			require.Equal(t, "1.16.2", chart.Spec.Version)

			var values struct {
				Cluster struct {
					Name string
					ID   int
				}
				IPAM struct{ Mode string }
				K8s  struct {
					RequireIPv4PodCIDR bool `yaml:"requireIPv4PodCIDR"`
				}
				Encryption struct {
					Enabled bool
					Type    string
				}
				Operator struct{ Replicas int }
			}
			require.NoError(t, yaml.Unmarshal([]byte(chart.Spec.ValuesContent), &values))
			require.Equal(t, "acme-fsn1", values.Cluster.Name)
			require.Equal(t, 2, values.Cluster.ID)
			require.Equal(t, "kubernetes", values.IPAM.Mode, "pod addresses from the nodes' pod CIDRs (k3s's cluster-cidr)")
			require.True(t, values.K8s.RequireIPv4PodCIDR)
			require.Equal(t, "10.42.0.0/16", cfg["cluster-cidr"], "the region's pod CIDR")
			require.True(t, values.Encryption.Enabled)
			require.Equal(t, "wireguard", values.Encryption.Type)
			require.Equal(t, 2, values.Operator.Replicas)
		})
	}
	t.Run("workers", func(t *testing.T) {
		ci := parseCloudInit(t, ud["acme-fsn1-worker-0"])
		require.NotContains(t, ci.files, ciliumManifest)
		require.NotContains(t, ci.k3sConfig(t), "flannel-backend")
	})
}

// The module refuses a cilium variable it cannot install, at plan, with
// what to pass instead.
func TestHetznerModuleRefusesABadCiliumVariable(t *testing.T) {
	api := fakehcloud.New(fakehcloud.Options{})
	t.Cleanup(api.Close)
	pluginCache := t.TempDir()
	for _, tc := range []struct {
		name   string
		cilium map[string]any
	}{
		{"cluster id 0", map[string]any{"cluster_id": 0}},
		{"cluster id 256", map[string]any{"cluster_id": 256}},
		{"plain http repository", map[string]any{"chart_repository": "http://helm.cilium.io/"}},
		{"a version that is not one", map[string]any{"chart_version": "latest"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cilium := maps.Clone(testCilium)
			maps.Copy(cilium, tc.cilium)
			r := hetznerRunner(t, api, pluginCache, map[string]any{
				"cluster_ca":  map[string]any{"server_ca_cert": "c", "server_ca_key": "k", "client_ca_cert": "c", "client_ca_key": "k"},
				"join_token":  "join-token-0123456789abcdef0123456789abcdef",
				"agent_token": "agent-token-fedcba9876543210fedcba9876543210",
				"cilium":      cilium,
			})
			ctx := context.Background()
			require.NoError(t, r.Prepare(ctx))
			require.NoError(t, r.Init(ctx, nil))
			_, err := r.Plan(ctx)
			var tofuErr *Error
			require.ErrorAs(t, err, &tofuErr)
			require.Contains(t, strings.Join(strings.Fields(tofuErr.Output), " "), "cilium needs an https chart_repository")
		})
	}
}
