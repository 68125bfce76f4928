package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/openova-io/core/controllers"
	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/workflows"
)

// kitHelmIndex is the chart repository of the test's "kit" component: the
// two catalog releases and a newer chart the catalog does not list yet.
const kitHelmIndex = `apiVersion: v1
entries:
  kit:
    - {version: 1.2.0, appVersion: 1.2.0, created: "2025-03-01T10:00:00Z"}
    - {version: 1.1.0, appVersion: 1.1.0, created: "2025-02-01T10:00:00Z"}
    - {version: 1.0.0, appVersion: 1.0.0, created: "2025-01-01T10:00:00Z"}
`

// helmRepository plays a chart repository on loopback whose answer the
// test changes.
type helmRepository struct {
	URL    string
	mu     sync.Mutex
	status int
	body   string
}

func newHelmRepository(t *testing.T) *helmRepository {
	h := &helmRepository{status: http.StatusOK, body: kitHelmIndex}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h.mu.Lock()
		defer h.mu.Unlock()
		w.WriteHeader(h.status)
		_, _ = w.Write([]byte(h.body))
	}))
	t.Cleanup(srv.Close)
	h.URL = srv.URL
	return h
}

func (h *helmRepository) answer(status int, body string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.status, h.body = status, body
}

// The platform's CheckUpdates Schedule, through the real manager: created
// with the platform (every 6 h by default) and run at once, it shows the
// catalog's newer release with its changelog and the Helm repository's
// unlisted chart on the Component, and "1 upgrade available" on the
// Platform. A repository that answers 503, then garbage, keeps the last
// known versions and says why. An upgrade shrinks the list; the unlisted
// chart is then refused as a target until its risk is confirmed, and
// installed after; deleting the platform deletes its schedule.
func TestCheckUpdatesSchedule_TestPlaysCrossplaneAndHelmRepository(t *testing.T) {
	t.Parallel() // its own processes, ports, data dir and namespace
	repo := newHelmRepository(t)
	index := []byte("apiVersion: catalog.openova.io/v1\ncomponents:\n" +
		"  - name: kit\n    title: Kit\n    description: a component of the test's index\n    category: a-la-carte\n" +
		"    chart: {name: kit, repository: \"" + repo.URL + "\"}\n    versions:\n" +
		"      - {version: v1.0.0, released: 2025-01-01, changelog: first}\n" +
		"      - {version: v1.1.0, released: 2025-02-01, changelog: \"## Kit v1.1.0\\n- faster\"}\n")
	indexURL := serveIndex(t, index)
	e := startManagerEnv(t, 200*time.Millisecond)
	e.createPlatform(t, "acme", v1alpha1.PlatformSpec{CatalogIndexURL: indexURL, CheckUpstreamCharts: true,
		Components: []v1alpha1.ComponentRef{{Name: "kit", Version: "v1.0.0"}}})
	e.waitCondition(t, "acme", v1alpha1.ConditionReady, metav1.ConditionTrue, 2*time.Minute)

	sched := e.tc.ScheduleClient().GetHandle(context.Background(), workflows.CheckUpdatesID("acme"))
	var desc *client.ScheduleDescription
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		var err error
		desc, err = sched.Describe(context.Background())
		assert.NoError(ct, err)
	}, 30*time.Second, 100*time.Millisecond, "no schedule %s", workflows.CheckUpdatesID("acme"))
	require.Equal(t, []client.ScheduleIntervalSpec{{Every: controllers.DefaultCheckEvery}}, desc.Schedule.Spec.Intervals)

	checked := func(status metav1.ConditionStatus, msg string) v1alpha1.Component {
		t.Helper()
		var c v1alpha1.Component
		require.EventuallyWithT(t, func(ct *assert.CollectT) {
			c = e.components(ct)["kit"]
			cond := meta.FindStatusCondition(c.Status.Conditions, v1alpha1.ConditionUpdatesChecked)
			require.NotNil(ct, cond, "kit has no UpdatesChecked condition")
			assert.Equal(ct, status, cond.Status)
			assert.Contains(ct, cond.Message, msg)
		}, time.Minute, 100*time.Millisecond, "kit never showed UpdatesChecked=%s %q; running: %s", status, msg, e.running(t))
		return c
	}
	c := checked(metav1.ConditionTrue, "2 newer versions")
	require.Equal(t, []string{"v1.1.0", "v1.2.0"}, versionsOf(c))
	require.Equal(t, "## Kit v1.1.0\n- faster", c.Status.AvailableVersions[0].Changelog)
	require.Equal(t, v1alpha1.SourceCatalog, c.Status.AvailableVersions[0].Source)
	require.Equal(t, v1alpha1.SourceHelmRepository, c.Status.AvailableVersions[1].Source)
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		assert.Equal(ct, int32(1), e.platform(ct, "acme").Status.UpgradesAvailable)
	}, 30*time.Second, 100*time.Millisecond, "the platform does not count 1 upgrade available")

	repo.answer(http.StatusServiceUnavailable, "maintenance")
	require.NoError(t, sched.Trigger(context.Background(), client.ScheduleTriggerOptions{}))
	c = checked(metav1.ConditionFalse, "HTTP 503")
	require.Equal(t, []string{"v1.1.0", "v1.2.0"}, versionsOf(c), "the last known versions are kept")

	repo.answer(http.StatusOK, "{{{ not an index")
	require.NoError(t, sched.Trigger(context.Background(), client.ScheduleTriggerOptions{}))
	c = checked(metav1.ConditionFalse, "not valid YAML")
	require.Equal(t, []string{"v1.1.0", "v1.2.0"}, versionsOf(c), "the last known versions are kept")
	e.recordHistory(t, e.lastRun(t, workflows.CheckUpdatesWorkflow), "checkupdates-v1-indexdown")

	e.update(t, "acme", func(p *v1alpha1.Platform) { p.Spec.Components[0].Version = "v1.1.0" })
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		c := e.components(ct)["kit"]
		assert.Equal(ct, "v1.1.0", c.Status.InstalledVersion)
		assert.Equal(ct, []string{"v1.2.0"}, versionsOf(c))
	}, time.Minute, 100*time.Millisecond, "after the upgrade only v1.2.0 should be newer")
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		assert.Zero(ct, e.platform(ct, "acme").Status.UpgradesAvailable)
	}, 30*time.Second, 100*time.Millisecond, "a chart the catalog does not list is no upgrade")

	// The unlisted chart may still be asked for, at the operator's risk:
	// the platform stalls naming it until confirmUpstream accepts it, and
	// the upgrade then installs the chart version the check read.
	e.update(t, "acme", func(p *v1alpha1.Platform) { p.Spec.Components[0].Version = "v1.2.0" })
	stalled := e.waitCondition(t, "acme", v1alpha1.ConditionStalled, metav1.ConditionTrue, time.Minute)
	require.Contains(t, stalled.Message, "kit: v1.2.0: it is upstream's release, not in the catalog: openova has not checked its images")
	require.Equal(t, "v1.1.0", e.components(t)["kit"].Status.InstalledVersion)
	e.update(t, "acme", func(p *v1alpha1.Platform) { p.Spec.Components[0].ConfirmUpstream = true })
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		c := e.components(ct)["kit"]
		assert.Equal(ct, "v1.2.0", c.Status.InstalledVersion)
		assert.Equal(ct, "1.2.0", c.Spec.ChartVersion, "the chart version the update check read")
	}, 2*time.Minute, 100*time.Millisecond, "kit never reached the upstream v1.2.0; running: %s", e.running(t))

	require.NoError(t, e.c.Delete(context.Background(), &v1alpha1.Platform{ObjectMeta: metav1.ObjectMeta{Name: "acme", Namespace: e.ns}}))
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		_, err := sched.Describe(context.Background())
		assert.Error(ct, err, "the schedule is still there")
	}, 30*time.Second, 100*time.Millisecond, "the schedule outlived its platform")
}

func versionsOf(c v1alpha1.Component) []string {
	var out []string
	for _, v := range c.Status.AvailableVersions {
		out = append(out, v.Version)
	}
	return out
}

// lastRun is the ID of the newest closed run of a workflow type (schedules
// add a timestamp to the IDs of the runs they start).
func (e *managerEnv) lastRun(t *testing.T, workflowType string) string {
	resp, err := e.tc.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{
		Query: "WorkflowType = '" + workflowType + "' AND ExecutionStatus = 'Completed'",
	})
	require.NoError(t, err)
	require.NotEmpty(t, resp.Executions)
	return resp.Executions[0].GetExecution().GetWorkflowId()
}
