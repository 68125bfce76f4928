package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	crclient "sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/workflows"
)

// The Lifecycle Manager's journey 2 against a real kube-apiserver + etcd,
// the real `openova manager` (controllers, worker, embedded Temporal) and a
// test that plays Crossplane: components install with their dependencies in
// order, a failed install is undone, an uninstall that would break a
// dependent is refused, and a spec change starts exactly one workflow.
// The phases build on the platform the one before left, so each is a
// subtest run by phases: a failure names its phase, and the phases after
// it fail at once saying which one they needed.
func TestLifecycleManager_TestPlaysCrossplane(t *testing.T) {
	t.Parallel() // its own processes, ports, data dir and namespace
	e := startManagerEnv(t, time.Second)
	cat := catalog.Default()
	installed := func(t require.TestingT) catalog.Installed {
		out := catalog.Installed{}
		for n, c := range e.components(t) {
			out[n] = c.Spec.Version
		}
		return out
	}
	ph := &phases{t: t}

	ph.run("1 mongodb on an empty platform installs its CDC dependencies first", func(t *testing.T) {
		mongoPlan, err := cat.Resolve(catalog.Installed{}, catalog.Request{Component: "mongodb"})
		require.NoError(t, err)
		e.createPlatform(t, "acme", v1alpha1.PlatformSpec{Components: []v1alpha1.ComponentRef{{Name: "mongodb"}}})
		// Reconcile storms must not start a second workflow: poke the platform
		// while the install runs.
		for i := range 10 {
			e.update(t, "acme", func(p *v1alpha1.Platform) {
				if p.Annotations == nil {
					p.Annotations = map[string]string{}
				}
				p.Annotations["test/poke"] = fmt.Sprint(i)
			})
			time.Sleep(100 * time.Millisecond)
		}
		e.waitCondition(t, "acme", v1alpha1.ConditionReady, metav1.ConditionTrue, 2*time.Minute)
		comps := e.components(t)
		for _, st := range mongoPlan.Steps() {
			if st.State != catalog.WillInstall {
				continue
			}
			c, ok := comps[st.Name]
			require.True(t, ok, "component %s missing", st.Name)
			require.Equal(t, v1alpha1.HealthHealthy, c.Status.Health, st.Name)
			require.Equal(t, st.Version, c.Status.InstalledVersion, st.Name)
		}
		require.Contains(t, comps, "redpanda")
		require.Contains(t, comps, "debezium")
		requireLayered(t, e.childSpans(t, workflows.InstallID("acme", "mongodb")), "acme", mongoPlan)
		require.Equal(t, 1, e.executions(t, workflows.InstallID("acme", "mongodb")), "exactly one install workflow")
		e.recordHistory(t, workflows.InstallID("acme", "mongodb"), "installcomponents-v1-mongodb")
		e.recordHistory(t, workflows.ReleaseID("acme", "mongodb"), "releasecomponent-v1-direct")
	})

	ph.run("2 ai-hub with cnpg installed skips cnpg and installs layer by layer", func(t *testing.T) {
		e.update(t, "acme", func(p *v1alpha1.Platform) {
			p.Spec.Components = append(p.Spec.Components, v1alpha1.ComponentRef{Name: "cnpg"})
		})
		e.waitCondition(t, "acme", v1alpha1.ConditionReady, metav1.ConditionTrue, 2*time.Minute)
		aiPlan, err := cat.Resolve(installed(t), catalog.Request{Component: "ai-hub"})
		require.NoError(t, err)
		e.update(t, "acme", func(p *v1alpha1.Platform) {
			p.Spec.Components = append(p.Spec.Components, v1alpha1.ComponentRef{Name: "ai-hub"})
		})
		e.waitCondition(t, "acme", v1alpha1.ConditionReady, metav1.ConditionTrue, 3*time.Minute)
		var res workflows.InstallComponentsResult
		require.NoError(t, e.tc.GetWorkflow(context.Background(), workflows.InstallID("acme", "ai-hub"), "").Get(context.Background(), &res))
		require.Contains(t, res.AlreadyInstalled, "cnpg")
		require.NotContains(t, res.Installed, "cnpg")
		requireLayered(t, e.childSpans(t, workflows.InstallID("acme", "ai-hub")), "acme", aiPlan)
		e.recordHistory(t, workflows.InstallID("acme", "ai-hub"), "installcomponents-v1-ai-hub")
		for _, name := range []string{"kserve", "knative", "vllm", "milvus", "ai-hub"} {
			require.Contains(t, res.Installed, name)
		}
	})

	var victim string // the component that never gets Ready in phase 3
	ph.run("3 an install that never gets Ready is undone", func(t *testing.T) {
		before := installed(t)
		var victimPlan catalog.Plan
		victim, victimPlan = pickWithDependencies(t, cat, before)
		e.xp.FailRelease(victim, "back-off pulling image")
		e.update(t, "acme", func(p *v1alpha1.Platform) {
			p.Spec.Components = append(p.Spec.Components, v1alpha1.ComponentRef{Name: victim})
		})
		stalled := e.waitCondition(t, "acme", v1alpha1.ConditionStalled, metav1.ConditionTrue, 2*time.Minute)
		require.Contains(t, stalled.Message, "install "+victim+" failed")
		require.Contains(t, stalled.Message, "back-off pulling image")
		require.Equal(t, before, installed(t), "the platform is as before")
		e.recordHistory(t, workflows.InstallID("acme", victim), "installcomponents-v1-undone")
		for _, st := range victimPlan.Steps() {
			if st.State == catalog.WillInstall {
				requireNoRelease(t, e, st.Name)
			}
		}
	})

	ph.run("4 uninstalling a component an installed one needs is refused", func(t *testing.T) {
		e.update(t, "acme", func(p *v1alpha1.Platform) {
			p.Spec.Components = without(p.Spec.Components, victim)
			f := false
			p.Spec.Components = append(p.Spec.Components, v1alpha1.ComponentRef{Name: "redpanda", Enabled: &f})
		})
		stalled := e.waitCondition(t, "acme", v1alpha1.ConditionStalled, metav1.ConditionTrue, time.Minute)
		require.Contains(t, stalled.Message, "cannot uninstall redpanda")
		require.Contains(t, stalled.Message, "mongodb")
		require.Contains(t, e.components(t), "redpanda")
		e.recordHistory(t, workflows.UninstallID("acme", "redpanda"), "uninstallcomponent-v1-refused")
	})

	ph.run("5 uninstalling one nobody needs works", func(t *testing.T) {
		e.update(t, "acme", func(p *v1alpha1.Platform) {
			p.Spec.Components = without(p.Spec.Components, "redpanda")
			f := false
			p.Spec.Components = append(without(p.Spec.Components, "ai-hub"), v1alpha1.ComponentRef{Name: "ai-hub", Enabled: &f})
		})
		e.waitCondition(t, "acme", v1alpha1.ConditionReady, metav1.ConditionTrue, time.Minute)
		require.NotContains(t, e.components(t), "ai-hub")
		requireNoRelease(t, e, "ai-hub")
		e.recordHistory(t, workflows.UninstallID("acme", "ai-hub"), "uninstallcomponent-v1-ok")
	})

	// Whatever the phases did, the manager counted it.
	t.Run("metrics count reconciles, API requests and workflows", func(t *testing.T) {
		resp, err := http.Get("http://" + e.proc.httpAddr + "/metrics")
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
		for _, m := range []string{"controller_runtime_reconcile_total", "openova_kubernetes_requests_total", "temporal_workflow_completed"} {
			require.Contains(t, string(body), m)
		}
	})
}

