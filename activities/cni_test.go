package activities

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"
	"sigs.k8s.io/yaml"

	"github.com/openova-io/core/dev/testenv/k3s/players"
	"github.com/openova-io/core/dev/testenv/kubeenv"
)

func TestCNIProgress(t *testing.T) {
	want := []string{"acme-fsn1-cp-0", "acme-fsn1-worker-0"}
	node := func(name string, ready corev1.ConditionStatus) corev1.Node {
		return corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name},
			Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: ready}}}}
	}
	agents := func(desired, updated, ready int32) *appsv1.DaemonSet {
		return &appsv1.DaemonSet{Status: appsv1.DaemonSetStatus{DesiredNumberScheduled: desired, UpdatedNumberScheduled: updated, NumberReady: ready}}
	}
	operator := &appsv1.Deployment{Status: appsv1.DeploymentStatus{AvailableReplicas: 1}}
	bothReady := []corev1.Node{node(want[0], corev1.ConditionTrue), node(want[1], corev1.ConditionTrue)}
	for _, tc := range []struct {
		name    string
		seen    cniSeen
		res     CNIResult
		waiting string
	}{
		{"nothing yet", cniSeen{}, CNIResult{},
			"0 of 2 nodes Ready (not yet: acme-fsn1-cp-0, acme-fsn1-worker-0); the Cilium agents (DaemonSet kube-system/cilium not created yet: k3s's Helm controller installs it); the Cilium operator (Deployment kube-system/cilium-operator not created yet)"},
		{"a worker not joined, its agent not scheduled", cniSeen{Nodes: bothReady[:1], Agents: agents(1, 1, 1), Operator: operator}, CNIResult{NodesReady: 1, AgentsReady: 1},
			"1 of 2 nodes Ready (not yet: acme-fsn1-worker-0); Cilium agents: 1 of 2 ready"},
		{"a node NotReady", cniSeen{Nodes: []corev1.Node{bothReady[0], node(want[1], corev1.ConditionFalse)}, Agents: agents(2, 2, 2), Operator: operator}, CNIResult{NodesReady: 1, AgentsReady: 2},
			"1 of 2 nodes Ready (not yet: acme-fsn1-worker-0)"},
		{"an agent of the old spec", cniSeen{Nodes: bothReady, Agents: agents(2, 1, 2), Operator: operator}, CNIResult{NodesReady: 2, AgentsReady: 2},
			"Cilium agents: 2 of 2 ready"},
		{"the operator unavailable", cniSeen{Nodes: bothReady, Agents: agents(2, 2, 2), Operator: &appsv1.Deployment{}}, CNIResult{NodesReady: 2, AgentsReady: 2},
			"the Cilium operator to be available"},
		{"an unexpected node does not count", cniSeen{Nodes: append(bothReady[:1:1], node("other", corev1.ConditionTrue)), Agents: agents(2, 2, 2), Operator: operator}, CNIResult{NodesReady: 1, AgentsReady: 2},
			"1 of 2 nodes Ready (not yet: acme-fsn1-worker-0)"},
		{"ready", cniSeen{Nodes: bothReady, Agents: agents(2, 2, 2), Operator: operator}, CNIResult{NodesReady: 2, AgentsReady: 2}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, waiting := cniProgress(tc.seen, want)
			require.Equal(t, tc.res, res)
			require.Equal(t, tc.waiting, waiting)
		})
	}
}

// ciliumPolicyCRD is the CiliumClusterwideNetworkPolicy CRD of the
// catalog's newest Cilium, from the cilium module of that version
// (dev/dev.sh assets links it): on a cluster, Cilium's operator creates it.
func ciliumPolicyCRD(t *testing.T) *apiextv1.CustomResourceDefinition {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(players.CiliumCRDDir(t), "ciliumclusterwidenetworkpolicies.yaml"))
	require.NoError(t, err)
	var crd apiextv1.CustomResourceDefinition
	require.NoError(t, yaml.Unmarshal(b, &crd))
	return &crd
}

