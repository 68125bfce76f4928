package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	crclient "sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/dev/testenv"
	"github.com/openova-io/core/dev/testenv/k3s/players"
	"github.com/openova-io/core/dev/testenv/kubeenv"
	kubeclient "github.com/openova-io/core/kube"
)

// managerSA is the manager's ServiceAccount (deploy/base/serviceaccount.yaml).
const managerSA = "openova-manager"

// The real manager with exactly the permissions deploy/ gives it: the
// ServiceAccount, Role and RoleBinding of deploy/base (moved to the test's
// namespace; a ClusterRole or ClusterRoleBinding would be applied too,
// renamed for the test), and a kubeconfig that impersonates the
// ServiceAccount, so the envtest API server's RBAC decides every request.
// The manager elects itself leader, installs MongoDB with its dependencies
// from the Platform, installs and uninstalls Valkey through the UI (which
// patches the Platform), and upgrades Redpanda (pinned below its newest)
// to a forward-only release, which runs the catalog's backup Job on its
// own volume first. None of its
// requests is refused, and the same identity cannot read a Secret of
// another namespace or list Secrets.
func TestManagerWithItsOwnRBAC_Impersonated_TestPlaysCrossplaneAndJobController(t *testing.T) {
	t.Parallel() // its own processes, ports, data dir and namespace
	kube := kubeenv.Shared(t)
	ns := kube.Namespace
	admin, err := kubeclient.NewClient(kube.Config)
	require.NoError(t, err)
	applyManagerRBAC(t, admin, ns)
	kubeconfig := impersonating(t, kube.Kubeconfig, "system:serviceaccount:"+ns+":"+managerSA)

	dataDir := t.TempDir()
	args := []string{"--kubeconfig", kubeconfig, "--namespace", ns, "--ready-timeout", "20s"}
	p := startOpenova(t, "manager", dataDir, args...)
	e := &managerEnv{kube: kube, c: admin, proc: p, tc: p.client(t, ""), xp: players.PlayReleases(t, admin, ns, 200*time.Millisecond),
		ns: ns, dataDir: dataDir, args: args}

	e.createPlatform(t, "acme", v1alpha1.PlatformSpec{Components: []v1alpha1.ComponentRef{{Name: "mongodb"}, {Name: "redpanda", Version: "v26.1.14"}}})
	e.waitCondition(t, "acme", v1alpha1.ConditionReady, metav1.ConditionTrue, 2*time.Minute)
	comps := e.components(t)
	for _, name := range []string{"mongodb", "redpanda", "debezium"} {
		require.Contains(t, comps, name)
	}

	ui := signInHTTP(t, e.proc)
	resp, body := ui.post("/platforms/acme/components/valkey/install", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, "the UI patched the Platform: %s", body)
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		assertHealthyAt(ct, e.components(ct), "valkey", catalog.Default().Components["valkey"].Latest().Version)
	}, time.Minute, 100*time.Millisecond, "valkey installed through the UI")

	go e.playJob(t, activities.BackupName("redpanda", "v26.2.1"))
	e.update(t, "acme", func(p *v1alpha1.Platform) {
		for i := range p.Spec.Components {
			if p.Spec.Components[i].Name == "redpanda" {
				p.Spec.Components[i].Version, p.Spec.Components[i].ConfirmForwardOnly = "v26.2.1", true
			}
		}
	})
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		assertHealthyAt(ct, e.components(ct), "redpanda", "v26.2.1")
	}, 2*time.Minute, 100*time.Millisecond, "redpanda upgraded after its backup")
	var claim corev1.PersistentVolumeClaim
	require.NoError(t, admin.Get(context.Background(), crclient.ObjectKey{Namespace: ns, Name: activities.BackupName("redpanda", "v26.2.1")}, &claim),
		"the backup's volume was created")

	resp, body = ui.post("/platforms/acme/components/valkey/uninstall", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		assert.NotContains(ct, e.components(ct), "valkey")
	}, time.Minute, 100*time.Millisecond, "valkey uninstalled through the UI")

	var lease unstructured.Unstructured
	lease.SetAPIVersion("coordination.k8s.io/v1")
	lease.SetKind("Lease")
	require.NoError(t, admin.Get(context.Background(), crclient.ObjectKey{Namespace: ns, Name: "openova-manager.openova.io"}, &lease), "the manager elected itself")
	require.NotContains(t, strings.ToLower(e.proc.log()), "forbidden", "a request of the manager was refused")

	// The identity the manager ran as is held to the Role.
	sa := impersonatedClient(t, kube.Config, "system:serviceaccount:"+ns+":"+managerSA)
	ctx := context.Background()
	other := kubeenv.Shared(t).Namespace
	require.NoError(t, admin.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "git", Namespace: ns}}))
	require.NoError(t, admin.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "git", Namespace: other}}))
	require.NoError(t, sa.Get(ctx, crclient.ObjectKey{Namespace: ns, Name: "git"}, &corev1.Secret{}), "the Git credentials Secret of its namespace")
	for what, err := range map[string]error{
		"a Secret of another namespace": sa.Get(ctx, crclient.ObjectKey{Namespace: other, Name: "git"}, &corev1.Secret{}),
		"the Secrets of its namespace":  sa.List(ctx, &corev1.SecretList{}, crclient.InNamespace(ns)),
		"every Secret":                  sa.List(ctx, &corev1.SecretList{}),
		"a new Platform":                sa.Create(ctx, &v1alpha1.Platform{ObjectMeta: metav1.ObjectMeta{Name: "x", Namespace: ns}}),
		"the Platforms of another":      sa.List(ctx, &v1alpha1.PlatformList{}, crclient.InNamespace(other)),
	} {
		require.True(t, apierrors.IsForbidden(err), "%s: want forbidden, got %v", what, err)
	}
}

