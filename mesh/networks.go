package mesh

import (
	"fmt"
	"net/netip"
)

// Networks are one region's networks: its nodes' (the cloud network), its
// pods' and its services'. The link routes all three to the other region.
type Networks struct {
	Node, Pod, Service netip.Prefix
}

// Region is a region's name and networks, as Check takes them.
type Region struct {
	Name     string
	Networks Networks
}

// Network is one network of the link, named for a message or a form
// field: its region ("" for the link's own tunnel network), its kind
// ("node", "pod", "service" or "tunnel") and its prefix.
type Network struct {
	Region string
	Kind   string
	Prefix netip.Prefix
}

func (n Network) String() string {
	if n.Kind == "tunnel" {
		return fmt.Sprintf("the link's tunnel network %s", n.Prefix)
	}
	return fmt.Sprintf("region %s's %s network %s", n.Region, n.Kind, n.Prefix)
}

// Problem is a network the link cannot route, and what to do about it.
// Network is the one to change (a form shows Message beside its field);
// Other is the network it overlaps, zero when the network is wrong alone.
type Problem struct {
	Network Network
	Other   Network
	Message string
}

func (p Problem) Error() string { return p.Message }

// private10 is where Check looks for a free network to suggest.
var private10 = netip.MustParsePrefix("10.0.0.0/8")

// Check finds every network that is not an IPv4 network, or that overlaps
// an earlier one: in its own region (a pod network inside the node
// network breaks routing on the nodes) or in another (the link sends the
// other region's networks to the gateway, so a shared range would be
// routed away from where it lives). tunnel is the link's own network; a
// zero prefix leaves it out (one region, no link). Where a free network of
// the same size exists in 10.0.0.0/8, the message suggests it.
func Check(regions []Region, tunnel netip.Prefix) []Problem {
	var all []Network
	if tunnel.IsValid() {
		all = append(all, Network{Kind: "tunnel", Prefix: tunnel.Masked()})
	}
	for _, r := range regions {
		all = append(all,
			Network{r.Name, "node", r.Networks.Node},
			Network{r.Name, "pod", r.Networks.Pod},
			Network{r.Name, "service", r.Networks.Service})
	}
	used := make([]netip.Prefix, 0, len(all))
	for _, n := range all {
		if valid(n.Prefix) {
			used = append(used, n.Prefix)
		}
	}
	var out []Problem
	var seen []Network
	for _, n := range all {
		switch {
		case !n.Prefix.IsValid() || !n.Prefix.Addr().Is4():
			out = append(out, Problem{Network: n, Message: fmt.Sprintf("region %s's %s network is not an IPv4 network such as 10.42.0.0/16", n.Region, n.Kind)})
			continue
		case n.Prefix != n.Prefix.Masked():
			out = append(out, Problem{Network: n, Message: fmt.Sprintf("%s has host bits set: use %s", n, n.Prefix.Masked())})
			continue
		}
		for _, s := range seen {
			if !s.Prefix.Overlaps(n.Prefix) {
				continue
			}
			msg := fmt.Sprintf("%s overlaps %s: the link routes each region's node, pod and service networks to the other region, so no two may share addresses; give %s another %s network",
				n, s, n.Region, n.Kind)
			if free, ok := freeNetwork(n.Prefix.Bits(), used); ok {
				msg += fmt.Sprintf(", such as %s", free)
				used = append(used, free) // a second problem gets another suggestion
			}
			out = append(out, Problem{Network: n, Other: s, Message: msg})
			break
		}
		seen = append(seen, n)
	}
	return out
}

func valid(p netip.Prefix) bool { return p.IsValid() && p.Addr().Is4() && p == p.Masked() }

// freeNetwork is the first prefix of the given length in 10.0.0.0/8 that
// overlaps none of used.
func freeNetwork(bits int, used []netip.Prefix) (netip.Prefix, bool) {
	if bits < private10.Bits() || bits > 30 {
		return netip.Prefix{}, false
	}
	step := uint32(1) << (32 - bits)
	base := private10.Addr().As4()
	start := uint32(base[0])<<24 | uint32(base[1])<<16 | uint32(base[2])<<8 | uint32(base[3])
	end := start + 1<<(32-private10.Bits())
	for a := start; a < end; a += step {
		p := netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a)}), bits)
		free := true
		for _, u := range used {
			if u.Overlaps(p) {
				free = false
				break
			}
		}
		if free {
			return p, true
		}
	}
	return netip.Prefix{}, false
}
