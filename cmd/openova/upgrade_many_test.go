package main

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/workflows"
)

// stackIndex: app requires base; tool stands alone; each is released at
// v1.0.0 and v1.1.0.
var stackIndex = []byte(`apiVersion: catalog.openova.io/v1
components:
  - name: base
    title: Base
    description: what app runs on
    category: a-la-carte
    chart: {name: base, repository: "oci://charts.example.com/stack"}
    versions:
      - {version: v1.0.0, released: 2025-01-01, changelog: first}
      - {version: v1.1.0, released: 2025-02-01, changelog: second}
  - name: app
    title: App
    description: runs on base
    category: a-la-carte
    chart: {name: app, repository: "oci://charts.example.com/stack"}
    requires: [{name: base}]
    versions:
      - {version: v1.0.0, released: 2025-01-01, changelog: first}
      - {version: v1.1.0, released: 2025-02-01, changelog: second}
  - name: tool
    title: Tool
    description: stands alone
    category: a-la-carte
    chart: {name: tool, repository: "oci://charts.example.com/stack"}
    versions:
      - {version: v1.0.0, released: 2025-01-01, changelog: first}
      - {version: v1.1.0, released: 2025-02-01, changelog: second}
`)

// Three version bumps in one Platform edit (as kubectl or a GitOps commit
// makes them) run as one UpgradeComponents: base before app (app requires
// it), then tool. app's rollout fails: app alone is rolled back, base stays
// upgraded, tool is not touched, and the Platform says so.
func TestUpgradeSeveralInDependencyOrder_TestPlaysCrossplane(t *testing.T) {
	t.Parallel() // its own processes, ports, data dir and namespace
	indexURL := serveIndex(t, stackIndex)
	e := startManagerEnv(t, 200*time.Millisecond, "--ready-timeout", "12s")
	e.createPlatform(t, "acme", v1alpha1.PlatformSpec{CatalogIndexURL: indexURL, Components: []v1alpha1.ComponentRef{
		{Name: "tool", Version: "v1.0.0"}, {Name: "app", Version: "v1.0.0"}, {Name: "base", Version: "v1.0.0"},
	}})
	e.waitCondition(t, "acme", v1alpha1.ConditionReady, metav1.ConditionTrue, 2*time.Minute)

	e.xp.FailChart("app", "1.1.0", "CrashLoopBackOff: app-0")
	e.update(t, "acme", func(p *v1alpha1.Platform) {
		for i := range p.Spec.Components {
			p.Spec.Components[i].Version = "v1.1.0"
		}
	})
	stalled := e.waitCondition(t, "acme", v1alpha1.ConditionStalled, metav1.ConditionTrue, 2*time.Minute)
	require.Contains(t, stalled.Message, "upgrade app v1.0.0 → v1.1.0 failed")
	require.Contains(t, stalled.Message, "not upgraded: tool")

	err := e.tc.GetWorkflow(context.Background(), workflows.UpgradesID("acme"), "").Get(context.Background(), nil)
	var app *temporal.ApplicationError
	require.True(t, errors.As(err, &app), "%v", err)
	require.Equal(t, workflows.ErrUpgradesStopped, app.Type())
	spans := e.childSpans(t, workflows.UpgradesID("acme"))
	base, appSpan := spans[workflows.UpgradeID("acme", "base", "v1.1.0")], spans[workflows.UpgradeID("acme", "app", "v1.1.0")]
	require.Less(t, base[1], appSpan[0], "app's upgrade started before base's ended: %v", spans)
	require.NotContains(t, spans, workflows.UpgradeID("acme", "tool", "v1.1.0"))

	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		c := e.components(ct)
		assert.Equal(ct, "v1.1.0", c["base"].Status.InstalledVersion, "base's installed version")
		assert.Equal(ct, "v1.0.0", c["tool"].Status.InstalledVersion, "tool's installed version")
		assertHealthyAt(ct, c, "app", "v1.0.0")
		assertRolledBack(ct, c, "app", true)
		assertRolledBack(ct, c, "base", false)
	}, time.Minute, 100*time.Millisecond, "want base v1.1.0, app rolled back to v1.0.0, tool v1.0.0")
	require.Equal(t, 1, e.executions(t, workflows.UpgradesID("acme")), "the stopped upgrade was retried for the same generation")
	e.recordHistory(t, workflows.UpgradesID("acme"), "upgradecomponents-v1-stopped")
}
