package activities

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/openova-io/core/secret"
)

// Where k3s's Helm controller installs Cilium (the contract module's
// HelmChart), and the objects its chart creates.
const (
	ciliumNamespace = "kube-system"
	ciliumAgents    = "cilium"          // DaemonSet: one agent per node
	ciliumOperator  = "cilium-operator" // Deployment: creates Cilium's CRDs
)

// CNIInput names a new cluster, the admin kubeconfig that reached it, every
// node its module created, and the absolute deadline of the wait.
type CNIInput struct {
	Cluster    string
	Kubeconfig secret.Bytes
	Nodes      []string
	Deadline   time.Time
}

// CNIResult is what the wait saw last.
type CNIResult struct {
	NodesReady  int
	AgentsReady int
}

// WaitCNI waits until Cilium runs on every node and every node is Ready (a
// k3s node without a CNI stays NotReady), heartbeating what it still waits
// for: k3s's Helm controller installs Cilium minutes after the first
// server boots, and workers join later still.
func (c *Clusters) WaitCNI(ctx context.Context, in CNIInput) (CNIResult, error) {
	cfg, err := restConfig(in.Cluster, in.Kubeconfig)
	if err != nil {
		return CNIResult{}, err
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return CNIResult{}, fmt.Errorf("client for %s: %w", in.Cluster, err)
	}
	for {
		seen, err := readCNI(ctx, cs)
		var res CNIResult
		waiting := ""
		if err != nil {
			waiting = err.Error()
		} else {
			res, waiting = cniProgress(seen, in.Nodes)
			if waiting == "" {
				return res, nil
			}
		}
		activity.RecordHeartbeat(ctx, waiting)
		if !time.Now().Before(in.Deadline) {
			return res, temporal.NewNonRetryableApplicationError(fmt.Sprintf(
				"Cilium was not running on every node of %s by %s (still waiting for %s): look at the HelmChart kube-system/cilium and the pods in kube-system, then Retry",
				in.Cluster, in.Deadline.UTC().Format(time.RFC3339), waiting), ErrCNINotReady, nil)
		}
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-time.After(2 * time.Second):
		}
	}
}

// cniSeen is what the API server showed of the nodes and Cilium.
type cniSeen struct {
	Nodes    []corev1.Node
	Agents   *appsv1.DaemonSet  // nil: not there yet
	Operator *appsv1.Deployment // nil: not there yet
}

func readCNI(ctx context.Context, cs kubernetes.Interface) (cniSeen, error) {
	var seen cniSeen
	nodes, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return seen, fmt.Errorf("list nodes: %w", err)
	}
	seen.Nodes = nodes.Items
	ds, err := cs.AppsV1().DaemonSets(ciliumNamespace).Get(ctx, ciliumAgents, metav1.GetOptions{})
	switch {
	case err == nil:
		seen.Agents = ds
	case !apierrors.IsNotFound(err):
		return seen, fmt.Errorf("read DaemonSet %s/%s: %w", ciliumNamespace, ciliumAgents, err)
	}
	op, err := cs.AppsV1().Deployments(ciliumNamespace).Get(ctx, ciliumOperator, metav1.GetOptions{})
	switch {
	case err == nil:
		seen.Operator = op
	case !apierrors.IsNotFound(err):
		return seen, fmt.Errorf("read Deployment %s/%s: %w", ciliumNamespace, ciliumOperator, err)
	}
	return seen, nil
}

// cniProgress says what is ready and, while anything is not, what the wait
// is for (empty when done): every expected node registered and Ready,
// Cilium's agents up to date and ready on all of them, its operator
// available.
func cniProgress(seen cniSeen, want []string) (CNIResult, string) {
	var res CNIResult
	var missing []string
	ready := map[string]bool{}
	for _, n := range seen.Nodes {
		for _, c := range n.Status.Conditions {
			if c.Type == corev1.NodeReady && c.Status == corev1.ConditionTrue {
				ready[n.Name] = true
			}
		}
	}
	for _, name := range want {
		if ready[name] {
			res.NodesReady++
		} else {
			missing = append(missing, name)
		}
	}
	var waiting []string
	if len(missing) > 0 {
		slices.Sort(missing)
		waiting = append(waiting, fmt.Sprintf("%d of %d nodes Ready (not yet: %s)", res.NodesReady, len(want), strings.Join(missing, ", ")))
	}
	switch ds := seen.Agents; {
	case ds == nil:
		waiting = append(waiting, "the Cilium agents (DaemonSet kube-system/cilium not created yet: k3s's Helm controller installs it)")
	default:
		res.AgentsReady = int(ds.Status.NumberReady)
		st := ds.Status
		if st.ObservedGeneration < ds.Generation || st.DesiredNumberScheduled < int32(len(want)) ||
			st.UpdatedNumberScheduled < st.DesiredNumberScheduled || st.NumberReady < st.DesiredNumberScheduled {
			waiting = append(waiting, fmt.Sprintf("Cilium agents: %d of %d ready", st.NumberReady, max(int(st.DesiredNumberScheduled), len(want))))
		}
	}
	switch op := seen.Operator; {
	case op == nil:
		waiting = append(waiting, "the Cilium operator (Deployment kube-system/cilium-operator not created yet)")
	case op.Status.ObservedGeneration < op.Generation || op.Status.AvailableReplicas < 1:
		waiting = append(waiting, "the Cilium operator to be available")
	}
	return res, strings.Join(waiting, "; ")
}

