package activities

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	xpv1 "github.com/crossplane/crossplane-runtime/v2/apis/common/v1"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource/unstructured/composite"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/dev/testenv/kubeenv"

	"github.com/openova-io/core/crds/v1alpha1"
)

// The cluster in these tests is a real kube-apiserver + etcd with the CRD
// that Crossplane would generate from deploy/crossplane/xrd.yaml; there is no
// Crossplane. Tests named ..._TestPlaysCrossplane set the XR's Synced/Ready
// conditions the way Crossplane's XR reconciler would.

func crossplaneEnv(t *testing.T) (*Crossplane, client.Client, string) {
	t.Helper()
	env := kubeenv.Shared(t)
	cl, err := client.New(env.Config, client.Options{})
	require.NoError(t, err)
	return &Crossplane{Client: cl, Poll: 100 * time.Millisecond}, cl, env.Namespace
}

// run executes one activity of act (a *Crossplane, *Git, …) in Temporal's
// test activity environment (so heartbeats work) and decodes its result.
func run[T any](t *testing.T, act any, fn any, in any) (T, error) {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(act)
	var out T
	v, err := env.ExecuteActivity(fn, in)
	if err != nil {
		return out, err
	}
	require.NoError(t, v.Get(&out))
	return out, nil
}

func grafana(ns string) ApplyReleaseInput {
	return ApplyReleaseInput{
		Namespace: ns, Name: "grafana", Platform: "acme", Component: "grafana",
		Chart: "grafana", Repository: "https://grafana.github.io/helm-charts", Version: "8.5.0",
		Values: json.RawMessage(`{"replicas": 2, "big": 9007199254740993, "ingress": {"enabled": true}}`),
	}
}

// requireAppError asserts a Temporal application error of the given type.
func requireAppError(t *testing.T, err error, typ string, nonRetryable bool) *temporal.ApplicationError {
	t.Helper()
	require.Error(t, err)
	var ae *temporal.ApplicationError
	require.True(t, errors.As(err, &ae), "want an ApplicationError, got %T: %v", err, err)
	require.Equal(t, typ, ae.Type(), "error: %v", err)
	require.Equal(t, nonRetryable, ae.NonRetryable(), "error: %v", err)
	return ae
}

// playCrossplane sets the XR's conditions (at its current generation) and
// status fields through the status subresource, as Crossplane would.
func playCrossplane(cl client.Client, ns, name string, status map[string]any, conds ...xpv1.Condition) error {
	ctx := context.Background()
	xr := composite.New(composite.WithGroupVersionKind(v1alpha1.ReleaseGVK))
	if err := cl.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, xr.GetUnstructured()); err != nil {
		return err
	}
	for i := range conds {
		conds[i].ObservedGeneration = xr.GetGeneration()
		conds[i].LastTransitionTime = metav1.Now()
	}
	xr.SetConditions(conds...)
	for k, v := range status {
		if err := unstructured.SetNestedField(xr.Object, v, "status", k); err != nil {
			return err
		}
	}
	return cl.Status().Update(ctx, xr.GetUnstructured())
}

func TestReleaseYAMLIsDeterministic(t *testing.T) {
	in := grafana("openova-system")
	a, err := ReleaseYAML(in)
	require.NoError(t, err)
	for range 5 {
		b, err := ReleaseYAML(in)
		require.NoError(t, err)
		require.Equal(t, string(a), string(b))
	}
	doc := string(a)
	for _, want := range []string{
		"apiVersion: platform.openova.io/v1alpha1", "kind: ComponentRelease",
		"openova.io/platform: acme", "openova.io/component: grafana",
		"version: 8.5.0", "big: 9007199254740993", "replicas: 2",
	} {
		require.Contains(t, doc, want)
	}
}

func TestReleaseManifestRejectsBadValues(t *testing.T) {
	for name, values := range map[string]string{
		"not JSON":   `{"password": "hunter2"`,
		"not object": `["hunter2"]`,
		"two docs":   `{} {}`,
	} {
		t.Run(name, func(t *testing.T) {
			in := grafana("ns")
			in.Values = json.RawMessage(values)
			_, err := ReleaseManifest(in)
			requireAppError(t, err, ErrInvalidRelease, true)
			require.NotContains(t, err.Error(), "hunter2", "values may be secret")
		})
	}
	in := grafana("ns")
	in.Values = nil
	u, err := ReleaseManifest(in)
	require.NoError(t, err)
	_, found, _ := unstructured.NestedFieldNoCopy(u.Object, "spec", "values")
	require.False(t, found)
}

