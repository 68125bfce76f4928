// Package players plays, on an envtest API server that stands in for a
// region's k3s (dev/testenv/k3s), what k3s's Helm controller and the
// charts it installs would do there. envtest runs no controllers and no
// pods: a HelmChart the bootstrap applies in kube-system would sit there
// forever. Each player waits for its chart's HelmChart and then does what
// the chart's pods do, with the real software wherever it runs on this
// machine (a real Gitea, Flux's real controllers) and by writing the
// status the real controllers would write where it does not (Cilium's
// agents, Crossplane's package manager).
//
// Every player starts from the test's goroutine, so a missing binary or
// CRD folder skips the test on a laptop and fails it under CI=true
// (testenv.Missing), then plays in a goroutine of its own until the test
// ends; its cleanup stops it and whatever it started. It polls the API
// server on a short tick (Poll): no player sleeps to wait for something.
// A player that cannot play reports it with t.Errorf (allowed from any
// goroutine) and Err, and never calls FailNow off the test's goroutine.
package players

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"
)

// Poll is how often a player looks at the API server.
const Poll = 100 * time.Millisecond

// HelmChartNamespace is where k3s's Helm controller reads HelmCharts.
const HelmChartNamespace = "kube-system"

// HelmChartGVR is k3s's helm.cattle.io/v1 HelmChart.
var HelmChartGVR = schema.GroupVersionResource{Group: "helm.cattle.io", Version: "v1", Resource: "helmcharts"}

// Play is one player running in the background. Done closes when it has
// played its part (or given up: Err says why) or the test ended first.
type Play struct {
	name string
	done chan struct{}
	mu   sync.Mutex
	err  error
}

// Done closes once the player has played its part, or cannot.
func (p *Play) Done() <-chan struct{} { return p.done }

// Err is why the player could not play (nil while it runs, or once it has).
func (p *Play) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// Wait waits, on the test's goroutine, until the player has played its
// part, and fails the test if it could not or did not by timeout.
func (p *Play) Wait(t testing.TB, timeout time.Duration) {
	t.Helper()
	select {
	case <-p.done:
		if err := p.Err(); err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
	case <-time.After(timeout):
		t.Fatalf("%s did not play its part within %s", p.name, timeout)
	}
}

// start runs fn in the background with a context that ends with the test;
// the test's cleanup waits for fn. fn may use a harness that takes t
// (its FailNow ends only fn's goroutine, the test is failed and Err says
// so). fn's error fails the test unless the
// test ended first; keep, once fn has returned nil, goes on until then
// (a player that keeps writing status as the real controller would).
func start(t testing.TB, name string, fn func(ctx context.Context) error, keep func(ctx context.Context)) *Play {
	p := &Play{name: name, done: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		returned := false
		defer func() { // a harness called t.FailNow here: it said why
			if !returned {
				p.mu.Lock()
				p.err = fmt.Errorf("gave up (the test's log says why)")
				p.mu.Unlock()
				close(p.done)
			}
		}()
		err := fn(ctx)
		returned = true
		if err != nil && ctx.Err() == nil {
			p.mu.Lock()
			p.err = err
			p.mu.Unlock()
			t.Errorf("%s: %v", name, err)
		}
		close(p.done)
		if err == nil && keep != nil {
			keep(ctx)
		}
	}()
	t.Cleanup(func() { cancel(); <-stopped })
	return p
}

// until calls check every Poll until it reports done or fails, or ctx ends.
func until(ctx context.Context, check func() (bool, error)) error {
	tick := time.NewTicker(Poll)
	defer tick.Stop()
	for {
		ok, err := check()
		if err != nil || ok {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// clients are the typed and dynamic clients of the stand-in.
type clients struct {
	cs kubernetes.Interface
	dc dynamic.Interface
}

// newClients are the player's clients; the API server's warnings (e.g.
// that a v1 XRD's claims are not v2's) are not the test's business.
func newClients(cfg *rest.Config) (clients, error) {
	cfg = rest.CopyConfig(cfg)
	cfg.WarningHandler = rest.NoWarnings{}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return clients{}, err
	}
	dc, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return clients{}, err
	}
	return clients{cs: cs, dc: dc}, nil
}

// waitHelmChart waits for a HelmChart in kube-system whose spec.chart is
// chart, as k3s's Helm controller picks it up, and returns it.
func (c clients) waitHelmChart(ctx context.Context, chart string) (*unstructured.Unstructured, error) {
	var found *unstructured.Unstructured
	err := until(ctx, func() (bool, error) {
		l, err := c.dc.Resource(HelmChartGVR).Namespace(HelmChartNamespace).List(ctx, listAll)
		if err != nil {
			return false, nil // the CRD may not be served yet, as on a k3s just booted
		}
		for i := range l.Items {
			if name, _, _ := unstructured.NestedString(l.Items[i].Object, "spec", "chart"); name == chart && l.Items[i].GetDeletionTimestamp() == nil {
				found = &l.Items[i]
				return true, nil
			}
		}
		return false, nil
	})
	return found, err
}

// Values are a HelmChart's chart values as its Helm job passes them:
// spec.valuesContent (YAML) with spec.values (structured) over it.
func Values(hc *unstructured.Unstructured) (map[string]any, error) {
	out := map[string]any{}
	if text, _, _ := unstructured.NestedString(hc.Object, "spec", "valuesContent"); text != "" {
		if err := yaml.Unmarshal([]byte(text), &out); err != nil {
			return nil, fmt.Errorf("HelmChart %s: spec.valuesContent is not YAML: %w", hc.GetName(), err)
		}
		if out == nil {
			out = map[string]any{}
		}
	}
	if structured, ok, _ := unstructured.NestedMap(hc.Object, "spec", "values"); ok {
		merge(out, structured)
	}
	return out, nil
}

// merge writes src over dst, maps merged key by key as Helm merges values.
func merge(dst, src map[string]any) {
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				merge(dm, sm)
				continue
			}
		}
		dst[k] = v
	}
}

// lookup is the value at path in values (nil when absent).
func lookup(values map[string]any, path ...string) any {
	var cur any = values
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[p]
	}
	return cur
}

// str is the string at path in values ("" when absent or not a string).
func str(values map[string]any, path ...string) string {
	s, _ := lookup(values, path...).(string)
	return s
}

// targetNamespace is where the HelmChart installs its release (k3s's
// default: the HelmChart's own namespace).
func targetNamespace(hc *unstructured.Unstructured) string {
	if ns, _, _ := unstructured.NestedString(hc.Object, "spec", "targetNamespace"); ns != "" {
		return ns
	}
	return hc.GetNamespace()
}
