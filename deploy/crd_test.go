package deploy_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/dev/testenv/kubeenv"
)

// The CRD tests share one API server, each in its own namespace; the
// kustomize build's test starts its own (it applies CRDs and cluster-wide
// RBAC).
func TestMain(m *testing.M) { kubeenv.Main(m) }

// productPlatform is PRODUCT.md's Platform example, in namespace ns.
func productPlatform(ns string) *v1alpha1.Platform {
	return &v1alpha1.Platform{
		ObjectMeta: metav1.ObjectMeta{Name: "acme-corp", Namespace: ns},
		Spec: v1alpha1.PlatformSpec{
			Organization: v1alpha1.Organization{Name: "acme-corp", Domain: "acme.io"},
			Regions: []v1alpha1.Region{
				{Name: "eu-central", Role: "primary"},
				{Name: "eu-west", Role: "standby"},
			},
			Components: []v1alpha1.ComponentRef{
				{Name: "backstage", Version: "v1.31.0", Enabled: ptr.To(true)},
				{Name: "grafana", Version: "v11.4.0", Enabled: ptr.To(true)},
				{Name: "cnpg", Version: "v1.24.0", Enabled: ptr.To(true)},
			},
		},
	}
}

// productComponent is PRODUCT.md's Component example, adapted to the types:
// its category "data" is not one of the catalog's three categories, and a
// Component names its platform.
func productComponent(ns string) *v1alpha1.Component {
	return &v1alpha1.Component{
		ObjectMeta: metav1.ObjectMeta{Name: "cnpg", Namespace: ns},
		Spec: v1alpha1.ComponentSpec{
			Platform:     "acme-corp",
			Chart:        "cnpg",
			Version:      "v1.24.0",
			Category:     "a-la-carte",
			Dependencies: []string{"external-secrets"},
			Values:       &apiextv1.JSON{Raw: []byte(`{"replication":{"enabled":true,"mode":"async"}}`)},
		},
	}
}

