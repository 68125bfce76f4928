package workflows

import (
	"fmt"
	"strconv"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/bootstrap"
	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/secret"
)

// The substrate (ChangeBootstrapSubstrate): what the manager needs in each
// region before it can be deployed. Once a region's API answers: Cilium
// ready on every node and the cloud's metadata service closed to pods,
// Gitea with the organization's platform repository, Flux syncing it.
// Then, once every region is there: the substrate committed to the
// primary's repository (Flux installs Crossplane from it), pushed to the
// standby's by a push mirror over the link, and Crossplane ready in each.

// addClusterSteps adds the region's steps after its API answers.
func (r *region) addClusterSteps() {
	r.steps.cilium = r.addStep("start Cilium in " + r.spec.Name)
	r.steps.gitea = r.addStep("install Gitea in " + r.spec.Name)
	r.steps.flux = r.addStep("install Flux in " + r.spec.Name)
}

// addSubstrateSteps adds the steps once every region is built.
func (b *bootstrapRun) addSubstrateSteps() {
	if !b.substrate {
		return
	}
	p := b.primary()
	p.steps.commit = p.addStep("commit the substrate to the platform repository")
	if b.linked() {
		p.steps.mirror = p.addStep("mirror the platform repository from " + p.spec.Name + " to " + p.peer().spec.Name)
	}
	for _, r := range b.regions {
		r.steps.crossplane = r.addStep("wait for Crossplane in " + r.spec.Name)
	}
	b.steps.ready = b.progress.add("substrate ready")
}

// layout commits the substrate, mirrors it, and waits for Crossplane.
func (b *bootstrapRun) layout(ctx workflow.Context) error {
	p := b.primary()
	if err := b.attempt(ctx, p, p.steps.commit, b.commitSubstrate); err != nil {
		return err
	}
	if b.linked() {
		if err := b.attempt(ctx, p, p.steps.mirror, b.mirror); err != nil {
			return err
		}
	}
	err := b.eachRegion(ctx, func(ctx workflow.Context, r *region) error {
		return b.attempt(ctx, r, r.steps.crossplane, r.waitCrossplane)
	})
	if err != nil {
		return err
	}
	// The run's last line: what part 2b deploys the manager onto.
	b.progress.start(ctx, b.steps.ready)
	names := ""
	for i, r := range b.regions {
		if i > 0 {
			names += " and "
		}
		names += r.spec.Name
	}
	b.progress.note(b.steps.ready, "Cilium, Gitea, Flux and Crossplane run in "+names)
	b.progress.finish(ctx, b.steps.ready, nil)
	return nil
}

// deadline is how long a wait of a region's substrate may take.
func (r *region) deadline() time.Duration { return orDefault(r.b.in.APITimeout, defaultAPITimeout) }

// chart is the catalog chart of a substrate component the run resolved.
func (b *bootstrapRun) chart(component string) (catalog.HelmChartRef, error) {
	c := bootstrap.ChartOf(b.result.Components, component)
	if c == nil {
		return catalog.HelmChartRef{}, temporal.NewNonRetryableApplicationError(
			"the catalog gives no Helm chart for "+component+", which the bootstrap installs: fix the catalog entry, then start again", ErrNoChart, nil)
	}
	return catalog.HelmChartRef{Name: c.Name, Repository: c.Repository, Version: c.Version}, nil
}

// startCilium waits until Cilium has made every node Ready, then closes
// the cloud's metadata service to pods.
func (r *region) startCilium(ctx workflow.Context) error {
	var c *activities.Clusters
	nodes := make([]string, len(r.outputs.Nodes))
	for i, n := range r.outputs.Nodes {
		nodes[i] = n.Name
	}
	var cni activities.CNIResult
	err := workflow.ExecuteActivity(waitUntil(ctx, r.deadline()), c.WaitCNI, activities.CNIInput{
		Cluster: r.clusterName(), Kubeconfig: r.cluster.Kubeconfig, Nodes: nodes, Deadline: workflow.Now(ctx).Add(r.deadline()),
	}).Get(ctx, &cni)
	if err != nil {
		return err
	}
	var pol activities.MetadataPolicyResult
	err = workflow.ExecuteActivity(apiCall(ctx), c.BlockCloudMetadata, activities.MetadataPolicyInput{
		Cluster: r.clusterName(), Kubeconfig: r.cluster.Kubeconfig}).Get(ctx, &pol)
	if err != nil {
		return err
	}
	r.b.progress.note(r.steps.cilium, fmt.Sprintf("%d nodes ready; pods cannot reach the metadata service (%s)", cni.NodesReady, pol.Policy))
	return nil
}

