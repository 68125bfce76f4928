package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	crclient "sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/dev/testenv"
	"github.com/openova-io/core/dev/testenv/k3s/players"
	"github.com/openova-io/core/dev/testenv/kubeenv"
	kubeclient "github.com/openova-io/core/kube"
	"github.com/openova-io/core/worker/codec"
	"github.com/openova-io/core/workflows"
)

// managerEnv is a real API server (with the CRDs and the composite
// resource CRD), a running `openova manager` and a player for Crossplane.
type managerEnv struct {
	kube    *kubeenv.Env
	c       crclient.Client
	proc    *proc
	tc      client.Client
	xp      *players.Releases
	ns      string
	keyFile string
	dataDir string
	args    []string
}

// kill9AndRestart kills the manager the hard way and starts it again on
// the same data dir, as a rescheduled pod on the same PVC would.
func (e *managerEnv) kill9AndRestart(t *testing.T) {
	e.proc.kill9()
	e.proc = startOpenova(t, "manager", e.dataDir, e.args...)
	e.tc = e.proc.client(t, "")
}

// recordHistory writes the workflow's history to workflows/testdata when
// the tests run with -record (see TestRecordReplayHistories).
func (e *managerEnv) recordHistory(t *testing.T, id, name string) {
	if !*record {
		return
	}
	out, err := temporalCLI(t, "workflow", "show", "-w", id, "--address", e.proc.temporalAddr, "-o", "json")
	require.NoError(t, err, out)
	require.NoError(t, os.WriteFile(filepath.Join(testenv.RepoRoot(), "workflows", "testdata", name+".json"), []byte(out), 0o644))
}

// startManagerEnv runs `openova manager` on a namespace of its own on the
// test binary's shared API server: the manager's cache, leader election,
// release watch and the Crossplane player keep to that namespace, so no
// test sees another's objects.
func startManagerEnv(t testing.TB, xpDelay time.Duration, extra ...string) *managerEnv {
	kube := kubeenv.Shared(t)
	ns := kube.Namespace
	c, err := kubeclient.NewClient(kube.Config)
	require.NoError(t, err)
	dataDir := t.TempDir()
	keyFile := filepath.Join(dataDir, "codec.key")
	if *record {
		// Recorded histories are encrypted with the test-only key the
		// replay tests hold.
		keyFile = filepath.Join(testenv.RepoRoot(), "workflows", "testdata", "codec.key")
	}
	// The tests' catalog indexes, Helm and Git servers are plain http on
	// loopback: development (extra may say --allow-http-fetch=false).
	args := []string{"--kubeconfig", kube.Kubeconfig, "--namespace", ns, "--ready-timeout", "20s", "--allow-http-fetch"}
	if *record {
		args = append(args, "--codec-key-file", keyFile)
	}
	args = append(args, extra...)
	p := startOpenova(t, "manager", dataDir, args...)
	e := &managerEnv{kube: kube, c: c, proc: p, tc: p.client(t, ""), xp: players.PlayReleases(t, c, ns, xpDelay), ns: ns,
		keyFile: keyFile, dataDir: dataDir, args: args}
	return e
}

func (e *managerEnv) createPlatform(t testing.TB, name string, spec v1alpha1.PlatformSpec) {
	if len(spec.Regions) == 0 {
		spec.Regions = []v1alpha1.Region{{Name: "eu-central", Role: "primary"}}
	}
	if spec.Organization.Name == "" {
		spec.Organization = v1alpha1.Organization{Name: name, Domain: name + ".io"}
	}
	require.NoError(t, e.c.Create(context.Background(), &v1alpha1.Platform{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: e.ns}, Spec: spec,
	}))
}

// update changes the platform the way `kubectl edit` does: read, modify, update.
// A conflict (the manager wrote the status meanwhile) reads and tries again.
func (e *managerEnv) update(t *testing.T, name string, change func(*v1alpha1.Platform)) {
	t.Helper()
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		var p v1alpha1.Platform
		require.NoError(ct, e.c.Get(context.Background(), crclient.ObjectKey{Namespace: e.ns, Name: name}, &p))
		change(&p)
		assert.NoError(ct, e.c.Update(context.Background(), &p))
	}, 10*time.Second, 50*time.Millisecond, "update platform %s", name)
}

// platform reads the platform; t may be a CollectT (in EventuallyWithT).
func (e *managerEnv) platform(t require.TestingT, name string) v1alpha1.Platform {
	var p v1alpha1.Platform
	require.NoError(t, e.c.Get(context.Background(), crclient.ObjectKey{Namespace: e.ns, Name: name}, &p))
	return p
}

// waitCondition waits until the platform's condition has the status for
// its current generation, and returns that condition.
func (e *managerEnv) waitCondition(t testing.TB, name, typ string, status metav1.ConditionStatus, timeout time.Duration) metav1.Condition {
	t.Helper()
	var last string
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		p := e.platform(t, name)
		c := meta.FindStatusCondition(p.Status.Conditions, typ)
		if c != nil && c.Status == status && c.ObservedGeneration == p.Generation {
			return *c
		}
		last = fmt.Sprintf("%+v", p.Status)
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("platform %s: %s never became %s within %s; last status %s\nworkflows:\n%s\nmanager log:\n%s", name, typ, status, timeout, last, e.running(t), e.proc.log())
	return metav1.Condition{}
}