// The catalog's values for a release are the base; the platform's values
// are merged over them as Helm merges values files.
func TestReleaseValuesMergeOverTheCatalogs(t *testing.T) {
	catalogValues := map[string]any{
		"postgresql":       map[string]any{"enabled": false},
		"externalDatabase": map[string]any{"host": "gitea-db-rw", "existingSecret": "gitea-db-app"},
		"ingress":          map[string]any{"enabled": false, "hosts": []any{"a"}},
		"replicas":         1,
	}
	for _, tt := range []struct {
		name     string
		platform string
		want     map[string]any
	}{
		{"no platform values: the catalog's", ``, catalogValues},
		{"maps merge key by key; other values replace", `{"externalDatabase": {"host": "db.example"}, "ingress": {"hosts": ["b", "c"]}, "replicas": 3}`,
			map[string]any{
				"postgresql":       map[string]any{"enabled": false},
				"externalDatabase": map[string]any{"host": "db.example", "existingSecret": "gitea-db-app"},
				"ingress":          map[string]any{"enabled": false, "hosts": []any{"b", "c"}},
				"replicas":         int64(3),
			}},
		{"a null removes the catalog's key", `{"postgresql": null}`,
			map[string]any{"externalDatabase": catalogValues["externalDatabase"], "ingress": catalogValues["ingress"], "replicas": 1}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := grafana("ns")
			in.Values, in.Defaults = json.RawMessage(tt.platform), catalogValues
			u, err := ReleaseManifest(in)
			require.NoError(t, err)
			got, _, _ := unstructured.NestedFieldNoCopy(u.Object, "spec", "values")
			require.Equal(t, tt.want, got)
			require.Equal(t, map[string]any{"enabled": false}, catalogValues["postgresql"], "the catalog's values are not changed")
		})
	}
}

func TestApplyRelease(t *testing.T) {
	c, cl, ns := crossplaneEnv(t)
	ctx := context.Background()
	in := grafana(ns)

	first, err := run[ApplyReleaseResult](t, c, c.ApplyRelease, in)
	require.NoError(t, err)
	require.Equal(t, int64(1), first.Generation)

	u := newRelease(ns, "grafana")
	require.NoError(t, cl.Get(ctx, client.ObjectKeyFromObject(u), u))
	require.Equal(t, "acme", u.GetLabels()[LabelPlatform])
	require.Equal(t, "grafana", u.GetLabels()[LabelComponent])
	v, _, _ := unstructured.NestedString(u.Object, "spec", "chart", "version")
	require.Equal(t, "8.5.0", v)
	big, _, _ := unstructured.NestedInt64(u.Object, "spec", "values", "big")
	require.Equal(t, int64(9007199254740993), big, "integers survive without float rounding")
	rv := u.GetResourceVersion()

	t.Run("applying again changes nothing", func(t *testing.T) {
		again, err := run[ApplyReleaseResult](t, c, c.ApplyRelease, in)
		require.NoError(t, err)
		require.Equal(t, first, again)
		require.NoError(t, cl.Get(ctx, client.ObjectKeyFromObject(u), u))
		require.Equal(t, rv, u.GetResourceVersion())
	})

	t.Run("a new version is a new generation", func(t *testing.T) {
		up := in
		up.Version = "8.6.0"
		res, err := run[ApplyReleaseResult](t, c, c.ApplyRelease, up)
		require.NoError(t, err)
		require.Equal(t, int64(2), res.Generation)
	})

	t.Run("missing chart is InvalidRelease", func(t *testing.T) {
		bad := grafana(ns)
		bad.Name, bad.Chart, bad.Repository, bad.Version = "broken", "", "", ""
		_, err := run[ApplyReleaseResult](t, c, c.ApplyRelease, bad)
		requireAppError(t, err, ErrInvalidRelease, true)
		require.Contains(t, err.Error(), "spec.chart")
	})

	t.Run("empty chart version is InvalidRelease", func(t *testing.T) {
		bad := grafana(ns)
		bad.Name, bad.Version = "broken", ""
		_, err := run[ApplyReleaseResult](t, c, c.ApplyRelease, bad)
		requireAppError(t, err, ErrInvalidRelease, true)
	})
}

