package activities

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/client-go/rest"

	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/dev/testenv/kubeenv"
	"github.com/openova-io/core/kube"
)

// The one builder gives each of the three applies exactly its own fields.
func TestComponentApplyObject(t *testing.T) {
	spec := ComponentSpec{Version: "v11.3.0", Chart: "grafana", Repository: "https://grafana.github.io/helm-charts",
		Category: "a-la-carte", Dependencies: []string{"cert-manager"}, Values: json.RawMessage(`{"big": 9007199254740993}`)}
	for name, tc := range map[string]struct {
		in   componentApply
		want string
	}{
		"spec": {
			in: componentApply{Namespace: "ns", Name: "grafana", Platform: "acme", Spec: &spec},
			want: `{"apiVersion":"openova.io/v1alpha1","kind":"Component",
				"metadata":{"name":"grafana","namespace":"ns","labels":{"openova.io/platform":"acme","openova.io/component":"grafana"}},
				"spec":{"platform":"acme","chart":"grafana","version":"v11.3.0","repository":"https://grafana.github.io/helm-charts",
					"category":"a-la-carte","dependencies":["cert-manager"],"values":{"big":9007199254740993}}}`,
		},
		"minimal spec": {
			in: componentApply{Namespace: "ns", Name: "kit", Platform: "acme", Spec: &ComponentSpec{Chart: "kit", Version: "v1.0.0"}},
			want: `{"apiVersion":"openova.io/v1alpha1","kind":"Component",
				"metadata":{"name":"kit","namespace":"ns","labels":{"openova.io/platform":"acme","openova.io/component":"kit"}},
				"spec":{"platform":"acme","chart":"kit","version":"v1.0.0"}}`,
		},
		"annotation only": {
			in: componentApply{Namespace: "ns", Name: "grafana", Annotations: map[string]string{v1alpha1.AnnotationRolledBack: "{}"}},
			want: `{"apiVersion":"openova.io/v1alpha1","kind":"Component",
				"metadata":{"name":"grafana","namespace":"ns","annotations":{"openova.io/rolled-back":"{}"}}}`,
		},
		"conditional": {
			in: componentApply{Namespace: "ns", Name: "grafana", ResourceVersion: "42", Annotations: map[string]string{v1alpha1.AnnotationAvailableVersions: "{}"}},
			want: `{"apiVersion":"openova.io/v1alpha1","kind":"Component",
				"metadata":{"name":"grafana","namespace":"ns","resourceVersion":"42","annotations":{"openova.io/available-versions":"{}"}}}`,
		},
	} {
		t.Run(name, func(t *testing.T) {
			u, err := tc.in.object()
			require.NoError(t, err)
			got, err := json.Marshal(u.Object)
			require.NoError(t, err)
			// JSONEq would compare numbers as float64: check the big one as text too.
			require.JSONEq(t, tc.want, string(got))
			if tc.in.Spec != nil && tc.in.Spec.Values != nil {
				require.Contains(t, string(got), `"values":{"big":9007199254740993}`)
			}
		})
	}
}

func TestComponentApplyRefusesBadValues(t *testing.T) {
	spec := ComponentSpec{Chart: "grafana", Version: "v11.3.0", Values: json.RawMessage(`{"password": hunter2}`)}
	_, err := componentApply{Namespace: "ns", Name: "grafana", Platform: "acme", Spec: &spec}.object()
	requireAppError(t, err, ErrInvalidComponent, true)
	require.NotContains(t, err.Error(), "hunter2", "values may be secret")
}

// A value above 2^53 is the same, byte for byte, in the Component spec and
// in the composite resource as the API server stores them, and in what
// ReadComponent records for a rollback.
func TestValuesAbove2To53SurviveInComponentAndRelease(t *testing.T) {
	env := kubeenv.Shared(t)
	cl, err := kube.NewClient(env.Config)
	require.NoError(t, err)
	ns := env.Namespace

	// Keys sorted and compact, as the API server writes JSON.
	const values = `{"big":9007199254740993,"nested":{"list":[9007199254740993,-9007199254740993,1.5]}}`
	spec := ComponentSpec{Version: "v11.3.0", Chart: "grafana", Repository: "https://grafana.github.io/helm-charts",
		Values: json.RawMessage(values)}
	k := &Kubernetes{Client: cl}
	_, err = run[UpsertComponentResult](t, k, k.UpsertComponent, UpsertComponentInput{
		Namespace: ns, Platform: "acme", Name: "grafana", ComponentSpec: spec})
	require.NoError(t, err)
	c := &Crossplane{Client: cl}
	_, err = run[ApplyReleaseResult](t, c, c.ApplyRelease, ApplyReleaseInput{
		Namespace: ns, Name: "grafana", Platform: "acme", Component: "grafana",
		Chart: spec.Chart, Repository: spec.Repository, Version: "8.5.0", Values: spec.Values})
	require.NoError(t, err)

	hc, err := rest.HTTPClientFor(env.Config)
	require.NoError(t, err)
	for _, path := range []string{
		fmt.Sprintf("/apis/%s/namespaces/%s/components/grafana", v1alpha1.GroupVersion, ns),
		fmt.Sprintf("/apis/%s/namespaces/%s/componentreleases/grafana", v1alpha1.ReleaseGVK.GroupVersion(), ns),
	} {
		require.Equal(t, values, storedValues(t, hc, strings.TrimSuffix(env.Config.Host, "/")+path), path)
	}

	read, err := run[ReadComponentResult](t, k, k.ReadComponent, ReadComponentInput{Namespace: ns, Name: "grafana"})
	require.NoError(t, err)
	require.Equal(t, values, string(read.Values))
	require.Equal(t, spec, read.ComponentSpec)
}

// storedValues is spec.values of the object at url, exactly as the API
// server sends it.
func storedValues(t *testing.T, hc *http.Client, url string) string {
	t.Helper()
	resp, err := hc.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s: %s", url, body)
	var obj struct {
		Spec struct {
			Values json.RawMessage `json:"values"`
		} `json:"spec"`
	}
	require.NoError(t, json.Unmarshal(body, &obj))
	return string(obj.Spec.Values)
}
