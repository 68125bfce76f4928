package workflows

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/crds/v1alpha1"
)

// adoptedEnv is newEnv with the activities of an adopted component's
// upgrade: the HelmChart's chart version (patched or committed), the
// Helm job's wait (which fails for the chart versions in failChart, keyed
// by component) and the record of the version reached.
func (f *fakeCluster) adoptedEnv() *testsuite.TestWorkflowEnvironment {
	env := f.newEnv()
	var k *activities.Kubernetes
	var g *activities.Git
	env.OnActivity(k.PatchHelmChart, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.HelmChartVersion) (activities.PatchHelmChartResult, error) {
			f.log("patch " + in.HelmChart + " " + in.Chart + " " + in.Version)
			return activities.PatchHelmChartResult{Generation: 2}, nil
		})
	env.OnActivity(g.SetHelmChartVersion, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.SetHelmChartVersionInput) (activities.CommitManifestResult, error) {
			f.log("git " + in.Git.URL + " " + in.File + " " + in.HelmChart + " " + in.Version)
			return activities.CommitManifestResult{Commit: "c0ffee", Changed: true}, nil
		})
	env.OnActivity(k.WaitHelmChart, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.WaitHelmChartInput) (activities.WaitHelmChartResult, error) {
			f.log("wait " + in.HelmChart + " " + in.Version)
			for name, v := range f.failChart {
				if f.adopted[name] != nil && f.adopted[name].HelmChart == in.HelmChart && v == in.Version {
					return activities.WaitHelmChartResult{}, temporal.NewNonRetryableApplicationError(
						"the Helm job kube-system/helm-install-"+name+" for chart version "+v+" failed: BackoffLimitExceeded", activities.ErrHelmJobFailed, nil)
				}
			}
			return activities.WaitHelmChartResult{}, nil
		})
	env.OnActivity(k.RecordAdopted, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RecordAdoptedInput) (activities.RecordAdoptedResult, error) {
			f.log("record " + in.Name + " " + in.Version + " " + in.ChartVersion + " " + in.Adopted.HelmChart)
			return activities.RecordAdoptedResult{}, nil
		})
	return env
}

func adoptedGitea(upgrade string) *v1alpha1.Adopted {
	return &v1alpha1.Adopted{Name: "gitea", Version: "1.22.3", Chart: "gitea", Repository: "https://dl.gitea.com/charts/", ChartVersion: "10.6.0",
		InstalledBy: "k3s HelmChart kube-system/gitea", HelmChart: "kube-system/gitea", Upgrade: upgrade,
		GitFile:   map[string]string{v1alpha1.UpgradeGitFile: "clusters/fsn1/substrate.yaml"}[upgrade],
		Workloads: []v1alpha1.Workload{{Kind: v1alpha1.KindDeployment, Namespace: "gitea", Name: "gitea"}}}
}

// A component the bootstrap installed is upgraded, and rolled back, by
// the chart version of its k3s HelmChart, where that change lasts: patched
// in the cluster, or committed to the platform repository's file that
// Flux applies. It never goes through Crossplane (it has no release), and
// one whose HelmChart k3s applies again at every start is refused with
// nothing changed.
func TestUpgradeComponentAdopted(t *testing.T) {
	gitops := Delivery{Mode: v1alpha1.DeliveryGitOps, Git: activities.GitTarget{URL: "https://gitea.acme/acme/platform.git", Branch: "main"}}
	cases := []struct {
		name      string
		upgrade   string
		delivery  Delivery
		failChart string
		want      []string // the adopted activities, in order
		wantType  string
		wantErr   string
		alerts    int
	}{
		{name: "a HelmChart applied through the API is patched", upgrade: v1alpha1.UpgradeHelmChart,
			want: []string{"patch kube-system/gitea gitea 10.7.0", "wait kube-system/gitea 10.7.0", "record gitea 1.23.0 10.7.0 kube-system/gitea"}},
		{name: "a HelmChart Flux applies is committed", upgrade: v1alpha1.UpgradeGitFile, delivery: gitops,
			want: []string{"git https://gitea.acme/acme/platform.git clusters/fsn1/substrate.yaml kube-system/gitea 10.7.0",
				"wait kube-system/gitea 10.7.0", "record gitea 1.23.0 10.7.0 kube-system/gitea"}},
		{name: "a failed Helm job rolls back to the chart that ran", upgrade: v1alpha1.UpgradeHelmChart, failChart: "10.7.0",
			want: []string{"patch kube-system/gitea gitea 10.7.0", "wait kube-system/gitea 10.7.0",
				"patch kube-system/gitea gitea 10.6.0", "wait kube-system/gitea 10.6.0", "record gitea 1.22.3 10.6.0 kube-system/gitea"},
			wantType: ErrRolledBack, wantErr: "upgrade gitea 1.22.3 → 1.23.0 failed: the Helm job kube-system/helm-install-gitea for chart version 10.7.0 failed: BackoffLimitExceeded; rolled back to 1.22.3",
			alerts: 1},
		{name: "a HelmChart k3s applies again at every start is refused before anything changed", upgrade: "",
			wantType: ErrAdoptedNotUpgradable, wantErr: "runs as the bootstrap installed it (k3s HelmChart kube-system/gitea): a change by the manager would not last; nothing changed"},
		{name: "a HelmChart in Git without GitOps delivery is refused before anything changed", upgrade: v1alpha1.UpgradeGitFile,
			wantType: ErrAdoptedNotUpgradable, wantErr: "the platform is not delivered through Git"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeCluster(catalog.Plan{})
			f.adopted = map[string]*v1alpha1.Adopted{"gitea": adoptedGitea(tc.upgrade)}
			f.upgrade = activities.CheckUpgradeResult{Plan: catalog.UpgradePlan{Component: "gitea",
				From: catalog.Version{Version: "1.22.3"}, To: catalog.Version{Version: "1.23.0"}, Crosses: []catalog.Version{{Version: "1.23.0"}}},
				ChartVersion: "10.7.0", FromChartVersion: "10.6.1"}
			f.failChart = map[string]string{"gitea": tc.failChart}
			env := f.adoptedEnv()
			env.ExecuteWorkflow(UpgradeComponent, UpgradeComponentInput{Platform: "acme", Namespace: "ns", Component: "gitea", To: "1.23.0",
				Delivery: tc.delivery, ReadyTimeout: time.Minute})
			require.True(t, env.IsWorkflowCompleted())
			var got []string
			for _, c := range f.calls {
				for _, p := range []string{"patch ", "git ", "wait ", "record "} {
					if len(c) > len(p) && c[:len(p)] == p {
						got = append(got, c)
					}
				}
			}
			require.Equal(t, tc.want, got)
			require.Empty(t, f.callsOf("apply "), "no Crossplane release for an adopted component")
			require.Empty(t, f.callsOf("commit "), "no release committed either")
			require.Len(t, f.alerts, tc.alerts)
			err := env.GetWorkflowError()
			if tc.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tc.wantErr)
			var app *temporal.ApplicationError
			require.True(t, errors.As(err, &app))
			require.Equal(t, tc.wantType, app.Type())
		})
	}
}
