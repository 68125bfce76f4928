package activities

import (
	"context"
	"testing"
	"time"

	xpv1 "github.com/crossplane/crossplane-runtime/v2/apis/common/v1"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/openova-io/core/crds/v1alpha1"
)

func TestWaitReleaseReady_TestPlaysCrossplane(t *testing.T) {
	c, cl, ns := crossplaneEnv(t)
	in := grafana(ns)
	applied, err := run[ApplyReleaseResult](t, c, c.ApplyRelease, in)
	require.NoError(t, err)

	t.Run("missing release is retryable", func(t *testing.T) {
		_, err := run[WaitReleaseReadyResult](t, c, c.WaitReleaseReady, WaitReleaseReadyInput{
			Namespace: ns, Name: "nope", Deadline: time.Now().Add(time.Minute)})
		requireAppError(t, err, ErrReleaseMissing, false)
	})

	t.Run("ready after Crossplane reconciles", func(t *testing.T) {
		require.NoError(t, playCrossplane(cl, ns, "grafana", nil, xpv1.ReconcileSuccess(), xpv1.Creating()))
		start := time.Now() // before the player's second: Ready comes at least a second later
		go func() {
			time.Sleep(time.Second)
			if err := playCrossplane(cl, ns, "grafana", map[string]any{
				"installedVersion": "8.5.0",
				"endpoints":        []any{map[string]any{"name": "ui", "url": "https://grafana.acme.example"}},
			}, xpv1.ReconcileSuccess(), xpv1.Available()); err != nil {
				t.Errorf("play Crossplane: %v", err)
			}
		}()
		res, err := run[WaitReleaseReadyResult](t, c, c.WaitReleaseReady, WaitReleaseReadyInput{
			Namespace: ns, Name: "grafana", Deadline: time.Now().Add(30 * time.Second), MinGeneration: applied.Generation})
		require.NoError(t, err)
		require.GreaterOrEqual(t, time.Since(start), 900*time.Millisecond, "it waited for Ready")
		require.Equal(t, []v1alpha1.Endpoint{{Name: "ui", URL: "https://grafana.acme.example"}}, res.Endpoints)
		require.Equal(t, "8.5.0", res.InstalledVersion)
		require.Equal(t, applied.Generation, res.Generation)

		state, err := run[v1alpha1.ReleaseState](t, c, c.ReadRelease, ReadReleaseInput{Namespace: ns, Name: "grafana"})
		require.NoError(t, err)
		require.True(t, state.Exists)
		require.Equal(t, "True", state.Ready.Status)
		require.Equal(t, "Available", state.Ready.Reason)
		require.Equal(t, "ReconcileSuccess", state.Synced.Reason)
	})

	t.Run("conditions of an older generation do not count", func(t *testing.T) {
		up := in
		up.Version = "8.6.0"
		res, err := run[ApplyReleaseResult](t, c, c.ApplyRelease, up)
		require.NoError(t, err)
		require.Greater(t, res.Generation, applied.Generation)
		// Crossplane has not seen the new generation: Ready=True is stale.
		_, err = run[WaitReleaseReadyResult](t, c, c.WaitReleaseReady, WaitReleaseReadyInput{
			Namespace: ns, Name: "grafana", Deadline: time.Now().Add(500 * time.Millisecond), MinGeneration: res.Generation})
		requireAppError(t, err, ErrReleaseNotReady, true)
		require.Contains(t, err.Error(), "waiting for 2")

		require.NoError(t, playCrossplane(cl, ns, "grafana", nil, xpv1.ReconcileSuccess(), xpv1.Available()))
		_, err = run[WaitReleaseReadyResult](t, c, c.WaitReleaseReady, WaitReleaseReadyInput{
			Namespace: ns, Name: "grafana", Deadline: time.Now().Add(10 * time.Second), MinGeneration: res.Generation})
		require.NoError(t, err)
	})

	t.Run("Ready counts only with the asked chart deployed", func(t *testing.T) {
		// Ready=True at the current generation, but Helm still runs 8.5.0
		// (the Composition mirrors provider-helm's status.atProvider.version).
		require.NoError(t, playCrossplane(cl, ns, "grafana", map[string]any{"installedVersion": "8.5.0"}, xpv1.ReconcileSuccess(), xpv1.Available()))
		_, err := run[WaitReleaseReadyResult](t, c, c.WaitReleaseReady, WaitReleaseReadyInput{
			Namespace: ns, Name: "grafana", Deadline: time.Now().Add(500 * time.Millisecond), ChartVersion: "8.6.0"})
		requireAppError(t, err, ErrReleaseNotReady, true)
		require.Contains(t, err.Error(), "Ready, but chart 8.5.0 is deployed, not 8.6.0")

		go func() {
			time.Sleep(500 * time.Millisecond)
			if err := playCrossplane(cl, ns, "grafana", map[string]any{"installedVersion": "8.6.0"}, xpv1.ReconcileSuccess(), xpv1.Available()); err != nil {
				t.Errorf("play Crossplane: %v", err)
			}
		}()
		res, err := run[WaitReleaseReadyResult](t, c, c.WaitReleaseReady, WaitReleaseReadyInput{
			Namespace: ns, Name: "grafana", Deadline: time.Now().Add(10 * time.Second), ChartVersion: "8.6.0"})
		require.NoError(t, err)
		require.Equal(t, "8.6.0", res.InstalledVersion)
	})

	t.Run("never Ready fails at the deadline with the reason", func(t *testing.T) {
		require.NoError(t, playCrossplane(cl, ns, "grafana", nil,
			xpv1.ReconcileSuccess(),
			xpv1.Condition{Type: xpv1.TypeReady, Status: corev1.ConditionFalse, Reason: xpv1.ReasonReconcileError, Message: "cannot install chart: timed out waiting for the condition"}))
		deadline := time.Now().Add(1500 * time.Millisecond)
		_, err := run[WaitReleaseReadyResult](t, c, c.WaitReleaseReady, WaitReleaseReadyInput{
			Namespace: ns, Name: "grafana", Deadline: deadline})
		require.False(t, time.Now().Before(deadline), "it failed before its deadline")
		requireAppError(t, err, ErrReleaseNotReady, true)
		msg := err.Error()
		require.Contains(t, msg, "grafana not Ready by "+clock(deadline))
		require.Contains(t, msg, "Ready=False ReconcileError: cannot install chart")
		require.Contains(t, msg, "Synced=True ReconcileSuccess")
	})

	t.Run("cancelled activity returns ctx.Err", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := c.WaitReleaseReady(ctx, WaitReleaseReadyInput{Namespace: ns, Name: "grafana", Deadline: time.Now().Add(time.Minute)})
		require.ErrorIs(t, err, context.Canceled)
	})
}
