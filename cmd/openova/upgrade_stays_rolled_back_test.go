package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/workflows"
)

// A rolled-back upgrade stays rolled back, through the real manager: a
// version bump of grafana fails and is rolled back; installing another
// component afterwards (a new generation of the Platform) does not start
// grafana's upgrade again, and its rollback record stays. Retry (the
// annotation the UI's button sets) runs it once more; a failed retry is a
// rollback record of its own, and then waits again.
func TestRolledBackUpgradeStaysRolledBack_TestPlaysCrossplane(t *testing.T) {
	t.Parallel() // its own processes, ports, data dir and namespace
	e := startManagerEnv(t, 200*time.Millisecond)
	e.createPlatform(t, "acme", v1alpha1.PlatformSpec{Components: []v1alpha1.ComponentRef{{Name: "grafana", Version: "v13.1.3"}}})
	e.waitCondition(t, "acme", v1alpha1.ConditionReady, metav1.ConditionTrue, 2*time.Minute)

	target, _ := catalog.Default().Components["grafana"].Find("v13.2.0")
	e.xp.FailChart("grafana", target.HelmChartVersion(), "CrashLoopBackOff: grafana-7d9")
	upgrade := workflows.UpgradeID("acme", "grafana", "v13.2.0")
	e.update(t, "acme", func(p *v1alpha1.Platform) { p.Spec.Components[0].Version = "v13.2.0" })
	stalled := e.waitCondition(t, "acme", v1alpha1.ConditionStalled, metav1.ConditionTrue, 2*time.Minute)
	require.Contains(t, stalled.Message, "rolled back to v13.1.3")
	rolledBackAt := e.rolledBack(t, "grafana")

	// Another component changes the spec: it installs; grafana's upgrade
	// does not run again and its record stays.
	e.update(t, "acme", func(p *v1alpha1.Platform) {
		p.Spec.Components = append(p.Spec.Components, v1alpha1.ComponentRef{Name: "cert-manager"})
	})
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		assert.Equal(ct, v1alpha1.HealthHealthy, e.components(ct)["cert-manager"].Status.Health, "cert-manager's health")
	}, 2*time.Minute, 200*time.Millisecond, "cert-manager never installed")
	e.waitStalledAtGeneration(t, "acme")
	require.Equal(t, 1, e.executions(t, upgrade), "grafana's upgrade ran again on another component's change")
	require.Equal(t, rolledBackAt, e.rolledBack(t, "grafana"), "the rollback record changed")
	require.Equal(t, "v13.1.3", e.components(t)["grafana"].Status.InstalledVersion)

	// Retry runs it once more; it fails again, is rolled back again, and
	// then waits again.
	e.update(t, "acme", func(p *v1alpha1.Platform) {
		if p.Annotations == nil {
			p.Annotations = map[string]string{}
		}
		p.Annotations[v1alpha1.AnnotationRetryPrefix+"grafana"] = time.Now().UTC().Format(time.RFC3339)
	})
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		assert.Equal(ct, 2, e.executions(t, upgrade), "Retry did not run the upgrade again")
		rb, _ := v1alpha1.ParseRolledBack(e.components(ct)["grafana"].Annotations[v1alpha1.AnnotationRolledBack])
		assert.True(ct, rb.At.After(rolledBackAt), "no new rollback record")
	}, 2*time.Minute, 200*time.Millisecond, "the retry never rolled back")
	// One more change elsewhere: the spent retry does not run it again.
	e.update(t, "acme", func(p *v1alpha1.Platform) { p.Spec.Organization.Domain = "acme.example" })
	e.waitStalledAtGeneration(t, "acme")
	require.Equal(t, 2, e.executions(t, upgrade), "a spent retry ran again")
}

// waitStalledAtGeneration waits until the reconciler has judged the
// platform's current generation and still finds it Stalled.
func (e *managerEnv) waitStalledAtGeneration(t *testing.T, name string) {
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		p := e.platform(ct, name)
		c := meta.FindStatusCondition(p.Status.Conditions, v1alpha1.ConditionStalled)
		require.NotNil(ct, c)
		assert.Equal(ct, p.Generation, c.ObservedGeneration, "the reconciler has not judged the new generation")
		assert.Equal(ct, metav1.ConditionTrue, c.Status, "the rollback no longer holds the platform")
	}, 2*time.Minute, 200*time.Millisecond, "platform %s is not Stalled at its generation", name)
}

// rolledBack is the time of the component's last rollback record.
func (e *managerEnv) rolledBack(t *testing.T, name string) time.Time {
	t.Helper()
	var at time.Time
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		c := e.components(ct)[name]
		require.True(ct, meta.IsStatusConditionTrue(c.Status.Conditions, v1alpha1.ConditionRolledBack), "%s not RolledBack", name)
		rb, ok := v1alpha1.ParseRolledBack(c.Annotations[v1alpha1.AnnotationRolledBack])
		require.True(ct, ok, "no rollback record on %s", name)
		at = rb.At
	}, time.Minute, 100*time.Millisecond, "%s shows no rollback", name)
	return at
}
