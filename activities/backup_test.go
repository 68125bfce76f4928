package activities

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/catalog"
)

// seedBackup is the newest release of a seed component, which must be
// forward-only with a Job backup: the backups tested are the ones an
// upgrade of the embedded catalog runs, not hand-made ones.
func seedBackup(t *testing.T, component string) catalog.Version {
	t.Helper()
	comp, ok := catalog.Default().Get(component)
	require.True(t, ok, component)
	v := comp.Latest()
	require.True(t, v.ForwardOnly, "%s %s is forward-only", component, v.Version)
	require.NotNil(t, v.Backup, "%s %s declares a backup", component, v.Version)
	require.Equal(t, "Job", v.Backup.Kind, "%s %s", component, v.Version)
	require.NotNil(t, v.Backup.Volume, "%s %s writes to a claim", component, v.Version)
	return v
}

// playJob plays the Job controller: once the Job ns/name exists, it sets
// the status (succeeded or failed) with the conditions the controller
// sets, which the API server requires of a finished Job.
func playJob(cl client.Client, ns, name string, st batchv1.JobStatus) {
	ctx := context.Background()
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

// claims are a pod's volumes that mount a claim, by volume name.
func claims(pod corev1.PodSpec) map[string]corev1.PersistentVolumeClaimVolumeSource {
	out := map[string]corev1.PersistentVolumeClaimVolumeSource{}
	for _, v := range pod.Volumes {
		if v.PersistentVolumeClaim != nil {
			out[v.Name] = *v.PersistentVolumeClaim
		}
	}
	return out
}

// RunBackup against a real API server, with the test playing the Job
// controller, on the seed catalog's backups: Keycloak's pg_dump Job is
// created in the platform's namespace once (a second run finds it), and
// the activity returns when the Job succeeds, fails with BackupFailed when
// it fails, times out at its deadline, and refuses a kind the cluster does
// not serve. Gitea's dump Job, whose backup names the namespace Gitea runs
// in, is created there with its claim, next to the data it mounts.
func TestRunBackup_TestPlaysJobController(t *testing.T) {
	cl, ns := kubeClient(t)
	ctx := context.Background()
	k := &Kubernetes{Client: cl, Poll: 50 * time.Millisecond}
	v := seedBackup(t, "keycloak")
	require.Empty(t, v.Backup.Namespace, "Keycloak's backup runs in the platform's namespace")
	in := func(version string, deadline time.Duration) RunBackupInput {
		return RunBackupInput{Namespace: ns, Platform: "acme", Component: "keycloak", Version: version,
			Backup: *v.Backup, Deadline: time.Now().Add(deadline)}
	}
	name := BackupName("keycloak", v.Version)
	succeeded := batchv1.JobStatus{Succeeded: 1}

	t.Run("done", func(t *testing.T) {
		playJob(cl, ns, name, succeeded)
		res, err := run[RunBackupResult](t, k, k.RunBackup, in(v.Version, time.Minute))
		require.NoError(t, err)
		require.Equal(t, RunBackupResult{Kind: "Job", Name: name}, res)
		var j batchv1.Job
		require.NoError(t, cl.Get(ctx, client.ObjectKey{Namespace: ns, Name: res.Name}, &j))
		require.Equal(t, "pg-dump", j.Spec.Template.Spec.Containers[0].Name)
		require.Equal(t, "keycloak", j.Labels[LabelComponent])
		// The dump goes to a claim the backup creates, named like it.
		require.Len(t, j.Spec.Template.Spec.Volumes, 1)
		require.Equal(t, map[string]corev1.PersistentVolumeClaimVolumeSource{"backup": {ClaimName: res.Name}}, claims(j.Spec.Template.Spec))
		var pvc corev1.PersistentVolumeClaim
		require.NoError(t, cl.Get(ctx, client.ObjectKey{Namespace: ns, Name: res.Name}, &pvc))
		require.Equal(t, v.Backup.Volume.Size, pvc.Spec.Resources.Requests.Storage().String())
		require.Equal(t, []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}, pvc.Spec.AccessModes)
		again, err := run[RunBackupResult](t, k, k.RunBackup, in(v.Version, time.Minute))
		require.NoError(t, err, "a second run finds the finished backup")
		require.Equal(t, res, again)
	})
	// Build metadata gives each case below a backup of its own ("+" becomes "-").
	t.Run("failed", func(t *testing.T) {
		playJob(cl, ns, name+"-failed", batchv1.JobStatus{Failed: 1})
		_, err := run[RunBackupResult](t, k, k.RunBackup, in(v.Version+"+failed", time.Minute))
		app := requireAppError(t, err, ErrBackupFailed, true)
		require.Contains(t, app.Message(), "backup Job "+ns+"/"+name+"-failed failed (status.failed is 1); the upgrade was not started")
	})
	t.Run("deadline", func(t *testing.T) {
		_, err := run[RunBackupResult](t, k, k.RunBackup, in(v.Version+"+late", 300*time.Millisecond))
		app := requireAppError(t, err, ErrBackupTimedOut, true)
		require.Contains(t, app.Message(), `not done by`)
		require.Contains(t, app.Message(), `status.succeeded is ""`)
	})
	t.Run("a kind the cluster does not serve", func(t *testing.T) {
		// A CloudNativePG Backup, on a cluster without CloudNativePG.
		cnpg := catalog.Backup{APIVersion: "postgresql.cnpg.io/v1", Kind: "Backup", Spec: map[string]any{"cluster": map[string]any{"name": "keycloak-db"}},
			Done: catalog.FieldMatch{Path: "status.phase", Equals: "completed"}}
		_, err := run[RunBackupResult](t, k, k.RunBackup, RunBackupInput{Namespace: ns, Component: "keycloak", Version: v.Version,
			Backup: cnpg, Deadline: time.Now().Add(time.Minute)})
		app := requireAppError(t, err, ErrInvalidBackup, true)
		require.Contains(t, app.Message(), "backup Backup "+ns+"/"+name+" cannot be created")
	})
	t.Run("in the namespace the catalog's backup names", func(t *testing.T) {
		g := seedBackup(t, "gitea")
		require.Equal(t, GiteaNamespace, g.Backup.Namespace, "Gitea's backup runs where the bootstrap installed Gitea")
		// A second namespace of the shared API server stands in for it.
		_, own := kubeClient(t)
		b := *g.Backup
		b.Namespace = own
		gname := BackupName("gitea", g.Version)
		playJob(cl, own, gname, succeeded)
		res, err := run[RunBackupResult](t, k, k.RunBackup, RunBackupInput{Namespace: ns, Platform: "acme", Component: "gitea",
			Version: g.Version, Backup: b, Deadline: time.Now().Add(time.Minute)})
		require.NoError(t, err)
		require.Equal(t, RunBackupResult{Kind: "Job", Name: gname}, res)

		var j batchv1.Job
		require.NoError(t, cl.Get(ctx, client.ObjectKey{Namespace: own, Name: gname}, &j))
		require.Equal(t, "gitea", j.Labels[LabelComponent])
		require.Equal(t, "gitea-dump", j.Spec.Template.Spec.Containers[0].Name)
		require.Equal(t, map[string]corev1.PersistentVolumeClaimVolumeSource{
			"data":   {ClaimName: "gitea-shared-storage", ReadOnly: true}, // the catalog's: Gitea's own data
			"backup": {ClaimName: gname},                                  // the claim the backup created
		}, claims(j.Spec.Template.Spec))
		var pvc corev1.PersistentVolumeClaim
		require.NoError(t, cl.Get(ctx, client.ObjectKey{Namespace: own, Name: gname}, &pvc))
		require.Equal(t, g.Backup.Volume.Size, pvc.Spec.Resources.Requests.Storage().String())
		require.Equal(t, "gitea", pvc.Labels[LabelComponent])

		err = cl.Get(ctx, client.ObjectKey{Namespace: ns, Name: gname}, &batchv1.Job{})
		require.True(t, apierrors.IsNotFound(err), "no Job in the platform's namespace: %v", err)
		err = cl.Get(ctx, client.ObjectKey{Namespace: ns, Name: gname}, &corev1.PersistentVolumeClaim{})
		require.True(t, apierrors.IsNotFound(err), "no claim in the platform's namespace: %v", err)
	})
}
