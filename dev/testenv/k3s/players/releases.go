package players

import (
	"context"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/crds/v1alpha1"
)

// Releases plays Crossplane's part for the manager's component releases (envtest runs no
// controllers): it marks each component release Synced, then Ready after a
// delay, as Crossplane would once provider-helm's Release is deployed, and
// keeps the releases it is told to fail at Ready=False forever. It also
// plays the garbage collector: a release deleted in the foreground loses
// its finalizer once "its composed resources are gone".
type Releases struct {
	c     client.Client
	ns    string // the test's namespace: releases of other tests are not its business
	delay time.Duration

	mu    sync.Mutex
	fail  map[string]string // release name → Ready=False message
	chart map[string]string // release name → the only chart version that fails ("" any)
	hold  map[string]bool   // "name@chartVersion" never Ready (still creating) until let go
	seen  map[string]time.Time
	ready map[string]time.Time
}

// PlayReleases plays the releases in namespace ns until the test ends.
func PlayReleases(t testing.TB, c client.Client, ns string, delay time.Duration) *Releases {
	p := &Releases{c: c, ns: ns, delay: delay, fail: map[string]string{}, chart: map[string]string{}, hold: map[string]bool{},
		seen: map[string]time.Time{}, ready: map[string]time.Time{}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			p.round(ctx)
			select {
			case <-ctx.Done():
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
	return p
}

// FailRelease makes the named release never become Ready.
func (p *Releases) FailRelease(name, msg string) { p.FailChart(name, "", msg) }

// FailChart makes the named release never become Ready at one chart
// version ("" for any).
func (p *Releases) FailChart(name, chartVersion, msg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fail[name] = msg
	p.chart[name] = chartVersion
}

// HoldChart keeps the named release at one chart version "Creating",
// never Ready, until LetGo: a rollout that hangs rather than fails.
func (p *Releases) HoldChart(name, chartVersion string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hold[name+"@"+chartVersion] = true
}

// LetGo ends HoldChart: the release becomes Ready at its next round.
func (p *Releases) LetGo(name, chartVersion string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.hold, name+"@"+chartVersion)
}

func (p *Releases) round(ctx context.Context) {
	list := &unstructured.UnstructuredList{}
	list.SetGroupVersionKind(v1alpha1.ReleaseGVK.GroupVersion().WithKind(v1alpha1.ReleaseKind + "List"))
	if err := p.c.List(ctx, list, client.InNamespace(p.ns)); err != nil {
		return
	}
	now := time.Now()
	for i := range list.Items {
		u := &list.Items[i]
		if u.GetDeletionTimestamp() != nil {
			u.SetFinalizers(nil)
			_ = p.c.Update(ctx, u)
			continue
		}
		name := u.GetNamespace() + "/" + u.GetName()
		p.mu.Lock()
		if _, ok := p.seen[name]; !ok {
			p.seen[name] = now
		}
		msg, failing := p.fail[u.GetName()]
		v, _, _ := unstructured.NestedString(u.Object, "spec", "chart", "version")
		if p.chart[u.GetName()] != "" && p.chart[u.GetName()] != v {
			failing = false
		}
		due := now.Sub(p.seen[name]) >= p.delay && !p.hold[u.GetName()+"@"+v]
		p.mu.Unlock()
		ready := metav1.ConditionFalse
		reason, text := "Creating", ""
		switch {
		case failing:
			reason, text = "Unavailable", msg
		case due:
			ready, reason = metav1.ConditionTrue, "Available"
		}
		if p.set(ctx, u, ready, reason, text) && ready == metav1.ConditionTrue {
			p.mu.Lock()
			if _, ok := p.ready[name]; !ok {
				p.ready[name] = time.Now()
			}
			p.mu.Unlock()
		}
	}
}

// set writes Synced=True and the Ready condition for the current
// generation; it reports whether the release now shows that state.
func (p *Releases) set(ctx context.Context, u *unstructured.Unstructured, ready metav1.ConditionStatus, reason, msg string) bool {
	gen := u.GetGeneration()
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		m, _ := c.(map[string]any)
		if m["type"] == "Ready" && m["status"] == string(ready) && m["observedGeneration"] == gen && m["reason"] == reason {
			deployed, _, _ := unstructured.NestedString(u.Object, "status", "installedVersion")
			chart, _, _ := unstructured.NestedString(u.Object, "spec", "chart", "version")
			if ready != metav1.ConditionTrue || deployed == chart {
				return true
			}
		}
	}
	ts := time.Now().UTC().Format(time.RFC3339)
	_ = unstructured.SetNestedSlice(u.Object, []any{
		map[string]any{"type": "Synced", "status": "True", "reason": "ReconcileSuccess", "lastTransitionTime": ts, "observedGeneration": gen},
		map[string]any{"type": "Ready", "status": string(ready), "reason": reason, "message": msg, "lastTransitionTime": ts, "observedGeneration": gen},
	}, "status", "conditions")
	if ready == metav1.ConditionTrue {
		_ = unstructured.SetNestedSlice(u.Object, []any{
			map[string]any{"name": "ui", "url": "https://" + u.GetName() + ".acme.io"},
		}, "status", "endpoints")
		// What the Composition mirrors from provider-helm's
		// status.atProvider.version once Helm deployed the chart.
		chart, _, _ := unstructured.NestedString(u.Object, "spec", "chart", "version")
		_ = unstructured.SetNestedField(u.Object, chart, "status", "installedVersion")
	}
	return p.c.Status().Update(ctx, u) == nil
}
