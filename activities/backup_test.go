package activities

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/catalog"
)

// RunBackup against a real API server, with the test playing the Job
// controller: the seed catalog's MongoDB backup Job is created once (a
// second run finds it), and the activity returns when the Job succeeds,
// fails with BackupFailed when it fails, times out at its deadline, and
// refuses a kind the cluster does not serve.
func TestRunBackup_TestPlaysJobController(t *testing.T) {
	cl, ns := kubeClient(t)
	ctx := context.Background()
	k := &Kubernetes{Client: cl, Poll: 50 * time.Millisecond}
	v, ok := catalog.Default().Components["mongodb"].Find("v8.0.3")
	require.True(t, ok)
	require.NotNil(t, v.Backup)
	in := func(version string, deadline time.Duration) RunBackupInput {
		return RunBackupInput{Namespace: ns, Platform: "acme", Component: "mongodb", Version: version,
			Backup: *v.Backup, Deadline: time.Now().Add(deadline)}
	}
	// play sets the Job's status once it exists.
	play := func(name string, st batchv1.JobStatus) {
		go func() {
			for range 200 {
				var j batchv1.Job
				if cl.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, &j) == nil {
					now := metav1.Now()
					j.Status = st
					j.Status.StartTime = &now
					if st.Succeeded > 0 {
						j.Status.CompletionTime = &now
						j.Status.Conditions = []batchv1.JobCondition{
							{Type: batchv1.JobSuccessCriteriaMet, Status: corev1.ConditionTrue, LastTransitionTime: now},
							{Type: batchv1.JobComplete, Status: corev1.ConditionTrue, LastTransitionTime: now}}
					} else {
						j.Status.Conditions = []batchv1.JobCondition{
							{Type: batchv1.JobFailureTarget, Status: corev1.ConditionTrue, LastTransitionTime: now},
							{Type: batchv1.JobFailed, Status: corev1.ConditionTrue, LastTransitionTime: now}}
					}
					if cl.Status().Update(ctx, &j) == nil {
						return
					}
				}
				time.Sleep(50 * time.Millisecond)
			}
		}()
	}

	t.Run("done", func(t *testing.T) {
		play("mongodb-before-v8-0-3", batchv1.JobStatus{Succeeded: 1})
		res, err := run[RunBackupResult](t, k, k.RunBackup, in("v8.0.3", time.Minute))
		require.NoError(t, err)
		require.Equal(t, RunBackupResult{Kind: "Job", Name: "mongodb-before-v8-0-3"}, res)
		var j batchv1.Job
		require.NoError(t, cl.Get(ctx, client.ObjectKey{Namespace: ns, Name: res.Name}, &j))
		require.Equal(t, "mongodump", j.Spec.Template.Spec.Containers[0].Name)
		require.Equal(t, "mongodb", j.Labels[LabelComponent])
		// The dump goes to a claim the backup creates, named like it.
		require.Len(t, j.Spec.Template.Spec.Volumes, 1)
		require.Equal(t, "backup", j.Spec.Template.Spec.Volumes[0].Name)
		require.Equal(t, res.Name, j.Spec.Template.Spec.Volumes[0].PersistentVolumeClaim.ClaimName)
		var pvc corev1.PersistentVolumeClaim
		require.NoError(t, cl.Get(ctx, client.ObjectKey{Namespace: ns, Name: res.Name}, &pvc))
		require.Equal(t, "8Gi", pvc.Spec.Resources.Requests.Storage().String())
		require.Equal(t, []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}, pvc.Spec.AccessModes)
		again, err := run[RunBackupResult](t, k, k.RunBackup, in("v8.0.3", time.Minute))
		require.NoError(t, err, "a second run finds the finished backup")
		require.Equal(t, res, again)
	})
	t.Run("failed", func(t *testing.T) {
		play("mongodb-before-v8-0-4", batchv1.JobStatus{Failed: 1})
		_, err := run[RunBackupResult](t, k, k.RunBackup, in("v8.0.4", time.Minute))
		app := requireAppError(t, err, ErrBackupFailed, true)
		require.Contains(t, app.Message(), "backup Job "+ns+"/mongodb-before-v8-0-4 failed (status.failed is 1); the upgrade was not started")
	})
	t.Run("deadline", func(t *testing.T) {
		_, err := run[RunBackupResult](t, k, k.RunBackup, in("v8.0.5", 300*time.Millisecond))
		app := requireAppError(t, err, ErrBackupTimedOut, true)
		require.Contains(t, app.Message(), `not done by`)
		require.Contains(t, app.Message(), `status.succeeded is ""`)
	})
	t.Run("a kind the cluster does not serve", func(t *testing.T) {
		// A CloudNativePG Backup, on a cluster without CloudNativePG.
		cnpg := catalog.Backup{APIVersion: "postgresql.cnpg.io/v1", Kind: "Backup", Spec: map[string]any{"cluster": map[string]any{"name": "keycloak"}},
			Done: catalog.FieldMatch{Path: "status.phase", Equals: "completed"}}
		_, err := run[RunBackupResult](t, k, k.RunBackup, RunBackupInput{Namespace: ns, Component: "keycloak", Version: "v26.0.5",
			Backup: cnpg, Deadline: time.Now().Add(time.Minute)})
		app := requireAppError(t, err, ErrInvalidBackup, true)
		require.Contains(t, app.Message(), "backup Backup "+ns+"/keycloak-before-v26-0-5 cannot be created")
	})
}