// giteaHost is the name Gitea serves under: gitea.<region>.<domain>.
func (r *region) giteaHost() string { return "gitea." + r.spec.Name + "." + r.b.in.Domain }

// gatewayPrivateIP is cp-0's private address, where the other region's
// push mirror reaches this Gitea over the link ("" when not in the outputs).
func (r *region) gatewayPrivateIP() string {
	for _, n := range r.outputs.Nodes {
		if n.Name == r.clusterName()+"-cp-0" {
			return n.PrivateIPv4
		}
	}
	return ""
}

// gitea is the region's Gitea as the bootstrap reaches it: through the
// load balancer, trusting the cluster's server CA.
func (r *region) gitea() activities.GiteaEndpoint {
	return activities.GiteaEndpoint{Region: r.spec.Name, URL: "https://" + r.outputs.GiteaEndpoint, Username: bootstrap.GiteaAdmin,
		Password: r.secrets.GiteaAdminPassword, CA: r.secrets.PKI.ServerCA}
}

// installGitea issues Gitea's certificate (for the load balancer, its
// name and the gateway's private address), installs the chart, waits
// until Gitea answers, and makes the organization and its platform
// repository. Each region's Gitea trusts the other's CA for its mirror.
func (r *region) installGitea(ctx workflow.Context) error {
	chart, err := r.b.chart("gitea")
	if err != nil {
		return err
	}
	hosts := []string{r.outputs.LoadBalancerIPv4, r.giteaHost()}
	if ip := r.gatewayPrivateIP(); ip != "" && r.b.linked() {
		hosts = append(hosts, ip)
	}
	var c *activities.Clusters
	var cert activities.ServingCertResult
	err = workflow.ExecuteActivity(apiCall(ctx), c.IssueServingCert, activities.ServingCertInput{
		Cluster: r.clusterName(), PKI: r.secrets.PKI, Name: r.giteaHost(), Hosts: hosts}).Get(ctx, &cert)
	if err != nil {
		return err
	}
	port := r.b.in.GiteaPort
	if port == 0 {
		port = activities.GiteaPort
	}
	in := activities.InstallGiteaInput{Cluster: r.clusterName(), Kubeconfig: r.cluster.Kubeconfig, Chart: chart,
		RootURL:       "https://" + r.giteaHost() + ":" + strconv.Itoa(port) + "/",
		AdminUsername: bootstrap.GiteaAdmin, AdminPassword: r.secrets.GiteaAdminPassword, TLSCert: cert.Cert, TLSKey: cert.Key}
	// Both ways: the primary pushes its mirror to the standby, and after
	// a Promote the standby pushes to the old primary.
	if p := r.peer(); p != nil {
		in.MirrorCA = p.secrets.PKI.ServerCA
	}
	var g *activities.Gitea
	if err := workflow.ExecuteActivity(apiCall(ctx), g.InstallGitea, in).Get(ctx, nil); err != nil {
		return err
	}
	var up activities.WaitGiteaResult
	err = workflow.ExecuteActivity(waitUntil(ctx, r.deadline()), g.WaitGitea, activities.WaitGiteaInput{
		Gitea: r.gitea(), CA: r.secrets.PKI.ServerCA, Deadline: workflow.Now(ctx).Add(r.deadline())}).Get(ctx, &up)
	if err != nil {
		return err
	}
	org := r.b.in.Organization
	if err := workflow.ExecuteActivity(apiCall(ctx), g.EnsureGiteaOrg, activities.EnsureGiteaOrgInput{Gitea: r.gitea(), Org: org}).Get(ctx, nil); err != nil {
		return err
	}
	err = workflow.ExecuteActivity(apiCall(ctx), g.EnsureGiteaRepository, activities.EnsureGiteaRepositoryInput{
		Gitea: r.gitea(), Org: org, Repo: PlatformRepository}).Get(ctx, nil)
	if err != nil {
		return err
	}
	r.b.progress.note(r.steps.gitea, "Gitea "+up.Version+" at https://"+r.outputs.GiteaEndpoint+"/"+org+"/"+PlatformRepository)
	return nil
}

// repoURL is the platform repository as Flux in the region reaches it.
func (r *region) repoURL() string {
	return "https://" + r.outputs.GiteaEndpoint + "/" + r.b.in.Organization + "/" + PlatformRepository + ".git"
}

