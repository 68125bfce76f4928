package main

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	crclient "sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/workflows"
)

// kill -9 of the manager while an install waits for Crossplane: after the
// restart on the same data dir the same workflows continue (no second
// install, no second release of a component) and the platform gets Ready.
func TestManagerKill9MidInstallResumes_TestPlaysCrossplane(t *testing.T) {
	t.Parallel() // its own processes, ports, data dir and namespace
	e := startManagerEnv(t, 3*time.Second)
	e.createPlatform(t, "acme", v1alpha1.PlatformSpec{Components: []v1alpha1.ComponentRef{{Name: "mongodb"}}})
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(v1alpha1.ReleaseGVK)
		assert.NoError(ct, e.c.Get(context.Background(), crclient.ObjectKey{Namespace: e.ns, Name: "redpanda"}, u))
	}, time.Minute, 50*time.Millisecond, "the first release was never written")
	e.kill9AndRestart(t)
	e.waitCondition(t, "acme", v1alpha1.ConditionReady, metav1.ConditionTrue, 2*time.Minute)
	for _, id := range []string{
		workflows.InstallID("acme", "mongodb"), workflows.ReleaseID("acme", "redpanda"),
		workflows.ReleaseID("acme", "debezium"), workflows.ReleaseID("acme", "mongodb"),
	} {
		require.Equal(t, 1, e.executions(t, id), "%s ran more than once", id)
	}
	for _, name := range []string{"redpanda", "debezium", "mongodb"} {
		require.Equal(t, v1alpha1.HealthHealthy, e.components(t)[name].Status.Health, name)
	}
}