// Flux is what applies a committed release in GitOps mode; the test applies it.
func TestWaitReleaseExists_TestPlaysFlux(t *testing.T) {
	c, _, ns := crossplaneEnv(t)
	_, err := run[WaitReleaseExistsResult](t, c, c.WaitReleaseExists, WaitReleaseExistsInput{
		Namespace: ns, Name: "grafana", Deadline: time.Now().Add(300 * time.Millisecond)})
	requireAppError(t, err, ErrReleaseNotApplied, true)
	require.Contains(t, err.Error(), "grafana not applied by")

	go func() {
		time.Sleep(500 * time.Millisecond)
		u, err := ReleaseManifest(grafana(ns))
		if err == nil {
			err = c.Client.Create(context.Background(), u)
		}
		if err != nil {
			t.Errorf("apply as Flux: %v", err)
		}
	}()
	res, err := run[WaitReleaseExistsResult](t, c, c.WaitReleaseExists, WaitReleaseExistsInput{
		Namespace: ns, Name: "grafana", Deadline: time.Now().Add(30 * time.Second)})
	require.NoError(t, err)
	require.Equal(t, int64(1), res.Generation)
}

// DeleteRelease deletes in the foreground; the garbage collector (absent
// here, as is Crossplane) removes the foregroundDeletion finalizer once the
// composed Release is gone. The test removes it.
func TestDeleteRelease_TestPlaysGarbageCollector(t *testing.T) {
	c, cl, ns := crossplaneEnv(t)

	gone, err := run[DeleteReleaseResult](t, c, c.DeleteRelease, DeleteReleaseInput{Namespace: ns, Name: "grafana"})
	require.NoError(t, err)
	require.False(t, gone.Deleted, "deleting a missing release is success")

	_, err = run[ApplyReleaseResult](t, c, c.ApplyRelease, grafana(ns))
	require.NoError(t, err)
	del, err := run[DeleteReleaseResult](t, c, c.DeleteRelease, DeleteReleaseInput{Namespace: ns, Name: "grafana"})
	require.NoError(t, err)
	require.True(t, del.Deleted)

	state, err := run[v1alpha1.ReleaseState](t, c, c.ReadRelease, ReadReleaseInput{Namespace: ns, Name: "grafana"})
	require.NoError(t, err)
	require.True(t, state.Exists)
	require.True(t, state.Deleting)

	_, err = run[WaitReleaseGoneResult](t, c, c.WaitReleaseGone, WaitReleaseGoneInput{
		Namespace: ns, Name: "grafana", Deadline: time.Now().Add(500 * time.Millisecond)})
	requireAppError(t, err, ErrReleaseNotGone, true)
	require.Contains(t, err.Error(), "foregroundDeletion")

	go func() {
		time.Sleep(500 * time.Millisecond)
		u := newRelease(ns, "grafana")
		patch := []byte(`{"metadata":{"finalizers":null}}`)
		if err := cl.Patch(context.Background(), u, client.RawPatch("application/merge-patch+json", patch)); err != nil {
			t.Errorf("remove finalizers: %v", err)
		}
	}()
	_, err = run[WaitReleaseGoneResult](t, c, c.WaitReleaseGone, WaitReleaseGoneInput{
		Namespace: ns, Name: "grafana", Deadline: time.Now().Add(30 * time.Second)})
	require.NoError(t, err)

	state, err = run[v1alpha1.ReleaseState](t, c, c.ReadRelease, ReadReleaseInput{Namespace: ns, Name: "grafana"})
	require.NoError(t, err)
	require.False(t, state.Exists)
	again, err := run[DeleteReleaseResult](t, c, c.DeleteRelease, DeleteReleaseInput{Namespace: ns, Name: "grafana"})
	require.NoError(t, err)
	require.False(t, again.Deleted)
}
