package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/bootstrap"
	"github.com/openova-io/core/mesh"
)

// The WireGuard link between two regions (ChangeBootstrapSubstrate). Each
// region's cp-0 is its gateway. A gateway's wg0.conf names the other's
// public address, so both addresses are reserved first (a targeted apply
// of bootstrap.GatewayResources); then one activity makes the keys and
// both files, which reach the gateways through the full apply's cloud-init
// and otherwise live only in the encrypted history.

// linked says whether the run makes the link: two regions, substrate on.
func (b *bootstrapRun) linked() bool { return b.substrate && len(b.regions) == 2 }

// primary is the region whose role is primary (Validate makes it exist).
func (b *bootstrapRun) primary() *region {
	for _, r := range b.regions {
		if r.spec.Role == RolePrimary {
			return r
		}
	}
	return b.regions[0]
}

// peer is the other region of a linked run (nil with one region).
func (r *region) peer() *region {
	if !r.b.linked() {
		return nil
	}
	for _, o := range r.b.regions {
		if o != r {
			return o
		}
	}
	return nil
}

// addLinkSteps adds each region's "reserve" step and the primary's "make
// the link", before the applies.
func (b *bootstrapRun) addLinkSteps() {
	if !b.linked() {
		return
	}
	for _, r := range b.regions {
		r.steps.reserve = r.addStep("reserve the gateway address of " + r.spec.Name)
	}
	p := b.primary()
	p.steps.link = p.addStep("make the WireGuard link between " + p.spec.Name + " and " + p.peer().spec.Name)
}

// link reserves both gateways' addresses, in parallel, then makes the link.
func (b *bootstrapRun) link(ctx workflow.Context) error {
	err := b.eachRegion(ctx, func(ctx workflow.Context, r *region) error {
		return b.attempt(ctx, r, r.steps.reserve, r.reserve)
	})
	if err != nil {
		return err
	}
	p := b.primary()
	return b.attempt(ctx, p, p.steps.link, b.makeLink)
}

// reserve applies the gateway's address alone (within the approved plan)
// and reads it back from the outputs the targeted apply wrote.
func (r *region) reserve(ctx workflow.Context) error {
	var t *activities.Terraform
	in := r.input()
	in.Targets = bootstrap.GatewayResources[r.b.in.Provider]
	r.touched = true
	if err := workflow.ExecuteActivity(terraformCall(ctx, 30*time.Minute), t.Apply, in).Get(ctx, nil); err != nil {
		return err
	}
	var out bootstrap.ClusterOutputs
	if err := workflow.ExecuteActivity(terraformCall(ctx, 10*time.Minute), t.Outputs, in).Get(ctx, &out); err != nil {
		return err
	}
	if out.GatewayIPv4 == "" {
		return temporal.NewNonRetryableApplicationError("the "+string(r.b.in.Provider)+" module of "+r.spec.Name+
			" gave no gateway address after reserving it: its gateway_ipv4 output is empty; fix the module, then Retry", ErrNoGatewayAddress, nil)
	}
	r.gateway = out.GatewayIPv4
	r.b.progress.note(r.steps.reserve, "gateway at "+r.gateway)
	return nil
}

// makeLink makes both gateways' wg0.conf (keys included) in one activity.
func (b *bootstrapRun) makeLink(ctx workflow.Context) error {
	p := b.primary()
	s := p.peer()
	site := func(r *region) activities.LinkSite {
		return activities.LinkSite{Region: r.spec.Name, Gateway: r.gateway,
			NodeCIDR: r.spec.NodeCIDR, PodCIDR: r.spec.PodCIDR, ServiceCIDR: r.spec.ServiceCIDR}
	}
	var w *activities.WireGuard
	var res activities.MakeLinkResult
	if err := workflow.ExecuteActivity(apiCall(ctx), w.MakeLink, activities.MakeLinkInput{A: site(p), B: site(s)}).Get(ctx, &res); err != nil {
		return err
	}
	p.wgConf, s.wgConf = res.ConfA, res.ConfB
	b.progress.note(p.steps.link, p.spec.Name+" "+res.A.PublicKey+", "+s.spec.Name+" "+res.B.PublicKey)
	return nil
}

// link is the module's link variable: the peer's address ("" until
// reserved: the plan shown for approval) and networks; nil with one region.
func (r *region) link() *bootstrap.Link {
	p := r.peer()
	if p == nil {
		return nil
	}
	return &bootstrap.Link{PeerAddress: p.gateway, PeerCIDRs: []string{p.spec.NodeCIDR, p.spec.PodCIDR, p.spec.ServiceCIDR}, Port: mesh.Port}
}

// cilium is the module's cilium variable: the catalog's chart, and an ID
// per region (Cilium's cluster.id: 1 to 255, distinct within a mesh).
func (r *region) cilium() *bootstrap.Cilium {
	chart := bootstrap.ChartOf(r.b.result.Components, "cilium")
	if chart == nil {
		return nil
	}
	id := 1
	for i, o := range r.b.regions {
		if o == r {
			id = i + 1
		}
	}
	return &bootstrap.Cilium{ChartRepository: chart.Repository, ChartVersion: chart.Version, ClusterID: id}
}