// phases runs subtests that build on each other, in order. Once one fails,
// or does not run (-run filtered it out), each later one fails at once
// naming it, rather than running on a platform left half-way or passing
// by skipping.
type phases struct {
	t       *testing.T
	blocked string // why later phases cannot run
}

func (p *phases) run(name string, f func(t *testing.T)) {
	p.t.Helper()
	ran := false
	ok := p.t.Run(name, func(t *testing.T) {
		if p.blocked != "" {
			t.Fatalf("skipped: %s", p.blocked)
		}
		ran = true
		f(t)
	})
	switch {
	case p.blocked != "":
	case !ok:
		p.blocked = fmt.Sprintf("phase %q failed", name)
	case !ran:
		p.blocked = fmt.Sprintf("phase %q did not run (a -run pattern left it out) and this one builds on it", name)
	}
}

// pickWithDependencies finds a catalog component whose install would
// release at least two components, so that undo has something to undo.
func pickWithDependencies(t *testing.T, cat *catalog.Catalog, installed catalog.Installed) (string, catalog.Plan) {
	for _, name := range cat.Names() {
		if _, ok := installed[name]; ok {
			continue
		}
		plan, err := cat.Resolve(installed, catalog.Request{Component: name})
		if err == nil && len(plan.ToInstall()) >= 2 {
			return name, plan
		}
	}
	t.Fatalf("no catalog component left with a missing dependency")
	return "", catalog.Plan{}
}

func requireNoRelease(t *testing.T, e *managerEnv, name string) {
	t.Helper()
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(v1alpha1.ReleaseGVK)
	err := e.c.Get(context.Background(), crclient.ObjectKey{Namespace: e.ns, Name: name}, u)
	require.Error(t, err, "release %s still exists", name)
	require.True(t, strings.Contains(err.Error(), "not found"), err.Error())
	require.NotContains(t, e.components(t), name)
}

func without(refs []v1alpha1.ComponentRef, name string) []v1alpha1.ComponentRef {
	var out []v1alpha1.ComponentRef
	for _, r := range refs {
		if r.Name != name {
			out = append(out, r)
		}
	}
	return out
}
