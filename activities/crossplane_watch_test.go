package activities

import (
	"context"
	"testing"
	"time"

	xpv1 "github.com/crossplane/crossplane-runtime/v2/apis/common/v1"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/dev/testenv/kubeenv"
)

// outcome is a waiting activity's result.
type outcome[T any] struct {
	out T
	err error
}

// startWaiting runs a wait activity in the background and returns once it
// has heartbeated, that is once it has checked the release and is waiting:
// whatever the test changes next, the activity can only see by being woken.
func startWaiting[T any](t *testing.T, act, fn, in any) <-chan outcome[T] {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(act)
	waiting := make(chan struct{})
	first := true
	env.SetOnActivityHeartbeatListener(func(*activity.Info, converter.EncodedValues) {
		if first {
			first = false
			close(waiting)
		}
	})
	done := make(chan outcome[T], 1)
	go func() {
		var o outcome[T]
		v, err := env.ExecuteActivity(fn, in)
		if o.err = err; err == nil {
			o.err = v.Get(&o.out)
		}
		done <- o
	}()
	select {
	case <-waiting:
	case o := <-done:
		t.Fatalf("the wait ended before it waited: %+v", o)
	}
	return done
}

// await returns the outcome; the bound only keeps a broken wake-up from
// hanging the test (the poll is an hour).
func await[T any](t *testing.T, done <-chan outcome[T]) outcome[T] {
	t.Helper()
	select {
	case o := <-done:
		return o
	case <-time.After(time.Minute):
		t.Fatal("the wait was not woken by the change")
		return outcome[T]{}
	}
}

// With a ReleaseWatch the waits see a change when it happens: the poll is
// an hour here, so only the watch can wake them.
func TestReleaseWatchWakesWaits_TestPlaysCrossplane(t *testing.T) {
	env := kubeenv.Shared(t)
	cl, err := client.New(env.Config, client.Options{})
	require.NoError(t, err)
	ns, ctx := env.Namespace, context.Background()
	w, err := NewReleaseWatch(env.Config, ns)
	require.NoError(t, err)
	wctx, stop := context.WithCancel(ctx)
	t.Cleanup(stop)
	go w.Run(wctx)
	c := &Crossplane{Client: cl, Changes: w, Poll: time.Hour}

	applied, err := run[ApplyReleaseResult](t, c, c.ApplyRelease, grafana(ns))
	require.NoError(t, err)

	t.Run("Ready wakes WaitReleaseReady", func(t *testing.T) {
		done := startWaiting[WaitReleaseReadyResult](t, c, c.WaitReleaseReady, WaitReleaseReadyInput{
			Namespace: ns, Name: "grafana", Deadline: time.Now().Add(time.Hour), MinGeneration: applied.Generation})
		require.NoError(t, playCrossplane(cl, ns, "grafana", map[string]any{"installedVersion": "8.5.0"},
			xpv1.ReconcileSuccess(), xpv1.Available()))
		o := await(t, done)
		require.NoError(t, o.err)
		require.Equal(t, "8.5.0", o.out.InstalledVersion)
	})

	t.Run("creation wakes WaitReleaseExists", func(t *testing.T) {
		in := grafana(ns)
		in.Name, in.Component = "valkey", "valkey"
		done := startWaiting[WaitReleaseExistsResult](t, c, c.WaitReleaseExists, WaitReleaseExistsInput{
			Namespace: ns, Name: "valkey", Deadline: time.Now().Add(time.Hour)})
		_, err := run[ApplyReleaseResult](t, c, c.ApplyRelease, in)
		require.NoError(t, err)
		o := await(t, done)
		require.NoError(t, o.err)
		require.Positive(t, o.out.Generation)
	})

	t.Run("deletion wakes WaitReleaseGone", func(t *testing.T) {
		done := startWaiting[WaitReleaseGoneResult](t, c, c.WaitReleaseGone, WaitReleaseGoneInput{
			Namespace: ns, Name: "valkey", Deadline: time.Now().Add(time.Hour)})
		require.NoError(t, cl.Delete(ctx, newRelease(ns, "valkey")))
		require.NoError(t, await(t, done).err)
	})

}
