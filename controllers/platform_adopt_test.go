package controllers

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/kube"
)

const giteaSubstrate = `[{"name":"gitea","version":"1.22.3","chart":"gitea","repository":"https://dl.gitea.com/charts/","chartVersion":"10.6.0",
  "category":"mandatory","installedBy":"k3s HelmChart kube-system/gitea","workloads":[{"kind":"Deployment","namespace":"gitea","name":"gitea"}]},
 {"name":"cilium","version":"1.16.5","chart":"cilium","installedBy":"k3s HelmChart kube-system/cilium",
  "workloads":[{"kind":"DaemonSet","namespace":"kube-system","name":"cilium"}]}]`

func handedOver(annotation string, comps ...v1alpha1.ComponentRef) *v1alpha1.Platform {
	p := platform(1, comps...)
	p.Annotations = map[string]string{v1alpha1.AnnotationSubstrate: annotation}
	return p
}

func TestPlanAdoptions(t *testing.T) {
	cases := []struct {
		name     string
		p        *v1alpha1.Platform
		existing map[string]Installed
		want     []string // adopted, in the annotation's order
		problem  string
	}{
		{name: "no annotation: nothing to adopt", p: platform(1, want("gitea"))},
		{name: "each listed component the spec asks for", p: handedOver(giteaSubstrate, pinned("gitea", "1.22.3"), want("cilium"), want("grafana")),
			want: []string{"gitea", "cilium"}},
		{name: "one the spec does not ask for is not adopted", p: handedOver(giteaSubstrate, want("gitea")), want: []string{"gitea"}},
		{name: "one the spec disables is not adopted", p: handedOver(giteaSubstrate, want("gitea"), unwanted("cilium")), want: []string{"gitea"}},
		{name: "one with a Component already (adopted twice, or released) is left alone", p: handedOver(giteaSubstrate, want("gitea"), want("cilium")),
			existing: map[string]Installed{"gitea": healthy}, want: []string{"cilium"}},
		{name: "not JSON: nothing adopted, the problem shown", p: handedOver(`{`, want("gitea")), problem: "is not a JSON list"},
		{name: "no workloads", p: handedOver(`[{"name":"gitea","version":"1.22.3","chart":"gitea","installedBy":"x","workloads":[]}]`, want("gitea")),
			problem: "gitea: no workloads"},
		{name: "a workload kind the manager cannot read", p: handedOver(`[{"name":"gitea","version":"1.22.3","chart":"gitea","installedBy":"x","workloads":[{"kind":"Pod","namespace":"gitea","name":"gitea-0"}]}]`, want("gitea")),
			problem: "want kind Deployment or DaemonSet"},
		{name: "a version that is not semver", p: handedOver(`[{"name":"gitea","version":"latest","chart":"gitea","installedBy":"x","workloads":[{"kind":"Deployment","namespace":"gitea","name":"gitea"}]}]`, want("gitea")),
			problem: `version "latest" is not a semantic version`},
		{name: "an upgrade the manager does not know", p: handedOver(`[{"name":"gitea","version":"1.22.3","chart":"gitea","installedBy":"x","upgrade":"ssh","helmChart":"kube-system/gitea","workloads":[{"kind":"Deployment","namespace":"gitea","name":"gitea"}]}]`, want("gitea")),
			problem: `upgrade "ssh" is not helmchart, gitfile or empty`},
		{name: "an upgrade without its HelmChart", p: handedOver(`[{"name":"gitea","version":"1.22.3","chart":"gitea","installedBy":"x","upgrade":"helmchart","workloads":[{"kind":"Deployment","namespace":"gitea","name":"gitea"}]}]`, want("gitea")),
			problem: `helmChart "" is not <namespace>/<name>`},
		{name: "a HelmChart file outside the repository", p: handedOver(`[{"name":"gitea","version":"1.22.3","chart":"gitea","installedBy":"x","upgrade":"gitfile","helmChart":"kube-system/gitea","gitFile":"../etc/substrate.yaml","workloads":[{"kind":"Deployment","namespace":"gitea","name":"gitea"}]}]`, want("gitea")),
			problem: `gitFile "../etc/substrate.yaml" is not a relative path`},
		{name: "a component named twice", p: handedOver(`[{"name":"gitea","version":"1.22.3","chart":"gitea","installedBy":"x","workloads":[{"kind":"Deployment","namespace":"gitea","name":"gitea"}]},{"name":"gitea","version":"1.22.3","chart":"gitea","installedBy":"x","workloads":[{"kind":"Deployment","namespace":"gitea","name":"gitea"}]}]`, want("gitea")),
			problem: "names gitea twice"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, problem := planAdoptions(tc.p, tc.existing)
			if tc.problem != "" {
				require.Contains(t, problem, tc.problem)
				require.Contains(t, problem, "fix the annotation")
				require.Empty(t, got)
				return
			}
			require.Empty(t, problem)
			var names []string
			for _, c := range got {
				names = append(names, c.Name)
				require.Equal(t, "acme", c.Labels[v1alpha1.LabelPlatform])
				require.Equal(t, c.Name, c.Labels[v1alpha1.LabelComponent])
				a, err := v1alpha1.ParseAdopted(c.Annotations[v1alpha1.AnnotationAdopted])
				require.NoError(t, err)
				require.Equal(t, a.Version, c.Spec.Version, "adopted at the version the bootstrap installed")
				require.Equal(t, a.ChartVersion, c.Spec.ChartVersion)
			}
			require.Equal(t, tc.want, names)
		})
	}
}