// restConfig reads a cluster's admin kubeconfig.
func restConfig(cluster string, kubeconfig secret.Bytes) (*rest.Config, error) {
	cfg, err := clientcmd.RESTConfigFromKubeConfig(kubeconfig)
	if err != nil {
		return nil, temporal.NewNonRetryableApplicationError("kubeconfig of "+cluster+": "+err.Error(), ErrInvalidBootstrap, nil)
	}
	cfg.Timeout = 10 * time.Second
	return cfg, nil
}

// bootstrapFieldOwner is the server-side apply field manager of what the
// bootstrap writes into a new cluster (the manager's is DefaultFieldOwner).
const bootstrapFieldOwner = "openova-bootstrap"

// The cluster-wide policy that closes the cloud's metadata service to pods.
var (
	ciliumPolicyGVR = schema.GroupVersionResource{Group: "cilium.io", Version: "v2", Resource: "ciliumclusterwidenetworkpolicies"}
	// MetadataPolicyName names the policy in the cluster.
	MetadataPolicyName = "openova-deny-cloud-metadata"
)

// cloudMetadataCIDR is the metadata service of Hetzner (and of most
// clouds): it serves every node's user data, which holds the cluster's CA
// keys and the k3s token, to anything on the node that asks.
const cloudMetadataCIDR = "169.254.169.254/32"

// MetadataPolicyInput names the cluster and the kubeconfig that reached it.
type MetadataPolicyInput struct {
	Cluster    string
	Kubeconfig secret.Bytes
}

// MetadataPolicyResult names the policy in force.
type MetadataPolicyResult struct {
	Policy string
}

// BlockCloudMetadata applies the cluster-wide Cilium policy that denies
// every pod egress to the metadata service, and nothing else: the policy
// turns default deny off, which Cilium 1.15 added, so selecting every pod
// does not cut them off the rest of the world. It reads the policy back
// and fails, with nothing left applied, where the cluster's Cilium does not
// know that field (an older one): such a policy would deny every pod all
// egress.
// Server-side apply makes a second run a no-op.
func (c *Clusters) BlockCloudMetadata(ctx context.Context, in MetadataPolicyInput) (MetadataPolicyResult, error) {
	cfg, err := restConfig(in.Cluster, in.Kubeconfig)
	if err != nil {
		return MetadataPolicyResult{}, err
	}
	dc, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return MetadataPolicyResult{}, fmt.Errorf("client for %s: %w", in.Cluster, err)
	}
	policies := dc.Resource(ciliumPolicyGVR)
	body, err := metadataPolicy().MarshalJSON()
	if err != nil {
		return MetadataPolicyResult{}, err
	}
	force := true
	got, err := policies.Patch(ctx, MetadataPolicyName, types.ApplyPatchType, body, metav1.PatchOptions{FieldManager: bootstrapFieldOwner, Force: &force})
	if meta.IsNoMatchError(err) || apierrors.IsNotFound(err) {
		// Cilium's operator creates its CRDs when it starts: retryable.
		return MetadataPolicyResult{}, fmt.Errorf("cilium's policy CRD is not in %s yet: %w", in.Cluster, err)
	}
	unsupported := temporal.NewNonRetryableApplicationError(
		"the Cilium of "+in.Cluster+" does not know enableDefaultDeny in its policies (Cilium 1.15 or newer does), so a policy for every pod would deny them all egress: choose a newer Cilium in the catalog, then Retry",
		ErrCNIPolicyUnsupported, nil)
	if err != nil && strings.Contains(err.Error(), "not declared in schema") {
		// Server-side apply refuses a field the CRD lacks: nothing applied.
		return MetadataPolicyResult{}, unsupported
	}
	if err != nil {
		return MetadataPolicyResult{}, fmt.Errorf("apply %s to %s: %w", MetadataPolicyName, in.Cluster, err)
	}
	if off, found, _ := unstructured.NestedBool(got.Object, "spec", "enableDefaultDeny", "egress"); !found || off {
		// A CRD that prunes instead of refusing (or a webhook that
		// dropped the field): take the policy out again.
		_ = policies.Delete(ctx, MetadataPolicyName, metav1.DeleteOptions{})
		return MetadataPolicyResult{}, unsupported
	}
	return MetadataPolicyResult{Policy: MetadataPolicyName}, nil
}

// metadataPolicy is the CiliumClusterwideNetworkPolicy: every pod, egress
// to the metadata address denied, default deny off in both directions.
func metadataPolicy() *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "cilium.io/v2",
		"kind":       "CiliumClusterwideNetworkPolicy",
		"metadata": map[string]any{
			"name":   MetadataPolicyName,
			"labels": map[string]any{"app.kubernetes.io/managed-by": "openova"},
		},
		"spec": map[string]any{
			"description":       "openova: pods may not reach the cloud's metadata service, which serves the nodes' user data (cluster CA keys, k3s token)",
			"endpointSelector":  map[string]any{},
			"enableDefaultDeny": map[string]any{"egress": false, "ingress": false},
			"egressDeny":        []any{map[string]any{"toCIDR": []any{cloudMetadataCIDR}}},
		},
	}}
}
