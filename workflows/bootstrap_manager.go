package workflows

import (
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/bootstrap"
	"github.com/openova-io/core/cloud"
	"github.com/openova-io/core/secret"
)

// The manager (ChangeBootstrapManager): before approval the run checks
// that this executable can be the manager's image for the nodes; once the
// substrate is ready it pushes that image by digest into each region's
// Gitea registry, then deploys the manager in the primary: its TLS and
// admin-hash Secrets through the API, its manifests (the image by digest)
// committed for Flux, and a wait until it answers over verified TLS.

// managerRun is what the manager's phase keeps: the nodes' architecture,
// the generated first admin and the serving pair (each made once, so a
// retry after kill -9 reuses them), and what each region was pushed.
type managerRun struct {
	arch string
	// published is the release's image the nodes run when this
	// executable cannot be theirs (repository@sha256:…): nothing is
	// pushed then.
	published string
	admin     activities.ManagerAdmin
	cert      activities.ServingCertResult
	pull      secret.Text
	// recovery is the primary Gitea's admin token for the bundle.
	recovery secret.Text
	// git is the manager's token for its commits (the hand-off's).
	git secret.Text
}

// addManagerSteps adds each region's push, the primary's deploy and the
// run's last line.
func (b *bootstrapRun) addManagerSteps() {
	if !b.managed {
		return
	}
	for _, r := range b.regions {
		r.steps.push = r.addStep("push the manager's image to " + r.spec.Name)
	}
	p := b.primary()
	p.steps.manager = p.addStep("deploy the manager in " + p.spec.Name)
	b.addHandOffStep()
	b.steps.manager = b.progress.add("manager ready")
}

// checkImage finds the nodes' architecture from the cloud's sizes (every
// node of every region must share one: the image has one) and asks
// whether this executable can be the image for it.
func (b *bootstrapRun) checkImage(ctx workflow.Context) error {
	// Architectures in the order first seen (a slice: workflow code
	// never ranges over a map), each with the sizes that have it.
	var order []string
	arches := map[string][]string{}
	for _, r := range b.in.Regions {
		loc := cloud.Location{}
		for _, l := range b.locations {
			if l.Name == r.Name {
				loc = l
			}
		}
		for _, size := range []string{r.ControlPlaneSize, r.WorkerSize} {
			a := loc.Architectures[size]
			if a == "" {
				return temporal.NewNonRetryableApplicationError(fmt.Sprintf(
					"the cloud gives no CPU architecture for size %s in %s, so the manager's image cannot be chosen: choose another size", size, r.Name), activities.ErrManagerImage, nil)
			}
			if _, seen := arches[a]; !seen {
				order = append(order, a)
			}
			arches[a] = append(arches[a], r.Name+" "+size)
		}
	}
	if len(order) > 1 {
		var mix []string
		for _, a := range order {
			mix = append(mix, a+" ("+strings.Join(arches[a], ", ")+")")
		}
		sort.Strings(mix)
		return temporal.NewNonRetryableApplicationError("the nodes mix CPU architectures, "+strings.Join(mix, " and ")+
			", and the manager's image is built for one: choose sizes of one architecture (Hetzner's cax sizes are arm64, the others amd64)", activities.ErrManagerImage, nil)
	}
	b.mgr.arch = order[0]
	var g *activities.Gitea
	var res activities.ManagerImageCheck
	err := workflow.ExecuteActivity(apiCall(ctx), g.CheckManagerImage, activities.ManagerImageCheckInput{OS: "linux", Architecture: b.mgr.arch}).Get(ctx, &res)
	if err != nil {
		return err
	}
	b.mgr.published = res.Published
	b.progress.note(b.steps.image, "the nodes will run "+res.Image)
	return nil
}

// deployManager pushes the image to every region, then deploys the
// manager in the primary.
func (b *bootstrapRun) deployManager(ctx workflow.Context) error {
	err := b.eachRegion(ctx, func(ctx workflow.Context, r *region) error {
		if b.mgr.published != "" {
			b.progress.skip(r.steps.push, "the nodes run the release's published image "+b.mgr.published)
			return nil
		}
		return b.attempt(ctx, r, r.steps.push, r.pushImage)
	})
	if err != nil {
		return err
	}
	p := b.primary()
	if err := b.attempt(ctx, p, p.steps.manager, p.deployManager); err != nil {
		return err
	}
	if b.handoff {
		if err := b.attempt(ctx, p, p.steps.handoff, p.handOver); err != nil {
			return err
		}
	}
	m := b.result.Manager
	b.progress.start(ctx, b.steps.manager)
	b.progress.note(b.steps.manager, "the manager answers at "+m.AddressURL+" and, once "+m.DNSRecord+" exists, at "+m.URL)
	b.progress.finish(ctx, b.steps.manager, nil)
	return nil
}

// pushImage pushes the manager's image into the region's Gitea registry.
func (r *region) pushImage(ctx workflow.Context) error {
	var g *activities.Gitea
	err := workflow.ExecuteActivity(gitCall(ctx), g.PushManagerImage, activities.PushManagerImageInput{
		Gitea: r.gitea(), Org: r.b.in.Organization, OS: "linux", Architecture: r.b.mgr.arch}).Get(ctx, &r.image)
	if err != nil {
		return err
	}
	r.b.progress.note(r.steps.push, r.image.Repository+"@"+r.image.Digest)
	return nil
}

// recoveryScopes are what the recovery bundle's Gitea token may do: all
// a site admin can, to rebuild or move the platform repository.
var recoveryScopes = []string{"write:admin", "write:organization", "write:repository", "write:package", "write:user"}