// An adopted component is never installed a second time: its install is
// not started (it exists). An upgrade starts where the manager can change
// its HelmChart for good, and stalls with what to do where it cannot; an
// uninstall always stalls.
func TestPlanPlatformAdopted(t *testing.T) {
	gitea := Installed{Ready: true, Health: v1alpha1.HealthHealthy, Version: "1.22.3", AdoptedBy: "k3s HelmChart kube-system/gitea"}
	ciliumBy := "k3s HelmChart kube-system/cilium in each server's manifests folder, which k3s applies again at every start"
	cilium := Installed{Ready: true, Health: v1alpha1.HealthHealthy, Version: "1.22.3", AdoptedBy: ciliumBy,
		NotUpgradable: v1alpha1.Adopted{InstalledBy: ciliumBy}.NotUpgradable()}
	cases := []struct {
		name   string
		inst   Installed
		ref    v1alpha1.ComponentRef
		starts []Start
		stall  string
	}{
		{name: "at its version: nothing to do", inst: gitea, ref: pinned("gitea", "1.22.3")},
		{name: "no version pinned: nothing to do", inst: gitea, ref: want("gitea")},
		{name: "an upgrade of a HelmChart the manager can change starts", inst: gitea, ref: pinned("gitea", "1.23.0"),
			starts: []Start{{Component: "gitea", Kind: KindUpgrade, To: "1.23.0"}}},
		{name: "an upgrade that would not last is refused with what to do", inst: cilium, ref: pinned("gitea", "1.23.0"),
			stall: "upgrade gitea: it runs as the bootstrap installed it (k3s HelmChart kube-system/cilium in each server's manifests folder, which k3s applies again at every start), so an upgrade by the manager would not last; set the platform back to version 1.22.3"},
		{name: "an uninstall is refused", inst: gitea, ref: unwanted("gitea"), stall: "uninstall gitea: it runs as the bootstrap installed it"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			plan := planPlatform(platform(2, tc.ref), map[string]Installed{"gitea": tc.inst}, nil, nil, time.Now())
			require.Equal(t, tc.starts, plan.Starts)
			stalled := meta.FindStatusCondition(plan.Status.Conditions, v1alpha1.ConditionStalled)
			if tc.stall == "" {
				require.Equal(t, metav1.ConditionFalse, stalled.Status)
				return
			}
			require.Equal(t, metav1.ConditionTrue, stalled.Status)
			require.Contains(t, stalled.Message, tc.stall)
		})
	}
}

func TestAdoptedStatus(t *testing.T) {
	a, err := v1alpha1.ParseAdopted(`{"name":"gitea","version":"1.22.3","chart":"gitea","installedBy":"k3s HelmChart kube-system/gitea",
		"workloads":[{"kind":"Deployment","namespace":"gitea","name":"gitea"},{"kind":"DaemonSet","namespace":"kube-system","name":"cilium"}]}`)
	require.NoError(t, err)
	c := &v1alpha1.Component{ObjectMeta: metav1.ObjectMeta{Name: "gitea", Generation: 3}, Spec: v1alpha1.ComponentSpec{Version: "1.22.3"}}
	cases := []struct {
		name       string
		problems   []string
		wantHealth string
		wantReady  metav1.ConditionStatus
		wantMsg    string
	}{
		{name: "every workload available", problems: []string{"", ""}, wantHealth: v1alpha1.HealthHealthy, wantReady: metav1.ConditionTrue,
			wantMsg: "installed by k3s HelmChart kube-system/gitea; its workloads are available"},
		{name: "one missing", problems: []string{"", kube.WorkloadNotFound}, wantHealth: v1alpha1.HealthDegraded, wantReady: metav1.ConditionFalse,
			wantMsg: "DaemonSet kube-system/cilium: not found"},
		{name: "one not available", problems: []string{"0 of 1 replicas available", ""}, wantHealth: v1alpha1.HealthDegraded, wantReady: metav1.ConditionFalse,
			wantMsg: "Deployment gitea/gitea: 0 of 1 replicas available"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var seen []kube.WorkloadState
			for i, p := range tc.problems {
				seen = append(seen, kube.WorkloadState{Workload: a.Workloads[i], Problem: p})
			}
			st := adoptedStatus(c, a, seen)
			require.Equal(t, tc.wantHealth, st.Health)
			require.Equal(t, v1alpha1.PhaseRunning, st.Phase, "it runs as the bootstrap installed it, healthy or not")
			require.Equal(t, "1.22.3", st.InstalledVersion)
			require.Equal(t, int64(3), st.ObservedGeneration)
			ready := meta.FindStatusCondition(st.Conditions, v1alpha1.ConditionReady)
			require.Equal(t, tc.wantReady, ready.Status)
			require.Contains(t, ready.Message, tc.wantMsg)
			again := adoptedStatus(&v1alpha1.Component{ObjectMeta: c.ObjectMeta, Spec: c.Spec, Status: st}, a, seen)
			require.Equal(t, st, again, "an unchanged world computes an equal status: nothing is patched")
		})
	}
}