// A new cluster's CNI on an API server that stands in for k3s, the test
// playing what k3s's Helm controller, Cilium and the kubelets would do
// (players.PlayCilium: no pod runs on envtest): WaitCNI waits for every node and Cilium, and
// says what it still waits for when its deadline passes; the metadata
// policy is applied through the real CRD of the catalog's Cilium, twice
// without a change, and is refused (and taken out) by a Cilium whose CRD
// would drop enableDefaultDeny.
func TestCNIAndMetadataPolicy_EnvtestPlaysK3sAndCilium(t *testing.T) {
	crd := ciliumPolicyCRD(t)
	env := kubeenv.Start(t, crd)
	kubeconfig, err := os.ReadFile(env.Kubeconfig)
	require.NoError(t, err)
	ctx := context.Background()
	nodes := []string{"acme-fsn1-cp-0", "acme-fsn1-worker-0"}

	var ts testsuite.WorkflowTestSuite
	aenv := ts.NewTestActivityEnvironment()
	c := &Clusters{}
	aenv.RegisterActivity(c)

	t.Run("the deadline passes and says what is missing", func(t *testing.T) {
		_, err := aenv.ExecuteActivity(c.WaitCNI, CNIInput{Cluster: "acme-fsn1", Kubeconfig: kubeconfig, Nodes: nodes, Deadline: time.Now().Add(-time.Second)})
		var appErr *temporal.ApplicationError
		require.ErrorAs(t, err, &appErr)
		require.Equal(t, ErrCNINotReady, appErr.Type())
		require.True(t, appErr.NonRetryable())
		require.Contains(t, appErr.Error(), "0 of 2 nodes Ready (not yet: acme-fsn1-cp-0, acme-fsn1-worker-0)")
		require.Contains(t, appErr.Error(), "DaemonSet kube-system/cilium not created yet")
	})

	t.Run("ready once every node and Cilium are", func(t *testing.T) {
		require.Equal(t, []string{ciliumNamespace, ciliumAgents, ciliumOperator},
			[]string{players.CiliumNamespace, players.CiliumAgents, players.CiliumOperator}, "the player plays what WaitCNI reads")
		players.PlayCilium(t, env.Config, nodes)
		v, err := aenv.ExecuteActivity(c.WaitCNI, CNIInput{Cluster: "acme-fsn1", Kubeconfig: kubeconfig, Nodes: nodes, Deadline: time.Now().Add(5 * time.Minute)})
		require.NoError(t, err)
		var res CNIResult
		require.NoError(t, v.Get(&res))
		require.Equal(t, CNIResult{NodesReady: 2, AgentsReady: 2}, res)
	})

	dc, err := dynamic.NewForConfig(env.Config)
	require.NoError(t, err)
	policies := dc.Resource(ciliumPolicyGVR)
	t.Run("the metadata service is closed to every pod, and only it", func(t *testing.T) {
		var rv string
		for range 2 {
			_, err := aenv.ExecuteActivity(c.BlockCloudMetadata, MetadataPolicyInput{Cluster: "acme-fsn1", Kubeconfig: kubeconfig})
			require.NoError(t, err)
			got, err := policies.Get(ctx, MetadataPolicyName, metav1.GetOptions{})
			require.NoError(t, err)
			if rv != "" {
				require.Equal(t, rv, got.GetResourceVersion(), "a second run changes nothing")
			}
			rv = got.GetResourceVersion()
			spec, _, _ := unstructured.NestedMap(got.Object, "spec")
			require.Equal(t, map[string]any{}, spec["endpointSelector"], "every pod")
			require.Equal(t, map[string]any{"egress": false, "ingress": false}, spec["enableDefaultDeny"], "nothing else is denied")
			require.Equal(t, []any{map[string]any{"toCIDR": []any{"169.254.169.254/32"}}}, spec["egressDeny"])
		}
	})

	t.Run("a Cilium that drops enableDefaultDeny is refused", func(t *testing.T) {
		ext, err := apiextclient.NewForConfig(env.Config)
		require.NoError(t, err)
		old, err := ext.ApiextensionsV1().CustomResourceDefinitions().Get(ctx, crd.Name, metav1.GetOptions{})
		require.NoError(t, err)
		for i := range old.Spec.Versions {
			delete(old.Spec.Versions[i].Schema.OpenAPIV3Schema.Properties["spec"].Properties, "enableDefaultDeny")
		}
		_, err = ext.ApiextensionsV1().CustomResourceDefinitions().Update(ctx, old, metav1.UpdateOptions{})
		require.NoError(t, err)
		require.NoError(t, policies.Delete(ctx, MetadataPolicyName, metav1.DeleteOptions{}))
		// The API server prunes by the new schema once it serves it.
		require.EventuallyWithT(t, func(ct *assert.CollectT) {
			probe := metadataPolicy()
			probe.SetName("probe")
			got, err := policies.Create(ctx, probe, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
			require.NoError(ct, err)
			_, found, _ := unstructured.NestedMap(got.Object, "spec", "enableDefaultDeny")
			require.False(ct, found)
		}, time.Minute, 100*time.Millisecond)

		_, err = aenv.ExecuteActivity(c.BlockCloudMetadata, MetadataPolicyInput{Cluster: "acme-fsn1", Kubeconfig: kubeconfig})
		var appErr *temporal.ApplicationError
		require.ErrorAs(t, err, &appErr)
		require.Equal(t, ErrCNIPolicyUnsupported, appErr.Type())
		require.Contains(t, appErr.Error(), "choose a newer Cilium in the catalog")
		_, err = policies.Get(ctx, MetadataPolicyName, metav1.GetOptions{})
		require.True(t, apierrors.IsNotFound(err), "the policy that would deny all egress is taken out: %v", err)
	})
}