// installFlux installs Flux's chart, waits for its controllers, and
// points it at the region's platform repository with a read-only token.
func (r *region) installFlux(ctx workflow.Context) error {
	chart, err := r.b.chart("flux")
	if err != nil {
		return err
	}
	var f *activities.Flux
	err = workflow.ExecuteActivity(apiCall(ctx), f.InstallFlux, activities.InstallFluxInput{
		Region: r.spec.Name, Kubeconfig: r.cluster.Kubeconfig, Chart: chart}).Get(ctx, nil)
	if err != nil {
		return err
	}
	err = workflow.ExecuteActivity(waitUntil(ctx, r.deadline()), f.WaitFluxReady, activities.WaitFluxReadyInput{
		Region: r.spec.Name, Kubeconfig: r.cluster.Kubeconfig, Deadline: workflow.Now(ctx).Add(r.deadline())}).Get(ctx, nil)
	if err != nil {
		return err
	}
	var token secret.Text
	if err := r.giteaToken(ctx, FluxTokenName, []string{"read:repository"}, &token); err != nil {
		return err
	}
	// No Wait: the substrate's Kustomizations under the platform path
	// depend on this one (see ApplyFluxSyncInput.Wait).
	err = workflow.ExecuteActivity(apiCall(ctx), f.ApplyFluxSync, activities.ApplyFluxSyncInput{
		Region: r.spec.Name, Kubeconfig: r.cluster.Kubeconfig, RepoURL: r.repoURL(), Username: bootstrap.GiteaAdmin,
		Token: token, CA: r.secrets.PKI.ServerCA}).Get(ctx, nil)
	if err != nil {
		return err
	}
	r.b.progress.note(r.steps.flux, "Flux (its chart "+chart.Name+" "+chart.Version+") syncs "+r.repoURL())
	return nil
}

// commitSubstrate writes every region's substrate into the primary's
// platform repository (the standby's is its mirror).
func (b *bootstrapRun) commitSubstrate(ctx workflow.Context) error {
	chart, err := b.chart("crossplane")
	if err != nil {
		return err
	}
	p := b.primary()
	var g *activities.Gitea
	files := 0
	var commit string
	for _, r := range b.regions {
		var res activities.CommitSubstrateResult
		err := workflow.ExecuteActivity(apiCall(ctx), g.CommitSubstrate, activities.CommitSubstrateInput{
			Gitea: p.gitea(), Org: b.in.Organization, Repo: PlatformRepository, Region: r.spec.Name, Crossplane: chart, Wait: true,
		}).Get(ctx, &res)
		if err != nil {
			return err
		}
		files += len(res.Files)
		commit = res.Commit
	}
	b.commit = commit
	b.progress.note(p.steps.commit, fmt.Sprintf("%d files, at %.12s", files, commit))
	return nil
}

// mirror makes the primary's repository push to the standby's over the
// link, to the standby gateway's private address, and proves it by a sync.
func (b *bootstrapRun) mirror(ctx workflow.Context) error {
	p := b.primary()
	s := p.peer()
	address := "https://" + s.gatewayPrivateIP() + ":" + strconv.Itoa(activities.GiteaNodePort) + "/" +
		b.in.Organization + "/" + PlatformRepository + ".git"
	var g *activities.Gitea
	var res activities.EnsureGiteaPushMirrorResult
	err := workflow.ExecuteActivity(gitCall(ctx), g.EnsureGiteaPushMirror, activities.EnsureGiteaPushMirrorInput{
		Source: p.gitea(), Target: s.gitea(), Org: b.in.Organization, Repo: PlatformRepository, TargetAddress: address,
	}).Get(ctx, &res)
	if err != nil {
		return err
	}
	b.progress.note(p.steps.mirror, fmt.Sprintf("pushes to %s, at %.12s", res.Address, res.Commit))
	return nil
}

// waitCrossplane waits until the region's Flux has applied the substrate's
// commit (asking Flux to fetch it now rather than at its next interval)
// and Crossplane with provider-helm is ready for the manager.
func (r *region) waitCrossplane(ctx workflow.Context) error {
	var f *activities.Flux
	deadline := workflow.Now(ctx).Add(r.deadline())
	var synced activities.WaitFluxSyncedResult
	err := workflow.ExecuteActivity(waitUntil(ctx, r.deadline()), f.WaitFluxSynced, activities.WaitFluxSyncedInput{
		Region: r.spec.Name, Kubeconfig: r.cluster.Kubeconfig, Commit: r.b.commit, Deadline: deadline}).Get(ctx, &synced)
	if err != nil {
		return err
	}
	err = workflow.ExecuteActivity(waitUntil(ctx, r.deadline()), f.WaitCrossplaneReady, activities.WaitCrossplaneReadyInput{
		Region: r.spec.Name, Kubeconfig: r.cluster.Kubeconfig, Deadline: deadline}).Get(ctx, nil)
	if err != nil {
		return err
	}
	r.b.progress.note(r.steps.crossplane, "Flux applied "+synced.Revision+"; Crossplane and provider-helm are ready")
	return nil
}
