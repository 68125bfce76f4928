package deploy_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/dev/testenv/kubeenv"
)

// TestKustomizeBuildProdAppliesToAPIServer applies every object of the prod
// (and dev) build to a real kube-apiserver the way `kubectl apply
// --server-side` would, so schema errors, unknown fields, bad enum values and
// RBAC references fail here rather than in a customer's cluster. CRDs and the
// Namespace are applied for real (a namespaced dry run needs its namespace,
// and the CRDs must be Established); everything else is a server-side dry
// run. The namespace enforces the "restricted" Pod Security Standard, which
// warns on a Deployment whose pod would be rejected: the test fails on any
// warning. The server is the test's own, not the package's shared one: it
// applies the build's CRDs and the fixed namespace openova-system, which
// are cluster-scoped and would change the server under the other tests.
func TestKustomizeBuildProdAppliesToAPIServer(t *testing.T) {
	env := kubeenv.Start(t)
	warnings := &warningRecorder{}
	cfg := rest.CopyConfig(env.Config)
	cfg.WarningHandler = warnings
	c := newClient(t, cfg)
	ctx := context.Background()

	for _, dir := range []string{"overlays/prod", "overlays/dev", "overlays/bootstrap"} {
		t.Run(dir, func(t *testing.T) {
			objs := build(t, dir)
			// First for real: CRDs, then the namespace.
			for _, kind := range []string{"CustomResourceDefinition", "Namespace"} {
				for _, o := range byKind(objs, kind) {
					require.NoError(t, apply(ctx, c, o), "apply %s %s", kind, o.GetName())
				}
			}
			for _, o := range byKind(objs, "CustomResourceDefinition") {
				waitEstablished(t, c, o.GetName())
			}
			// The bootstrap's substrate namespaces exist before its
			// manager is applied (it reads workloads there).
			for _, o := range objs {
				if ns := o.GetNamespace(); ns != "" && ns != "openova-system" {
					nsObj := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": ns}}}
					require.NoError(t, apply(ctx, c, nsObj), "namespace %s", ns)
				}
			}
			// Then everything as a dry run, in kustomize's order.
			warnings.reset()
			n := 0
			for _, o := range objs {
				if o.GetKind() == "CustomResourceDefinition" || o.GetKind() == "Namespace" {
					continue
				}
				require.NoError(t, apply(ctx, c, o, client.DryRunAll), "dry-run apply %s %s", o.GetKind(), o.GetName())
				n++
			}
			require.GreaterOrEqual(t, n, 6, "too few objects were applied") // ServiceAccount, Role, RoleBinding, PVC, Deployment, Service
			require.Empty(t, warnings.get(), "the API server warned")
		})
	}
}

// apply is a server-side apply with forced ownership, like
// `kubectl apply --server-side --force-conflicts`.
func apply(ctx context.Context, c client.Client, o *unstructured.Unstructured, opts ...client.ApplyOption) error {
	opts = append(opts, client.FieldOwner("test"), client.ForceOwnership)
	return c.Apply(ctx, client.ApplyConfigurationFromUnstructured(o.DeepCopy()), opts...)
}

// waitEstablished waits until the API server serves the CRD's resource.
func waitEstablished(t *testing.T, c client.Client, name string) {
	t.Helper()
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		crd := &apiextv1.CustomResourceDefinition{}
		require.NoError(ct, c.Get(context.Background(), client.ObjectKey{Name: name}, crd))
		established := apiextv1.ConditionUnknown
		for _, cond := range crd.Status.Conditions {
			if cond.Type == apiextv1.Established {
				established = cond.Status
			}
		}
		assert.Equal(ct, apiextv1.ConditionTrue, established, "Established")
	}, 30*time.Second, 100*time.Millisecond, "CRD %s is not Established", name)
}

// newClient is a controller-runtime client that knows the core types, CRDs
// and the openova.io types.
func newClient(t *testing.T, cfg *rest.Config) client.Client {
	t.Helper()
	scheme := runtime.NewScheme()
	require.NoError(t, clientgoscheme.AddToScheme(scheme))
	require.NoError(t, apiextv1.AddToScheme(scheme))
	require.NoError(t, v1alpha1.AddToScheme(scheme))
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	require.NoError(t, err)
	return c
}

// warningRecorder keeps the API server's Warning headers.
type warningRecorder struct {
	mu   sync.Mutex
	msgs []string
}

func (w *warningRecorder) HandleWarningHeader(_ int, _ string, text string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.msgs = append(w.msgs, text)
}

func (w *warningRecorder) reset() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.msgs = nil
}

func (w *warningRecorder) get() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.msgs...)
}
