package activities

import (
	"context"
	"encoding/base64"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/yaml"

	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/dev/testenv/k3s"
	"github.com/openova-io/core/dev/testenv/kubeenv"
	"github.com/openova-io/core/secret"
)

// giteaInstallInput is a valid InstallGitea request for acme-fsn1 at the
// catalog's Gitea chart, with a serving certificate of the cluster's CA.
func giteaInstallInput(t *testing.T, kubeconfig []byte) InstallGiteaInput {
	t.Helper()
	pki, err := NewClusterPKI("acme-fsn1", time.Now())
	require.NoError(t, err)
	cert, key, err := servingCert(pki, "gitea", []string{"203.0.113.10", "gitea.fsn1.example.com"}, time.Now())
	require.NoError(t, err)
	chart, err := catalog.Default().HelmChart("gitea", "")
	require.NoError(t, err)
	return InstallGiteaInput{Cluster: "acme-fsn1", Kubeconfig: kubeconfig, Chart: chart, RootURL: "https://gitea.fsn1.example.com:3000/",
		AdminUsername: "openova-admin", AdminPassword: "canary-password-3f9a1c", TLSCert: cert, TLSKey: secret.Text(key)}
}

// InstallGitea against an API server standing in for a region's k3s (with
// k3s's HelmChart CRD): bad input is refused, typed and non-retryable,
// before anything is applied; a valid one applies the namespace, the two
// Secrets and the HelmChart, and a second run changes nothing. No secret
// is anywhere in the HelmChart.
func TestInstallGitea_EnvtestPlaysK3s(t *testing.T) {
	env := kubeenv.Start(t, k3s.HelmChartCRD(t))
	kubeconfig, err := os.ReadFile(env.Kubeconfig)
	require.NoError(t, err)
	cs, err := kubernetes.NewForConfig(env.Config)
	require.NoError(t, err)
	dc, err := dynamic.NewForConfig(env.Config)
	require.NoError(t, err)
	ctx := context.Background()
	g := &Gitea{}
	r := newActivityRun(g)
	valid := giteaInstallInput(t, kubeconfig)

	t.Run("bad input is refused before any apply", func(t *testing.T) {
		other := giteaInstallInput(t, kubeconfig)
		for _, tc := range []struct {
			name   string
			change func(*InstallGiteaInput)
			kind   string
		}{
			{"a chart version whose subcharts were not read", func(in *InstallGiteaInput) { in.Chart.Version = "13.0.0" }, ErrGiteaChartUnsupported},
			{"a chart version that is not one", func(in *InstallGiteaInput) { in.Chart.Version = "latest" }, ErrGiteaChartUnsupported},
			{"no admin password", func(in *InstallGiteaInput) { in.AdminPassword = "" }, ErrGiteaInvalidInput},
			{"a password Gitea refuses", func(in *InstallGiteaInput) { in.AdminPassword = "short" }, ErrGiteaInvalidInput},
			{"an admin name Gitea refuses", func(in *InstallGiteaInput) { in.AdminUsername = "api" }, ErrGiteaInvalidInput},
			{"another chart", func(in *InstallGiteaInput) { in.Chart.Name = "forgejo" }, ErrGiteaInvalidInput},
			{"a chart repository over plain HTTP", func(in *InstallGiteaInput) { in.Chart.Repository = "http://dl.gitea.com/charts/" }, ErrGiteaInvalidInput},
			{"a key of another certificate", func(in *InstallGiteaInput) { in.TLSKey = other.TLSKey }, ErrGiteaInvalidInput},
			{"a root URL over plain HTTP", func(in *InstallGiteaInput) { in.RootURL = "http://gitea.fsn1.example.com/" }, ErrGiteaInvalidInput},
			{"a mirror CA that is no PEM", func(in *InstallGiteaInput) { in.MirrorCA = "not a certificate" }, ErrGiteaInvalidInput},
			{"a mirror CA that is a leaf", func(in *InstallGiteaInput) { in.MirrorCA = in.TLSCert }, ErrGiteaInvalidInput},
		} {
			t.Run(tc.name, func(t *testing.T) {
				in := valid
				tc.change(&in)
				err := r.do(g.InstallGitea, in, &InstallGiteaResult{})
				require.Equal(t, tc.kind, errType(err), "%v", err)
				require.True(t, isNonRetryable(err))
			})
		}
		_, err := cs.CoreV1().Namespaces().Get(ctx, GiteaNamespace, metav1.GetOptions{})
		require.Error(t, err, "no namespace was applied")
		charts, err := dc.Resource(helmChartGVR).Namespace("kube-system").List(ctx, metav1.ListOptions{})
		require.NoError(t, err)
		require.Empty(t, charts.Items, "no HelmChart was applied")
	})

	t.Run("applied once, the same after a second run", func(t *testing.T) {
		var versions []map[string]string
		for range 2 {
			var res InstallGiteaResult
			require.NoError(t, r.do(g.InstallGitea, valid, &res))
			require.Equal(t, InstallGiteaResult{Namespace: "gitea", HelmChart: "kube-system/gitea", NodePort: 30300}, res)
			versions = append(versions, giteaObjectVersions(t, cs, dc))
		}
		require.Equal(t, versions[0], versions[1], "a second run changes nothing")

		admin, err := cs.CoreV1().Secrets("gitea").Get(ctx, "gitea-admin", metav1.GetOptions{})
		require.NoError(t, err)
		require.Equal(t, map[string][]byte{"username": []byte("openova-admin"), "password": []byte(valid.AdminPassword.Reveal())}, admin.Data)
		tlsSecret, err := cs.CoreV1().Secrets("gitea").Get(ctx, "gitea-tls", metav1.GetOptions{})
		require.NoError(t, err)
		require.Equal(t, "kubernetes.io/tls", string(tlsSecret.Type))
		require.Equal(t, valid.TLSCert, string(tlsSecret.Data["tls.crt"]))
		require.Equal(t, valid.TLSKey.Reveal(), string(tlsSecret.Data["tls.key"]))
		require.NotContains(t, tlsSecret.Data, "ca.crt", "one region: no other CA")

		chart, err := dc.Resource(helmChartGVR).Namespace("kube-system").Get(ctx, "gitea", metav1.GetOptions{})
		require.NoError(t, err)
		for _, mf := range chart.GetManagedFields() {
			require.Equal(t, bootstrapFieldOwner, mf.Manager, "applied by the bootstrap alone")
		}
		spec, _, _ := unstructured.NestedMap(chart.Object, "spec")
		require.Equal(t, valid.Chart.Repository, spec["repo"])
		require.Equal(t, "gitea", spec["chart"])
		require.Equal(t, valid.Chart.Version, spec["version"])
		require.Equal(t, "gitea", spec["targetNamespace"])
		want, err := renderGiteaValues(giteaValuesInput{ChartVersion: valid.Chart.Version, RootURL: valid.RootURL, AdminEmail: "openova-admin@openova.invalid"})
		require.NoError(t, err)
		require.Equal(t, want, spec["valuesContent"])
		var values map[string]any
		require.NoError(t, yaml.Unmarshal([]byte(spec["valuesContent"].(string)), &values))

		whole, err := chart.MarshalJSON()
		require.NoError(t, err)
		for _, s := range []string{valid.AdminPassword.Reveal(), valid.TLSKey.Reveal(), keyBody(valid.TLSKey.Reveal()),
			base64.StdEncoding.EncodeToString([]byte(valid.AdminPassword.Reveal())), base64.StdEncoding.EncodeToString([]byte(valid.TLSKey.Reveal()))} {
			require.NotContains(t, string(whole), s, "no secret is in the HelmChart")
		}
		require.NotContains(t, r.logs.String(), valid.AdminPassword.Reveal())
		for _, e := range r.errs {
			require.NotContains(t, e, valid.AdminPassword.Reveal())
		}
	})
}