// TestCRDValidation sends bad Platform and Component specs to a real API
// server and checks that the generated CRD schema (validation markers and
// CEL rules) rejects each with a message naming the field, which is what
// `kubectl apply` shows the operator. PRODUCT.md's examples are accepted.
func TestCRDValidation(t *testing.T) {
	env := kubeenv.Shared(t)
	c, ns := newClient(t, env.Config), env.Namespace
	ctx := context.Background()

	platforms := []struct {
		name, field string
		mutate      func(*v1alpha1.PlatformSpec)
	}{
		{"zero regions", "spec.regions", func(s *v1alpha1.PlatformSpec) { s.Regions = []v1alpha1.Region{} }},
		{"three regions", "spec.regions", func(s *v1alpha1.PlatformSpec) {
			s.Regions = append(s.Regions, v1alpha1.Region{Name: "us-east", Role: "standby"})
		}},
		{"two primaries", "spec.regions: Invalid value: exactly one region must have role primary", func(s *v1alpha1.PlatformSpec) { s.Regions[1].Role = "primary" }},
		{"no primary", "spec.regions: Invalid value: exactly one region must have role primary", func(s *v1alpha1.PlatformSpec) { s.Regions[0].Role = "standby" }},
		{"duplicate region", "spec.regions[1]", func(s *v1alpha1.PlatformSpec) { s.Regions[1].Name = "eu-central" }},
		{"bad region role", "spec.regions[0].role", func(s *v1alpha1.PlatformSpec) { s.Regions[0].Role = "leader" }},
		{"bad region name", "spec.regions[0].name", func(s *v1alpha1.PlatformSpec) { s.Regions[0].Name = "EU_Central" }},
		{"bad organization name", "spec.organization.name", func(s *v1alpha1.PlatformSpec) { s.Organization.Name = "Acme Corp" }},
		{"window on no day", "spec.maintenanceWindow.days", func(s *v1alpha1.PlatformSpec) {
			s.MaintenanceWindow = &v1alpha1.MaintenanceWindow{Days: []string{}, Start: "02:00"}
		}},
		{"window on a bad day", "spec.maintenanceWindow.days[0]", func(s *v1alpha1.PlatformSpec) {
			s.MaintenanceWindow = &v1alpha1.MaintenanceWindow{Days: []string{"Caturday"}, Start: "02:00"}
		}},
		{"window at 25:00", "spec.maintenanceWindow.start", func(s *v1alpha1.PlatformSpec) {
			s.MaintenanceWindow = &v1alpha1.MaintenanceWindow{Days: []string{"Saturday"}, Start: "25:00"}
		}},
		{"empty organization name", "spec.organization.name", func(s *v1alpha1.PlatformSpec) { s.Organization.Name = "" }},
		{"bad domain", "spec.organization.domain", func(s *v1alpha1.PlatformSpec) { s.Organization.Domain = "acme" }},
		{"bad component name", "spec.components[0].name", func(s *v1alpha1.PlatformSpec) { s.Components[0].Name = "Backstage!" }},
		{"bad semver", "spec.components[1].version", func(s *v1alpha1.PlatformSpec) { s.Components[1].Version = "11.4" }},
		{"duplicate component", "spec.components[2]", func(s *v1alpha1.PlatformSpec) { s.Components[2].Name = "backstage" }},
		{"gitops without git", "spec.git: Required value: spec.git is required when spec.delivery is GitOps", func(s *v1alpha1.PlatformSpec) { s.Delivery = "GitOps" }},
		{"bad delivery", "spec.delivery", func(s *v1alpha1.PlatformSpec) { s.Delivery = "Helm" }},
		{"bad git url", "spec.git.url", func(s *v1alpha1.PlatformSpec) {
			s.Delivery, s.Git = "GitOps", &v1alpha1.GitRepository{URL: "git@github.com:acme/platform.git"}
		}},
		{"bad catalogIndexURL", "spec.catalogIndexURL", func(s *v1alpha1.PlatformSpec) { s.CatalogIndexURL = "ftp://catalog.example" }},
	}
	for _, tc := range platforms {
		t.Run("platform/"+tc.name, func(t *testing.T) {
			p := productPlatform(ns)
			tc.mutate(&p.Spec)
			err := c.Create(ctx, p, client.DryRunAll)
			require.Error(t, err, "the API server accepted %s", tc.name)
			t.Log(err)
			require.Contains(t, err.Error(), tc.field)
		})
	}

	components := []struct {
		name, field string
		mutate      func(*v1alpha1.ComponentSpec)
	}{
		{"bad category", "spec.category", func(s *v1alpha1.ComponentSpec) { s.Category = "data" }},
		{"bad semver", "spec.version", func(s *v1alpha1.ComponentSpec) { s.Version = "latest" }},
		{"no version", "spec.version", func(s *v1alpha1.ComponentSpec) { s.Version = "" }},
		{"empty chart", "spec.chart", func(s *v1alpha1.ComponentSpec) { s.Chart = "" }},
		{"bad platform name", "spec.platform", func(s *v1alpha1.ComponentSpec) { s.Platform = "Acme_Corp" }},
		{"bad repository", "spec.repository", func(s *v1alpha1.ComponentSpec) { s.Repository = "charts.example.com" }},
		{"duplicate dependency", "spec.dependencies[1]", func(s *v1alpha1.ComponentSpec) {
			s.Dependencies = []string{"external-secrets", "external-secrets"}
		}},
	}
	for _, tc := range components {
		t.Run("component/"+tc.name, func(t *testing.T) {
			comp := productComponent(ns)
			tc.mutate(&comp.Spec)
			err := c.Create(ctx, comp, client.DryRunAll)
			require.Error(t, err, "the API server accepted %s", tc.name)
			t.Log(err)
			require.Contains(t, err.Error(), tc.field)
		})
	}

	t.Run("PRODUCT.md examples are accepted", func(t *testing.T) {
		p := productPlatform(ns)
		require.NoError(t, c.Create(ctx, p))
		require.Equal(t, v1alpha1.DeliveryDirect, p.Spec.Delivery, "delivery defaults to Direct")
		comp := productComponent(ns)
		comp.Spec.Repository = "oci://ghcr.io/cloudnative-pg/charts"
		require.NoError(t, c.Create(ctx, comp))
		gitops := productPlatform(ns)
		gitops.Name = "acme-gitops"
		gitops.Spec.Delivery = v1alpha1.DeliveryGitOps
		gitops.Spec.Git = &v1alpha1.GitRepository{URL: "https://git.acme.io/acme/platform.git", SecretRef: "git-credentials"}
		gitops.Spec.CatalogIndexURL = "https://catalog.openova.io/index.yaml"
		require.NoError(t, c.Create(ctx, gitops))
		require.Equal(t, "main", gitops.Spec.Git.Branch, "branch defaults to main")
		require.Equal(t, "platform", gitops.Spec.Git.Path, "path defaults to platform")
	})
}

