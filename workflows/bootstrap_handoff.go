package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/bootstrap"
)

// The hand-off (ChangeBootstrapHandOff): once the manager answers, the
// bootstrap gives it what it needs to run the platform on its own and
// commits the Platform for Flux to apply. The manager's Git credentials
// come first, so its first GitOps commit can land; then the Platform
// (activities.PlatformFiles): the components resolved before approval,
// each pinned, in GitOps mode on the primary's platform repository, with
// the substrate the bootstrap installed listed for adoption, so the
// manager takes Cilium, Gitea, Flux and Crossplane over at their versions
// and installs only the rest through Crossplane.

// managerGitScopes are what the manager's Git token may do: commit to the
// platform repository, nothing more.
var managerGitScopes = []string{"write:repository"}

// addHandOffStep adds the primary's hand-off after its manager's deploy.
func (b *bootstrapRun) addHandOffStep() {
	if !b.handoff {
		return
	}
	p := b.primary()
	p.steps.handoff = p.addStep("hand " + b.in.Organization + " over to the manager")
}

// handOver gives the manager its Git Secret, commits the Platform and
// waits until the region's Flux has applied it. Each part is idempotent:
// a Retry or a replayed activity re-applies the same Secret and commits
// nothing new.
func (r *region) handOver(ctx workflow.Context) error {
	b := r.b
	if b.mgr.git == "" {
		if err := r.giteaToken(ctx, ManagerGitTokenName, managerGitScopes, &b.mgr.git); err != nil {
			return err
		}
	}
	var c *activities.Clusters
	err := workflow.ExecuteActivity(apiCall(ctx), c.ApplyManagerGit, activities.ManagerGitInput{
		Cluster: r.clusterName(), Kubeconfig: r.cluster.Kubeconfig, RepoURL: r.repoURL(),
		Username: bootstrap.GiteaAdmin, Token: b.mgr.git, CA: r.secrets.PKI.ServerCA,
	}).Get(ctx, nil)
	if err != nil {
		return err
	}
	var g *activities.Gitea
	var commit activities.CommitSubstrateResult
	err = workflow.ExecuteActivity(apiCall(ctx), g.CommitPlatform, activities.CommitPlatformInput{
		Gitea: r.gitea(), Org: b.in.Organization, Repo: PlatformRepository,
		Platform: activities.PlatformFilesInput{Region: r.spec.Name, Organization: b.in.Organization, Domain: b.in.Domain,
			Regions: b.in.Regions, Components: b.result.Components, RepoURL: r.repoURL()},
	}).Get(ctx, &commit)
	if err != nil {
		return err
	}
	var f *activities.Flux
	err = workflow.ExecuteActivity(waitUntil(ctx, r.deadline()), f.WaitFluxSynced, activities.WaitFluxSyncedInput{
		Region: r.spec.Name, Kubeconfig: r.cluster.Kubeconfig, Commit: commit.Commit, Deadline: workflow.Now(ctx).Add(r.deadline()),
	}).Get(ctx, nil)
	if err != nil {
		return err
	}
	b.progress.note(r.steps.handoff, fmt.Sprintf("Flux applied %.12s: the Platform %s with %d components; the manager adopts what the bootstrap installed and installs the rest",
		commit.Commit, b.in.Organization, len(b.result.Components)))
	return nil
}
