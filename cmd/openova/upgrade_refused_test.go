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
// manager: MongoDB v8.0.3 is forward-only, so without confirmForwardOnly
// the platform stalls saying so; confirmed, the upgrade takes the
// catalog's backup first (a Job; the test plays the Job controller) and
// then rolls out. Going back to v7.0.14 is refused as a downgrade.
func TestUpgradeRefusals_TestPlaysCrossplaneAndJobController(t *testing.T) {
	t.Parallel() // its own processes, ports, data dir and namespace
	e := startManagerEnv(t, 200*time.Millisecond)
	e.createPlatform(t, "acme", v1alpha1.PlatformSpec{Components: []v1alpha1.ComponentRef{{Name: "mongodb", Version: "v7.0.14"}}})
	e.waitCondition(t, "acme", v1alpha1.ConditionReady, metav1.ConditionTrue, 2*time.Minute)
	mongodb := func(change func(*v1alpha1.ComponentRef)) {
		e.update(t, "acme", func(p *v1alpha1.Platform) {
			for i := range p.Spec.Components {
				if p.Spec.Components[i].Name == "mongodb" {
					change(&p.Spec.Components[i])
				}
			}
		})
	}

	mongodb(func(r *v1alpha1.ComponentRef) { r.Version = "v8.0.3" })
	stalled := e.waitCondition(t, "acme", v1alpha1.ConditionStalled, metav1.ConditionTrue, time.Minute)
	require.Contains(t, stalled.Message, "mongodb: v8.0.3 migrates data and cannot be rolled back: confirm the upgrade (its backup step runs first)")
	require.Equal(t, "v7.0.14", e.components(t)["mongodb"].Status.InstalledVersion)

	backup := activities.BackupName("mongodb", "v8.0.3")
	go e.playJob(t, backup)
	mongodb(func(r *v1alpha1.ComponentRef) { r.ConfirmForwardOnly = true })
	e.waitCondition(t, "acme", v1alpha1.ConditionReady, metav1.ConditionTrue, 2*time.Minute)
	require.Equal(t, "v8.0.3", e.components(t)["mongodb"].Status.InstalledVersion)
	acts := e.activities(t, workflows.UpgradeID("acme", "mongodb", "v8.0.3"))
	require.Equal(t, 1, acts["RunBackup"], "one backup: %v", acts)

	mongodb(func(r *v1alpha1.ComponentRef) { r.Version = "v7.0.14" })
	stalled = e.waitCondition(t, "acme", v1alpha1.ConditionStalled, metav1.ConditionTrue, time.Minute)
	require.Contains(t, stalled.Message, "mongodb: v7.0.14 is older than the installed v8.0.3: downgrades are refused")
	require.Equal(t, "v8.0.3", e.components(t)["mongodb"].Status.InstalledVersion)
}

// playJob marks the named Job succeeded once it exists, as the Job
// controller would when its pod exits 0.
func (e *managerEnv) playJob(t *testing.T, name string) {
	ctx := context.Background()
	for range 1200 {
		var j batchv1.Job
		if e.c.Get(ctx, crclient.ObjectKey{Namespace: e.ns, Name: name}, &j) == nil {
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
