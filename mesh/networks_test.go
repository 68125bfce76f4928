package mesh

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCheckNetworks(t *testing.T) {
	fsn := Region{"fsn1", Networks{pfx("10.0.0.0/16"), pfx("10.42.0.0/16"), pfx("10.43.0.0/16")}}
	nbg := Region{"nbg1", Networks{pfx("10.1.0.0/16"), pfx("10.44.0.0/16"), pfx("10.45.0.0/16")}}
	with := func(r Region, change func(n *Networks)) Region { change(&r.Networks); return r }
	type problem struct{ network, other, message string }
	for _, tc := range []struct {
		name    string
		regions []Region
		tunnel  netip.Prefix
		want    []problem
	}{
		{"the wizard's defaults", []Region{fsn, nbg}, TunnelA.Masked(), nil},
		{"one region, no link", []Region{fsn}, netip.Prefix{}, nil},
		{"the same pod network in both regions", []Region{fsn, with(nbg, func(n *Networks) { n.Pod = pfx("10.42.0.0/16") })}, TunnelA.Masked(), []problem{{
			"region nbg1's pod network 10.42.0.0/16", "region fsn1's pod network 10.42.0.0/16",
			"region nbg1's pod network 10.42.0.0/16 overlaps region fsn1's pod network 10.42.0.0/16: the link routes each region's node, pod and service networks to the other region, so no two may share addresses; give nbg1 another pod network, such as 10.2.0.0/16"}}},
		{"a service network inside the other region's node network", []Region{fsn, with(nbg, func(n *Networks) { n.Service = pfx("10.0.128.0/20") })}, netip.Prefix{}, []problem{{
			"region nbg1's service network 10.0.128.0/20", "region fsn1's node network 10.0.0.0/16",
			"region nbg1's service network 10.0.128.0/20 overlaps region fsn1's node network 10.0.0.0/16: the link routes each region's node, pod and service networks to the other region, so no two may share addresses; give nbg1 another service network, such as 10.2.0.0/20"}}},
		{"pods inside the region's own node network", []Region{with(fsn, func(n *Networks) { n.Pod = pfx("10.0.64.0/18") })}, netip.Prefix{}, []problem{{
			"region fsn1's pod network 10.0.64.0/18", "region fsn1's node network 10.0.0.0/16",
			"region fsn1's pod network 10.0.64.0/18 overlaps region fsn1's node network 10.0.0.0/16: the link routes each region's node, pod and service networks to the other region, so no two may share addresses; give fsn1 another pod network, such as 10.1.0.0/18"}}},
		{"a node network over the tunnel", []Region{with(fsn, func(n *Networks) { n.Node = pfx("100.64.0.0/10") }), nbg}, TunnelA.Masked(), []problem{{
			"region fsn1's node network 100.64.0.0/10", "the link's tunnel network 100.64.255.0/30",
			"region fsn1's node network 100.64.0.0/10 overlaps the link's tunnel network 100.64.255.0/30: the link routes each region's node, pod and service networks to the other region, so no two may share addresses; give fsn1 another node network, such as 10.64.0.0/10"}}},
		{"two overlaps get two suggestions", []Region{fsn, with(nbg, func(n *Networks) { n.Pod, n.Service = pfx("10.42.0.0/16"), pfx("10.43.0.0/16") })}, netip.Prefix{}, []problem{
			{"region nbg1's pod network 10.42.0.0/16", "region fsn1's pod network 10.42.0.0/16",
				"region nbg1's pod network 10.42.0.0/16 overlaps region fsn1's pod network 10.42.0.0/16: the link routes each region's node, pod and service networks to the other region, so no two may share addresses; give nbg1 another pod network, such as 10.2.0.0/16"},
			{"region nbg1's service network 10.43.0.0/16", "region fsn1's service network 10.43.0.0/16",
				"region nbg1's service network 10.43.0.0/16 overlaps region fsn1's service network 10.43.0.0/16: the link routes each region's node, pod and service networks to the other region, so no two may share addresses; give nbg1 another service network, such as 10.3.0.0/16"}}},
		{"not IPv4", []Region{fsn, with(nbg, func(n *Networks) { n.Node = pfx("fd00::/64") })}, netip.Prefix{}, []problem{{
			"region nbg1's node network fd00::/64", "", "region nbg1's node network is not an IPv4 network such as 10.42.0.0/16"}}},
		{"missing", []Region{fsn, with(nbg, func(n *Networks) { n.Pod = netip.Prefix{} })}, netip.Prefix{}, []problem{{
			"region nbg1's pod network invalid Prefix", "", "region nbg1's pod network is not an IPv4 network such as 10.42.0.0/16"}}},
		{"host bits", []Region{fsn, with(nbg, func(n *Networks) { n.Pod = pfx("10.44.0.1/16") })}, netip.Prefix{}, []problem{{
			"region nbg1's pod network 10.44.0.1/16", "", "region nbg1's pod network 10.44.0.1/16 has host bits set: use 10.44.0.0/16"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []problem
			for _, p := range Check(tc.regions, tc.tunnel) {
				other := ""
				if p.Other.Prefix.IsValid() {
					other = p.Other.String()
				}
				got = append(got, problem{p.Network.String(), other, p.Error()})
			}
			require.Equal(t, tc.want, got)
		})
	}
}

// A suggested network is free: checking again with it finds nothing.
func TestCheckSuggestionIsFree(t *testing.T) {
	fsn := Region{"fsn1", Networks{pfx("10.0.0.0/16"), pfx("10.42.0.0/16"), pfx("10.43.0.0/16")}}
	nbg := Region{"nbg1", Networks{pfx("10.1.0.0/16"), pfx("10.42.0.0/16"), pfx("10.45.0.0/16")}}
	problems := Check([]Region{fsn, nbg}, TunnelA.Masked())
	require.Len(t, problems, 1)
	free, ok := freeNetwork(16, []netip.Prefix{TunnelA.Masked(), fsn.Networks.Node, fsn.Networks.Pod, fsn.Networks.Service, nbg.Networks.Node, nbg.Networks.Service})
	require.True(t, ok)
	require.Contains(t, problems[0].Message, "such as "+free.String())
	nbg.Networks.Pod = free
	require.Empty(t, Check([]Region{fsn, nbg}, TunnelA.Masked()))
}