// TestPrinterColumnsAndShortNames asks the API server for platforms and
// components as `kubectl get` does (a meta.k8s.io Table) and checks the
// columns an operator sees, and that `kubectl get plat` / `comp` resolve.
func TestPrinterColumnsAndShortNames(t *testing.T) {
	env := kubeenv.Shared(t)
	c, ns := newClient(t, env.Config), env.Namespace
	ctx := context.Background()
	p := productPlatform(ns)
	require.NoError(t, c.Create(ctx, p))
	p.Status = v1alpha1.PlatformStatus{Phase: v1alpha1.PhaseRunning, Health: "3/3 healthy", ComponentsReady: "3/3", UpgradesAvailable: 2}
	require.NoError(t, c.Status().Update(ctx, p))
	comp := productComponent(ns)
	require.NoError(t, c.Create(ctx, comp))
	comp.Status = v1alpha1.ComponentStatus{Phase: v1alpha1.PhaseRunning, Health: v1alpha1.HealthHealthy, InstalledVersion: "v1.24.0"}
	require.NoError(t, c.Status().Update(ctx, comp))

	want := map[string]struct {
		columns []string
		cells   []any
	}{
		"platforms":  {[]string{"Name", "Phase", "Health", "Components", "Upgrades", "Age"}, []any{"acme-corp", "Running", "3/3 healthy", "3/3", float64(2)}},
		"components": {[]string{"Name", "Version", "Health", "Phase", "Age"}, []any{"cnpg", "v1.24.0", "Healthy", "Running"}},
	}
	for resource, w := range want {
		table := getTable(t, env.Config, "/apis/openova.io/v1alpha1/namespaces/"+ns+"/"+resource)
		var names []string
		for _, col := range table.ColumnDefinitions {
			names = append(names, col.Name)
		}
		require.Equal(t, w.columns, names, resource)
		require.Len(t, table.Rows, 1, resource)
		require.Equal(t, w.cells, table.Rows[0].Cells[:len(w.cells)], resource)
	}

	dc, err := discovery.NewDiscoveryClientForConfig(env.Config)
	require.NoError(t, err)
	list, err := dc.ServerResourcesForGroupVersion(v1alpha1.GroupVersion.String())
	require.NoError(t, err)
	short := map[string][]string{}
	for _, r := range list.APIResources {
		short[r.Name] = r.ShortNames
	}
	require.Equal(t, []string{"plat"}, short["platforms"])
	require.Equal(t, []string{"comp"}, short["components"])
}

// getTable GETs path the way kubectl get does, asking for a server-side table.
func getTable(t *testing.T, cfg *rest.Config, path string) *metav1.Table {
	t.Helper()
	hc, err := rest.HTTPClientFor(cfg)
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodGet, strings.TrimSuffix(cfg.Host, "/")+path, nil)
	require.NoError(t, err)
	req.Header.Set("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io")
	resp, err := hc.Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "GET %s: %s", req.URL, body)
	table := &metav1.Table{}
	require.NoError(t, json.Unmarshal(body, table))
	return table
}
