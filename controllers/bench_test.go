package controllers

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
	crclient "sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/dev/testenv/kubeenv"
	kubeclient "github.com/openova-io/core/kube"
)

// The benchmarks share one API server, each run in namespaces of its own.
func TestMain(m *testing.M) { kubeenv.Main(m) }

type countingTransport struct {
	rt http.RoundTripper
	n  *atomic.Int64
}

func (c countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.rt.RoundTrip(r)
}

// BenchmarkReconcile500Releases: 500 components whose composite resources
// Crossplane (played by the benchmark) reports Ready, mirrored by the
// Component reconciler into 500 Healthy Component statuses. Reports the
// time to all Healthy, how far the mirror lags behind the last write, and
// the manager's API requests per component (watch events are not requests:
// a Healthy component costs its one status patch).
func BenchmarkReconcile500Releases(b *testing.B) {
	const n = 500
	env := kubeenv.Shared(b)
	c, err := kubeclient.NewClient(env.Config)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		// A fresh namespace per iteration: the manager's cache starts empty.
		ns := fmt.Sprintf("%s-%d", env.Namespace, i)
		if err := c.Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
			b.Fatal(err)
		}
		var requests atomic.Int64
		cfg := rest.CopyConfig(env.Config)
		cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { return countingTransport{rt, &requests} })
		mgr, err := NewManager(cfg, ManagerOptions{Namespace: ns, SkipNameValidation: true})
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		stopped := make(chan error, 1)
		go func() { stopped <- mgr.Start(ctx) }()
		if !mgr.GetCache().WaitForCacheSync(ctx) {
			b.Fatal("cache did not sync")
		}
		startReq := requests.Load()
		start := time.Now()
		for j := range n {
			createReadyRelease(b, c, ns, fmt.Sprintf("c%03d", j))
		}
		written := time.Now()
		waitAllHealthy(b, c, ns, n)
		done := time.Now()
		// The peer in the same run: the benchmark's own sequential writes
		// (Component, composite resource, its status: 3 requests each),
		// the floor any reconciler sits on.
		b.ReportMetric(float64(written.Sub(start).Milliseconds()), "write-ms")
		b.ReportMetric(float64(done.Sub(start).Milliseconds()), "all-healthy-ms")
		b.ReportMetric(float64(done.Sub(written).Milliseconds()), "lag-after-last-write-ms")
		b.ReportMetric(float64(requests.Load()-startReq)/n, "api-requests/component")
		cancel()
		<-stopped
	}
}

// createReadyRelease creates a Component and its composite resource and
// plays Crossplane: marks the resource Synced and Ready.
func createReadyRelease(b *testing.B, c crclient.Client, ns, name string) {
	comp := &v1alpha1.Component{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: map[string]string{v1alpha1.LabelPlatform: "bench"}},
		Spec:       v1alpha1.ComponentSpec{Platform: "bench", Chart: name, Version: "v1.0.0"},
	}
	if err := c.Create(context.Background(), comp); err != nil {
		b.Fatal(err)
	}
	u, err := activities.ReleaseManifest(activities.ApplyReleaseInput{Namespace: ns, Name: name, Platform: "bench", Component: name,
		Chart: name, Repository: "https://charts.example", Version: "1.0.0"})
	if err != nil {
		b.Fatal(err)
	}
	if err := c.Create(context.Background(), u); err != nil {
		b.Fatal(err)
	}
	ts := time.Now().UTC().Format(time.RFC3339)
	_ = unstructured.SetNestedSlice(u.Object, []any{
		map[string]any{"type": "Synced", "status": "True", "reason": "ReconcileSuccess", "lastTransitionTime": ts},
		map[string]any{"type": "Ready", "status": "True", "reason": "Available", "lastTransitionTime": ts},
	}, "status", "conditions")
	if err := c.Status().Update(context.Background(), u); err != nil {
		b.Fatal(err)
	}
}

func waitAllHealthy(b *testing.B, c crclient.Client, ns string, n int) {
	deadline := time.Now().Add(5 * time.Minute)
	for time.Now().Before(deadline) {
		var list v1alpha1.ComponentList
		if err := c.List(context.Background(), &list, crclient.InNamespace(ns)); err != nil {
			b.Fatal(err)
		}
		healthy := 0
		for _, comp := range list.Items {
			if comp.Status.Health == v1alpha1.HealthHealthy {
				healthy++
			}
		}
		if healthy == n {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.Fatalf("components not all Healthy after 5 minutes")
}