// managerImage is the repository and digest the region's Deployment
// names: what pushImage pushed, or the release's published image.
func (r *region) managerImage() (repo, digest string) {
	if p := r.b.mgr.published; p != "" {
		repo, digest, _ = strings.Cut(p, "@")
		return repo, digest
	}
	return r.image.Repository, r.image.Digest
}

// managerHost is the name the manager serves under: manager.<domain>.
func (r *region) managerHost() string { return "manager." + r.b.in.Domain }

// deployManager gives the region's manager its Secrets, commits its
// manifests for Flux, and waits until it answers.
func (r *region) deployManager(ctx workflow.Context) error {
	b := r.b
	if err := r.managerCredentials(ctx); err != nil {
		return err
	}
	var c *activities.Clusters
	var g *activities.Gitea
	// The pull secret is for the region's Gitea registry (where pushImage
	// pushed); a published image is public and pulled without it.
	registry := r.outputs.GiteaEndpoint
	err := workflow.ExecuteActivity(apiCall(ctx), c.ApplyManagerSecrets, activities.ManagerSecretsInput{
		Cluster: r.clusterName(), Kubeconfig: r.cluster.Kubeconfig, TLSCert: b.mgr.cert.Cert, TLSKey: b.mgr.cert.Key, AdminHash: b.mgr.admin.Hash,
		Registry: registry, PullUser: bootstrap.GiteaAdmin, PullToken: b.mgr.pull,
	}).Get(ctx, nil)
	if err != nil {
		return err
	}
	repo, digest := r.managerImage()
	var commit activities.CommitSubstrateResult
	err = workflow.ExecuteActivity(apiCall(ctx), g.CommitManager, activities.CommitManagerInput{
		Gitea: r.gitea(), Org: b.in.Organization, Repo: PlatformRepository,
		Manager: activities.ManagerFilesInput{Region: r.spec.Name, Repository: repo, Digest: digest},
	}).Get(ctx, &commit)
	if err != nil {
		return err
	}
	deadline := workflow.Now(ctx).Add(r.deadline())
	var f *activities.Flux
	err = workflow.ExecuteActivity(waitUntil(ctx, r.deadline()), f.WaitFluxSynced, activities.WaitFluxSyncedInput{
		Region: r.spec.Name, Kubeconfig: r.cluster.Kubeconfig, Commit: commit.Commit, Deadline: deadline}).Get(ctx, nil)
	if err != nil {
		return err
	}
	endpoint := r.outputs.ManagerEndpoint
	if endpoint == "" {
		endpoint = net.JoinHostPort(r.outputs.LoadBalancerIPv4, strconv.Itoa(bootstrap.ManagerPortOr(b.in.ManagerPort)))
	}
	var up activities.WaitManagerResult
	err = workflow.ExecuteActivity(waitUntil(ctx, r.deadline()), c.WaitManager, activities.WaitManagerInput{
		Region: r.spec.Name, URL: "https://" + endpoint, CA: r.secrets.PKI.ServerCA, ServerName: r.managerHost(), Deadline: deadline,
	}).Get(ctx, &up)
	if err != nil {
		return err
	}
	b.result.Manager = r.access(endpoint, up.CertFingerprint, repo+"@"+digest)
	r.b.progress.note(r.steps.manager, fmt.Sprintf("Flux applied %.12s; the manager answers over TLS (certificate %s)", commit.Commit, up.CertFingerprint))
	return nil
}

// managerCredentials makes what the manager's deploy needs, each once per
// run (a Retry reuses them, so the password shown is the one whose hash
// the manager gets): the first admin, the serving pair, the registry's
// read-only token and the recovery bundle's Gitea token.
func (r *region) managerCredentials(ctx workflow.Context) error {
	m := &r.b.mgr
	var c *activities.Clusters
	if m.admin.Hash == "" {
		err := workflow.ExecuteActivity(apiCall(ctx), c.GenerateManagerAdmin, activities.ManagerAdminInput{Organization: r.b.in.Organization}).Get(ctx, &m.admin)
		if err != nil {
			return err
		}
	}
	if m.cert.Cert == "" {
		err := workflow.ExecuteActivity(apiCall(ctx), c.IssueServingCert, activities.ServingCertInput{
			Cluster: r.clusterName(), PKI: r.secrets.PKI, Name: r.managerHost(), Hosts: []string{r.outputs.LoadBalancerIPv4, r.managerHost()}}).Get(ctx, &m.cert)
		if err != nil {
			return err
		}
	}
	if m.pull == "" {
		if err := r.giteaToken(ctx, RegistryTokenName, []string{"read:package"}, &m.pull); err != nil {
			return err
		}
	}
	if m.recovery == "" {
		return r.giteaToken(ctx, RecoveryTokenName, recoveryScopes, &m.recovery)
	}
	return nil
}

// access is how the final page names the manager: its URLs (the port
// only where it is not 443), the DNS record, the CA and the password.
func (r *region) access(endpoint, certFingerprint, image string) *bootstrap.Manager {
	host, port, _ := net.SplitHostPort(endpoint)
	suffix := ""
	if port != "" && port != strconv.Itoa(bootstrap.ManagerPort) {
		suffix = ":" + port
	}
	return &bootstrap.Manager{
		Region: r.spec.Name, URL: "https://" + r.managerHost() + suffix, AddressURL: "https://" + host + suffix,
		DNSRecord: r.managerHost() + ". A " + host, DNSZone: r.b.in.DNSZone, CA: r.secrets.PKI.ServerCA, CAFingerprint: activities.PEMFingerprint(r.secrets.PKI.ServerCA),
		CertFingerprint: certFingerprint, Image: image, Password: r.b.mgr.admin.Password,
		GiteaURL: r.gitea().URL, GiteaToken: r.b.mgr.recovery,
	}
}
