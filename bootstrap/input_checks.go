package bootstrap

import (
	"fmt"
	"net/netip"

	"github.com/openova-io/core/mesh"
)

// giteaOrgProblem says why the platform's Gitea would refuse the
// organization (it becomes the Gitea organization that holds the platform
// repository in each region), "" if it would not. The repository's own
// name is not the user's choice, so only the organization is asked about.
func giteaOrgProblem(org string) string {
	if err := GiteaOrgNameError(org); err != nil {
		return "the platform's Gitea would refuse this organization: " + err.Error()
	}
	return ""
}

// cidrProblems checks every region's node, pod and service networks the
// way the WireGuard link needs them (mesh.Check): each is an IPv4 network
// without host bits, none overlaps another in its region or the other
// region, and, with two regions, none overlaps the link's tunnel network
// (mesh.TunnelA's /30). Each problem lands on the field of the network to
// change, names both networks and their regions, and suggests a free
// network of the same size.
func cidrProblems(regions []Region) []FieldError {
	type field struct {
		name  string // the form's field
		value string // as given
	}
	fields := map[mesh.Network]field{}
	var mr []mesh.Region
	for i, r := range regions {
		// Check names networks by region: a region without a name, or
		// with the other's name (refused on its own), is named by its
		// position, so each problem finds its field.
		name := r.Name
		if name == "" {
			name = fmt.Sprintf("%d", i+1)
		} else if i > 0 && regions[0].Name == name {
			name = fmt.Sprintf("%d (%s)", i+1, name)
		}
		m := mesh.Region{Name: name}
		for _, c := range []struct {
			kind, value string
			to          *netip.Prefix
		}{{"node", r.NodeCIDR, &m.Networks.Node}, {"pod", r.PodCIDR, &m.Networks.Pod}, {"service", r.ServiceCIDR, &m.Networks.Service}} {
			*c.to, _ = netip.ParsePrefix(c.value) // zero when unparsable: Check refuses it
			n := mesh.Network{Region: name, Kind: c.kind, Prefix: *c.to}
			fields[n] = field{fmt.Sprintf("regions[%d].%s_cidr", i, c.kind), c.value}
		}
		mr = append(mr, m)
	}
	var tunnel netip.Prefix
	if len(regions) == 2 {
		tunnel = mesh.TunnelA
	}
	var errs []FieldError
	for _, p := range mesh.Check(mr, tunnel) {
		f, ok := fields[p.Network]
		if !ok {
			continue // the tunnel: fixed, the region's network is the one to change
		}
		msg := p.Message
		if !p.Network.Prefix.IsValid() || !p.Network.Prefix.Addr().Is4() {
			msg = fmt.Sprintf("%q is not an IPv4 network such as 10.42.0.0/16", f.value)
		}
		errs = append(errs, FieldError{f.name, msg})
	}
	return errs
}
