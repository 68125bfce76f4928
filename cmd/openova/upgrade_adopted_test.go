package main

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	crclient "sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/dev/testenv/k3s"
	"github.com/openova-io/core/dev/testenv/k3s/players"
	"github.com/openova-io/core/workflows"
)

// The substrate a bootstrap handed over, upgraded by the real manager
// from the Platform's spec: Gitea v1.26.1 → v1.27.0 and Flux v2.7.5 →
// v2.8.5, both adopted (k3s HelmCharts the bootstrap applied through the
// API), with k3s's Helm controller played. Gitea 1.27 is forward-only:
// unconfirmed, the Platform stalls saying so; confirmed, the catalog's
// backup Job runs first in Gitea's own namespace (the test plays the Job
// controller), then its HelmChart is patched to the new chart, the Job
// runs, the Deployment rolls out and the Component is Healthy at v1.27.0.
// Flux's new chart
// fails its Helm job: its HelmChart is patched back to the chart that
// ran, the Component is Healthy at v2.3.0 again and shows RolledBack, and
// the Platform says the upgrade stands rolled back. Neither goes through
// Crossplane.
func TestUpgradeAdoptedSubstrate_TestPlaysK3sHelmController(t *testing.T) {
	t.Parallel() // its own processes, ports, data dir and namespace
	e := startManagerEnv(t, 0)
	ctx := context.Background()
	_, err := envtest.InstallCRDs(e.kube.Config, envtest.CRDInstallOptions{CRDs: []*apiextv1.CustomResourceDefinition{k3s.HelmChartCRD(t)}})
	require.NoError(t, err)

	adopted := []v1alpha1.Adopted{
		{Name: "gitea", Version: "v1.26.1", Chart: "gitea", Repository: "https://dl.gitea.com/charts/", ChartVersion: "12.6.0", Category: "mandatory"},
		{Name: "flux", Version: "v2.7.5", Chart: "flux2", Repository: "https://fluxcd-community.github.io/helm-charts", ChartVersion: "2.17.2", Category: "mandatory"},
	}
	for i := range adopted {
		a := &adopted[i]
		a.HelmChart, a.Upgrade, a.InstalledBy = e.ns+"/"+a.Name, v1alpha1.UpgradeHelmChart, "k3s HelmChart "+e.ns+"/"+a.Name
		a.Workloads = []v1alpha1.Workload{{Kind: v1alpha1.KindDeployment, Namespace: e.ns, Name: a.Name}}
		require.NoError(t, e.c.Create(ctx, helmChartAt(e.ns, *a)))
		labels := map[string]string{"app": a.Name}
		d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: a.Name, Namespace: e.ns},
			Spec: appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: a.Name, Image: a.Name}}}}}}
		require.NoError(t, e.c.Create(ctx, d))
		d.Status = appsv1.DeploymentStatus{ObservedGeneration: d.Generation, Replicas: 1, AvailableReplicas: 1, ReadyReplicas: 1, UpdatedReplicas: 1}
		require.NoError(t, e.c.Status().Update(ctx, d))
	}
	players.PlayHelmUpgrades(t, e.kube.Config,
		players.HelmUpgrades{HelmChart: "gitea", HelmChartNamespace: e.ns, Namespace: e.ns, Deployments: []string{"gitea"}},
		players.HelmUpgrades{HelmChart: "flux", HelmChartNamespace: e.ns, Namespace: e.ns, Deployments: []string{"flux"}, Fail: map[string]bool{"2.18.3": true}})

	list := "["
	for i, a := range adopted {
		if i > 0 {
			list += ","
		}
		list += a.JSON()
	}
	require.NoError(t, e.c.Create(ctx, &v1alpha1.Platform{
		ObjectMeta: metav1.ObjectMeta{Name: "acme", Namespace: e.ns, Annotations: map[string]string{v1alpha1.AnnotationSubstrate: list + "]"}},
		Spec: v1alpha1.PlatformSpec{Organization: v1alpha1.Organization{Name: "acme", Domain: "acme.io"},
			Regions:    []v1alpha1.Region{{Name: "eu-central", Role: "primary"}},
			Components: []v1alpha1.ComponentRef{{Name: "gitea", Version: "v1.26.1"}, {Name: "flux", Version: "v2.7.5"}}},
	}))
	e.waitCondition(t, "acme", v1alpha1.ConditionReady, metav1.ConditionTrue, 2*time.Minute)

	// One at a time: a change of both is one multi-component upgrade,
	// which stops at the first that fails.
	e.update(t, "acme", func(p *v1alpha1.Platform) { p.Spec.Components[0].Version = "v1.27.0" })
	stalled := e.waitCondition(t, "acme", v1alpha1.ConditionStalled, metav1.ConditionTrue, time.Minute)
	require.Contains(t, stalled.Message, "gitea: v1.27.0 migrates data and cannot be rolled back: confirm the upgrade (its backup step runs first)")
	gitea, ok := catalog.Default().Components["gitea"].Find("v1.27.0")
	require.True(t, ok)
	require.NotNil(t, gitea.Backup)
	if err := e.c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: gitea.Backup.Namespace}}); !apierrors.IsAlreadyExists(err) {
		require.NoError(t, err)
	}
	go e.playJobIn(t, gitea.Backup.Namespace, activities.BackupName("gitea", "v1.27.0"))
	e.update(t, "acme", func(p *v1alpha1.Platform) { p.Spec.Components[0].ConfirmForwardOnly = true })
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		comps := e.components(ct)
		assertHealthyAt(ct, comps, "gitea", "v1.27.0")
		assertRolledBack(ct, comps, "gitea", false)
		a, err := v1alpha1.ParseAdopted(comps["gitea"].Annotations[v1alpha1.AnnotationAdopted])
		if assert.NoError(ct, err) {
			assert.Equal(ct, "v1.27.0", a.Version, "the adopted record follows the upgrade")
			assert.Equal(ct, "12.7.0", a.ChartVersion)
		}
	}, 2*time.Minute, 200*time.Millisecond, "gitea never upgraded")
	var backup batchv1.Job
	require.NoError(t, e.c.Get(ctx, crclient.ObjectKey{Namespace: gitea.Backup.Namespace, Name: activities.BackupName("gitea", "v1.27.0")}, &backup),
		"Gitea's backup ran in Gitea's namespace, where its volume is")
	require.Equal(t, "gitea-dump", backup.Spec.Template.Spec.Containers[0].Name)
	e.recordHistory(t, workflows.UpgradeID("acme", "gitea", "v1.27.0"), "upgradecomponent-v1-adopted")
	e.waitCondition(t, "acme", v1alpha1.ConditionReady, metav1.ConditionTrue, time.Minute)

	e.update(t, "acme", func(p *v1alpha1.Platform) { p.Spec.Components[1].Version = "v2.8.5" })
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		comps := e.components(ct)
		assertHealthyAt(ct, comps, "flux", "v2.7.5")
		assertRolledBack(ct, comps, "flux", true)
		stalled := meta.FindStatusCondition(e.platform(ct, "acme").Status.Conditions, v1alpha1.ConditionStalled)
		if assert.NotNil(ct, stalled) {
			assert.Equal(ct, metav1.ConditionTrue, stalled.Status)
			assert.Contains(ct, stalled.Message, "upgrade flux v2.7.5 → v2.8.5 failed: the Helm job")
			assert.Contains(ct, stalled.Message, "rolled back to v2.7.5")
		}
	}, 2*time.Minute, 200*time.Millisecond, "flux never rolled back")
	e.recordHistory(t, workflows.UpgradeID("acme", "flux", "v2.8.5"), "upgradecomponent-v1-adoptedrolledback")
	require.Equal(t, "12.7.0", helmChartVersion(t, e.c, e.ns, "gitea"))
	require.Equal(t, "2.17.2", helmChartVersion(t, e.c, e.ns, "flux"), "rolled back to the chart that ran")
	xrs := &unstructured.UnstructuredList{}
	xrs.SetGroupVersionKind(v1alpha1.ReleaseGVK.GroupVersion().WithKind(v1alpha1.ReleaseGVK.Kind + "List"))
	require.NoError(t, e.c.List(ctx, xrs, crclient.InNamespace(e.ns)))
	require.Empty(t, xrs.Items, "no Crossplane release for an adopted component")
}

// helmChartAt is the k3s HelmChart that installed an adopted component.
func helmChartAt(ns string, a v1alpha1.Adopted) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "helm.cattle.io/v1", "kind": "HelmChart",
		"metadata": map[string]any{"name": a.Name, "namespace": ns},
		"spec":     map[string]any{"chart": a.Chart, "repo": a.Repository, "version": a.ChartVersion, "targetNamespace": ns},
	}}
}

// helmChartVersion is the chart version a HelmChart asks for.
func helmChartVersion(t *testing.T, c crclient.Client, ns, name string) string {
	t.Helper()
	hc := &unstructured.Unstructured{}
	hc.SetAPIVersion("helm.cattle.io/v1")
	hc.SetKind("HelmChart")
	require.NoError(t, c.Get(context.Background(), crclient.ObjectKey{Namespace: ns, Name: name}, hc))
	v, _, _ := unstructured.NestedString(hc.Object, "spec", "version")
	return v
}