// components lists the platform's Component resources by name; t may be a
// CollectT (in EventuallyWithT).
func (e *managerEnv) components(t require.TestingT) map[string]v1alpha1.Component {
	var list v1alpha1.ComponentList
	require.NoError(t, e.c.List(context.Background(), &list, crclient.InNamespace(e.ns)))
	out := map[string]v1alpha1.Component{}
	for _, c := range list.Items {
		out[c.Name] = c
	}
	return out
}

// assertHealthyAt checks that the component is Healthy at version; t is
// usually the CollectT of an EventuallyWithT.
func assertHealthyAt(t assert.TestingT, comps map[string]v1alpha1.Component, name, version string) {
	c := comps[name]
	assert.Equal(t, version, c.Status.InstalledVersion, "%s's installed version", name)
	assert.Equal(t, v1alpha1.HealthHealthy, c.Status.Health, "%s's health", name)
}

// assertRolledBack checks the component's RolledBack condition.
func assertRolledBack(t assert.TestingT, comps map[string]v1alpha1.Component, name string, want bool) {
	assert.Equal(t, want, meta.IsStatusConditionTrue(comps[name].Status.Conditions, v1alpha1.ConditionRolledBack), "%s's RolledBack", name)
}

// executions counts the workflow runs with this ID, closed or running.
func (e *managerEnv) executions(t *testing.T, id string) int {
	resp, err := e.tc.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{
		Query: fmt.Sprintf("WorkflowId = '%s'", id),
	})
	require.NoError(t, err)
	return len(resp.Executions)
}

// childSpans reads an install's history: for each child workflow, the
// index of the event where the parent started it (initiated: in the
// workflow task that asked for it, whenever the server gets to it) and of
// its completed event.
func (e *managerEnv) childSpans(t *testing.T, id string) map[string][2]int {
	it := e.tc.GetWorkflowHistory(context.Background(), id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	spans := map[string][2]int{}
	for i := 0; it.HasNext(); i++ {
		ev, err := it.Next()
		require.NoError(t, err)
		switch ev.GetEventType() {
		case enumspb.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
			spans[ev.GetStartChildWorkflowExecutionInitiatedEventAttributes().GetWorkflowId()] = [2]int{i, -1}
		case enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED:
			id := ev.GetChildWorkflowExecutionCompletedEventAttributes().GetWorkflowExecution().GetWorkflowId()
			s := spans[id]
			s[1] = i
			spans[id] = s
		}
	}
	return spans
}

// requireLayered checks that the install released the plan's layers in
// order, each layer's components in parallel: every child of a layer
// started before any of them finished, and after all of the layer before.
func requireLayered(t *testing.T, spans map[string][2]int, platform string, plan catalog.Plan) {
	prevDone := -1
	for _, layer := range plan.ToInstall() {
		firstDone, lastStart, lastDone := 1<<30, -1, -1
		for _, st := range layer {
			s, ok := spans["release/"+platform+"/"+st.Name]
			require.True(t, ok, "no release of %s in the history", st.Name)
			require.Greater(t, s[0], prevDone, "%s started before the layer it depends on finished", st.Name)
			require.GreaterOrEqual(t, s[1], 0, "%s never completed", st.Name)
			firstDone, lastStart, lastDone = min(firstDone, s[1]), max(lastStart, s[0]), max(lastDone, s[1])
		}
		if len(layer) > 1 {
			require.Less(t, lastStart, firstDone, "layer %v was not released in parallel", layer)
		}
		prevDone = lastDone
	}
}

// startedInput decodes the input of the workflow's latest run, with the
// data dir's codec key, as an operator holding the key would.
func startedInput(t *testing.T, e *managerEnv, id string, v any) {
	it := e.tc.GetWorkflowHistory(context.Background(), id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	require.True(t, it.HasNext())
	ev, err := it.Next()
	require.NoError(t, err)
	payloads := ev.GetWorkflowExecutionStartedEventAttributes().GetInput().GetPayloads()
	require.Len(t, payloads, 1)
	keys, err := codec.LoadKeyFile(e.keyFile)
	require.NoError(t, err)
	require.NoError(t, codec.New(keys).DataConverter().FromPayload(payloads[0], v))
}

func startOptions(id string) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{ID: id, TaskQueue: workflows.TaskQueueManager}
}

// running describes the running workflows and their pending activities,
// for failure messages.
func (e *managerEnv) running(t testing.TB) string {
	var b strings.Builder
	resp, err := e.tc.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{Query: "ExecutionStatus = 'Running'"})
	if err != nil {
		return fmt.Sprintf("list running workflows: %v", err)
	}
	for _, x := range resp.GetExecutions() {
		id := x.GetExecution().GetWorkflowId()
		d, err := e.tc.DescribeWorkflowExecution(context.Background(), id, "")
		if err != nil {
			fmt.Fprintf(&b, "describe %s: %v\n", id, err)
			continue
		}
		fmt.Fprintf(&b, "running %s: pending activities %v, pending children %v, workflow task %v\n", id,
			d.GetPendingActivities(), d.GetPendingChildren(), d.GetPendingWorkflowTask())
	}
	return b.String()
}

// serveIndex serves a remote catalog index on loopback for the test and
// returns its URL.
func serveIndex(t testing.TB, index []byte) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(index) }))
	t.Cleanup(srv.Close)
	return srv.URL + "/index.yaml"
}
