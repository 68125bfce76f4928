package activities

import (
	"context"
	"fmt"
	"net/netip"

	"go.temporal.io/sdk/temporal"

	"github.com/openova-io/core/mesh"
	"github.com/openova-io/core/secret"
)

// LinkSite is one region's end of the link as the bootstrap knows it
// after the gateways' addresses exist.
type LinkSite struct {
	Region string
	// Gateway is the gateway's public IPv4 (its Primary IP).
	Gateway                        string
	NodeCIDR, PodCIDR, ServiceCIDR string
}

// MakeLinkInput is the link's two sites (A is the primary's).
type MakeLinkInput struct {
	A, B LinkSite
}

// MakeLinkResult is each gateway's wg0.conf (it holds the gateway's
// private key and the preshared key) and the public keys, for people.
type MakeLinkResult struct {
	ConfA, ConfB secret.Text
	// A and B are the gateways' public keys.
	A, B LinkPeer
}

// LinkPeer is a gateway as the other names it: its region and public key.
type LinkPeer struct {
	Region    string
	PublicKey string
}

// MakeLink generates the link's keys (GenerateLinkKeys) and renders both
// gateways' wg0.conf with package mesh. It is an activity, not workflow
// code, because the keys are random; the rendering comes with it so the
// private keys travel once, inside the two files. A second attempt makes
// new keys: nothing used the first ones (the files reach the gateways
// only through the apply that follows).
func (w *WireGuard) MakeLink(ctx context.Context, in MakeLinkInput) (MakeLinkResult, error) {
	keys, err := w.GenerateLinkKeys(ctx, LinkKeysInput{RegionA: in.A.Region, RegionB: in.B.Region})
	if err != nil {
		return MakeLinkResult{}, err
	}
	a, err := linkSite(in.A, mesh.TunnelA, keys.A.PrivateKey)
	if err != nil {
		return MakeLinkResult{}, err
	}
	b, err := linkSite(in.B, mesh.TunnelB, keys.B.PrivateKey)
	if err != nil {
		return MakeLinkResult{}, err
	}
	confA, confB, err := mesh.Link{A: a, B: b, PresharedKey: keys.PresharedKey}.Render()
	if err != nil {
		return MakeLinkResult{}, temporal.NewNonRetryableApplicationError("the link: "+err.Error(), ErrInvalidBootstrap, nil)
	}
	return MakeLinkResult{ConfA: confA, ConfB: confB,
		A: LinkPeer{Region: in.A.Region, PublicKey: keys.A.PublicKey}, B: LinkPeer{Region: in.B.Region, PublicKey: keys.B.PublicKey}}, nil
}

// linkSite parses a site's addresses; a malformed one cannot get better.
func linkSite(s LinkSite, tunnel netip.Prefix, key secret.Text) (mesh.Site, error) {
	invalid := func(what, v string, err error) error {
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("the link: region %s's %s %q: %v", s.Region, what, v, err), ErrInvalidBootstrap, nil)
	}
	addr, err := netip.ParseAddr(s.Gateway)
	if err != nil {
		return mesh.Site{}, invalid("gateway address", s.Gateway, err)
	}
	site := mesh.Site{Region: s.Region, PublicAddress: addr, Tunnel: tunnel, PrivateKey: key}
	for _, n := range []struct {
		dst        *netip.Prefix
		what, cidr string
	}{{&site.Networks.Node, "node network", s.NodeCIDR}, {&site.Networks.Pod, "pod network", s.PodCIDR}, {&site.Networks.Service, "service network", s.ServiceCIDR}} {
		if *n.dst, err = netip.ParsePrefix(n.cidr); err != nil {
			return mesh.Site{}, invalid(n.what, n.cidr, err)
		}
	}
	return site, nil
}
