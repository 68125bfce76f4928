package main

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	crclient "sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/workflows"
)

// Version bumps in the Platform that the catalog refuses, through the real
// manager: Redpanda v26.2.1 is forward-only, so without confirmForwardOnly
// the platform stalls saying so; confirmed, the upgrade takes the
// catalog's backup first (a Job; the test plays the Job controller) and
// then rolls out. Going back to v26.1.14 is refused as a downgrade.
func TestUpgradeRefusals_TestPlaysCrossplaneAndJobController(t *testing.T) {
	t.Parallel() // its own processes, ports, data dir and namespace
	e := startManagerEnv(t, 200*time.Millisecond)
	e.createPlatform(t, "acme", v1alpha1.PlatformSpec{Components: []v1alpha1.ComponentRef{{Name: "redpanda", Version: "v26.1.14"}}})
	e.waitCondition(t, "acme", v1alpha1.ConditionReady, metav1.ConditionTrue, 2*time.Minute)
	redpanda := func(change func(*v1alpha1.ComponentRef)) {
		e.update(t, "acme", func(p *v1alpha1.Platform) {
			for i := range p.Spec.Components {
				if p.Spec.Components[i].Name == "redpanda" {
					change(&p.Spec.Components[i])
				}
			}
		})
	}

	redpanda(func(r *v1alpha1.ComponentRef) { r.Version = "v26.2.1" })
	stalled := e.waitCondition(t, "acme", v1alpha1.ConditionStalled, metav1.ConditionTrue, time.Minute)
	require.Contains(t, stalled.Message, "redpanda: v26.2.1 migrates data and cannot be rolled back: confirm the upgrade (its backup step runs first)")
	require.Equal(t, "v26.1.14", e.components(t)["redpanda"].Status.InstalledVersion)

	backup := activities.BackupName("redpanda", "v26.2.1")
	go e.playJob(t, backup)
	redpanda(func(r *v1alpha1.ComponentRef) { r.ConfirmForwardOnly = true })
	e.waitCondition(t, "acme", v1alpha1.ConditionReady, metav1.ConditionTrue, 2*time.Minute)
	require.Equal(t, "v26.2.1", e.components(t)["redpanda"].Status.InstalledVersion)
	acts := e.activities(t, workflows.UpgradeID("acme", "redpanda", "v26.2.1"))
	require.Equal(t, 1, acts["RunBackup"], "one backup: %v", acts)

	redpanda(func(r *v1alpha1.ComponentRef) { r.Version = "v26.1.14" })
	stalled = e.waitCondition(t, "acme", v1alpha1.ConditionStalled, metav1.ConditionTrue, time.Minute)
	require.Contains(t, stalled.Message, "redpanda: v26.1.14 is older than the installed v26.2.1: downgrades are refused")
	require.Equal(t, "v26.2.1", e.components(t)["redpanda"].Status.InstalledVersion)
}

// playJob marks the named Job of the platform's namespace succeeded once
// it exists, as the Job controller would when its pod exits 0.
func (e *managerEnv) playJob(t *testing.T, name string) { e.playJobIn(t, e.ns, name) }

// playJobIn is playJob for a Job of another namespace (a backup the
// catalog runs next to its component's data).
func (e *managerEnv) playJobIn(t *testing.T, ns, name string) {
	ctx := context.Background()
	for range 1200 {
		var j batchv1.Job
		if e.c.Get(ctx, crclient.ObjectKey{Namespace: ns, Name: name}, &j) == nil {
			now := metav1.Now()
			j.Status = batchv1.JobStatus{Succeeded: 1, StartTime: &now, CompletionTime: &now, Conditions: []batchv1.JobCondition{
				{Type: batchv1.JobSuccessCriteriaMet, Status: corev1.ConditionTrue, LastTransitionTime: now},
				{Type: batchv1.JobComplete, Status: corev1.ConditionTrue, LastTransitionTime: now}}}
			if e.c.Status().Update(ctx, &j) == nil {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
}