// applyManagerRBAC applies deploy/base's ServiceAccount, roles and bindings
// into ns, as the kustomize build does into openova-system.
func applyManagerRBAC(t *testing.T, c crclient.Client, ns string) {
	t.Helper()
	base := filepath.Join(testenv.RepoRoot(), "deploy", "base")
	for _, file := range []string{"serviceaccount.yaml", "rbac/role.yaml", "rolebindings.yaml"} {
		b, err := os.ReadFile(filepath.Join(base, file))
		require.NoError(t, err)
		dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(b), 4096)
		for {
			var o unstructured.Unstructured
			if err := dec.Decode(&o.Object); errors.Is(err, io.EOF) {
				break
			} else {
				require.NoError(t, err, file)
			}
			if len(o.Object) == 0 {
				continue
			}
			switch o.GetKind() {
			case "ClusterRole", "ClusterRoleBinding":
				o.SetName(o.GetName() + "-" + ns) // cluster-wide names: one per test
			default:
				o.SetNamespace(ns)
			}
			if ref, ok := o.Object["roleRef"].(map[string]any); ok && ref["kind"] == "ClusterRole" {
				ref["name"] = ref["name"].(string) + "-" + ns
			}
			if subjects, ok := o.Object["subjects"].([]any); ok {
				for _, s := range subjects {
					s.(map[string]any)["namespace"] = ns
				}
			}
			require.NoError(t, c.Create(context.Background(), &o), "%s %s", o.GetKind(), o.GetName())
		}
	}
}

// impersonating writes a copy of the kubeconfig whose users act as user.
func impersonating(t *testing.T, kubeconfig, user string) string {
	t.Helper()
	cfg, err := clientcmd.LoadFromFile(kubeconfig)
	require.NoError(t, err)
	for _, a := range cfg.AuthInfos {
		a.Impersonate = user
	}
	path := filepath.Join(t.TempDir(), "kubeconfig")
	require.NoError(t, clientcmd.WriteToFile(*cfg, path))
	return path
}

func impersonatedClient(t *testing.T, cfg *rest.Config, user string) crclient.Client {
	t.Helper()
	cfg = rest.CopyConfig(cfg)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: user}
	c, err := kubeclient.NewClient(cfg)
	require.NoError(t, err)
	return c
}