// The primary's Gitea of two regions carries the standby's CA: in its TLS
// Secret as ca.crt, and its values point git there.
func TestInstallGitea_MirrorCA(t *testing.T) {
	in := giteaInstallInput(t, []byte("unused"))
	standby, err := NewClusterPKI("acme-hel1", time.Now())
	require.NoError(t, err)
	in.MirrorCA = standby.ServerCA
	objs, err := giteaObjects(in)
	require.NoError(t, err)
	var tlsData, values any
	for _, o := range objs {
		switch o.obj.GetName() {
		case GiteaTLSSecret:
			tlsData = o.obj.Object["data"]
		case GiteaHelmChart:
			values, _, _ = unstructured.NestedString(o.obj.Object, "spec", "valuesContent")
		}
	}
	require.Equal(t, base64.StdEncoding.EncodeToString([]byte(standby.ServerCA)), tlsData.(map[string]any)["ca.crt"])
	require.Contains(t, values, "http.sslCAInfo: /etc/gitea-tls/ca.crt")
}

// giteaObjectVersions lists what InstallGitea owns (by name and resource
// version), failing unless each exists exactly once.
func giteaObjectVersions(t *testing.T, cs kubernetes.Interface, dc dynamic.Interface) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	nss, err := cs.CoreV1().Namespaces().List(ctx, metav1.ListOptions{FieldSelector: "metadata.name=gitea"})
	require.NoError(t, err)
	require.Len(t, nss.Items, 1)
	out["namespace"] = nss.Items[0].ResourceVersion
	secrets, err := cs.CoreV1().Secrets("gitea").List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	require.Len(t, secrets.Items, 2, "gitea-admin and gitea-tls")
	for _, s := range secrets.Items {
		out["secret "+s.Name] = s.ResourceVersion
	}
	charts, err := dc.Resource(helmChartGVR).Namespace("kube-system").List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	require.Len(t, charts.Items, 1)
	out["helmchart "+charts.Items[0].GetName()] = charts.Items[0].GetResourceVersion()
	return out
}

// keyBody is a PEM key's base64 body without its armour, on one line.
func keyBody(pemText string) string {
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(pemText), "\n") {
		if !strings.HasPrefix(l, "-----") {
			lines = append(lines, l)
		}
	}
	return lines[0]
}

func isNonRetryable(err error) bool {
	var app *temporal.ApplicationError
	return errors.As(err, &app) && app.NonRetryable()
}
