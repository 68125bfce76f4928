package players

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/dev/testenv"
)

// Where the Cilium chart runs, as activities/cni.go reads it.
const (
	CiliumNamespace = "kube-system"
	CiliumAgents    = "cilium"          // DaemonSet: one agent per node
	CiliumOperator  = "cilium-operator" // Deployment: creates Cilium's CRDs
)

// CiliumCRDDir is the folder of the Cilium CRDs of the catalog's newest
// cilium (its module's pkg/k8s/apis/cilium.io/client/crds/v2, which
// dev/dev.sh assets links as .cache/crds/cilium-<version>).
func CiliumCRDDir(t testing.TB) string {
	t.Helper()
	cilium, ok := catalog.Default().Get("cilium")
	require.True(t, ok, "the catalog has cilium")
	dir := filepath.Join(testenv.RepoRoot(), ".cache", "crds", "cilium-"+cilium.Latest().Version)
	if _, err := os.Stat(dir); err != nil {
		testenv.Missing(t, "Cilium's CRDs of the catalog's version are not linked (%v): run dev/dev.sh assets", err)
	}
	return dir
}

// PlayCilium does, at once, what the kubelets, k3s's Helm controller and
// Cilium would do on a new cluster whose CNI is Cilium: each node
// registers Ready, Cilium's CRDs are installed (its operator creates them),
// its agents' DaemonSet runs on every node and its operator's Deployment
// is available. It may be called again (more nodes, or after a restart of
// the stand-in): what exists is brought to that state.
func PlayCilium(t testing.TB, cfg *rest.Config, nodes []string) {
	t.Helper()
	dir := CiliumCRDDir(t)
	c, err := newClients(cfg)
	require.NoError(t, err)
	ctx := context.Background()
	for _, name := range nodes {
		n, err := c.cs.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			n, err = c.cs.CoreV1().Nodes().Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
		}
		require.NoError(t, err, "node %s", name)
		n.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady",
			LastHeartbeatTime: metav1.Now(), LastTransitionTime: metav1.Now()}}
		_, err = c.cs.CoreV1().Nodes().UpdateStatus(ctx, n, metav1.UpdateOptions{})
		require.NoError(t, err, "status of node %s", name)
	}
	require.NoError(t, installCRDs(cfg, dir))

	labels := map[string]string{"k8s-app": "cilium"}
	pod := corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "cilium-agent", Image: "quay.io/cilium/cilium"}}}}
	agents := c.cs.AppsV1().DaemonSets(CiliumNamespace)
	ds, err := agents.Get(ctx, CiliumAgents, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		ds, err = agents.Create(ctx, &appsv1.DaemonSet{
			ObjectMeta: metav1.ObjectMeta{Name: CiliumAgents, Namespace: CiliumNamespace},
			Spec:       appsv1.DaemonSetSpec{Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: pod},
		}, metav1.CreateOptions{})
	}
	require.NoError(t, err, "DaemonSet %s", CiliumAgents)
	n := int32(len(nodes))
	ds.Status = appsv1.DaemonSetStatus{ObservedGeneration: ds.Generation, DesiredNumberScheduled: n, CurrentNumberScheduled: n,
		UpdatedNumberScheduled: n, NumberReady: n, NumberAvailable: n}
	_, err = agents.UpdateStatus(ctx, ds, metav1.UpdateOptions{})
	require.NoError(t, err, "status of DaemonSet %s", CiliumAgents)
	require.NoError(t, c.availableDeployment(ctx, CiliumNamespace, CiliumOperator, map[string]string{"name": "cilium-operator"}))
}
