package bootstrap

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Networks the WireGuard link cannot route are refused beside the field of
// the network to change, naming both regions' networks and suggesting a
// free one of the same size; with one region there is no link, and its
// tunnel network is free to use.
func TestInputValidateNetworks(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(*Input)
		field string
		msgs  []string // "" accepted
	}{
		{"pod networks of both regions overlap", func(in *Input) { in.Regions[1].PodCIDR = "10.42.0.0/16" }, "regions[1].pod_cidr",
			[]string{"region hel1's pod network 10.42.0.0/16 overlaps region fsn1's pod network 10.42.0.0/16", "give hel1 another pod network, such as 10.2.0.0/16"}},
		{"node network inside the other region's service network", func(in *Input) { in.Regions[1].NodeCIDR = "10.43.7.0/24" }, "regions[1].node_cidr",
			[]string{"region hel1's node network 10.43.7.0/24 overlaps region fsn1's service network 10.43.0.0/16", "such as 10.1.0.0/24"}},
		{"service network across the other region's node network", func(in *Input) { in.Regions[1].ServiceCIDR = "10.0.0.0/8" }, "regions[1].service_cidr",
			[]string{"region hel1's service network 10.0.0.0/8 overlaps region fsn1's node network 10.0.0.0/16"}},
		{"pod network over the link's tunnel", func(in *Input) { in.Regions[1].PodCIDR = "100.64.0.0/10" }, "regions[1].pod_cidr",
			[]string{"region hel1's pod network 100.64.0.0/10 overlaps the link's tunnel network 100.64.255.0/30"}},
		{"host bits set", func(in *Input) { in.Regions[0].PodCIDR = "10.42.0.1/16" }, "regions[0].pod_cidr",
			[]string{"has host bits set: use 10.42.0.0/16"}},
		{"IPv6", func(in *Input) { in.Regions[0].PodCIDR = "fd00::/64" }, "regions[0].pod_cidr",
			[]string{`"fd00::/64" is not an IPv4 network`}},
		{"one region may use the tunnel's range", func(in *Input) {
			in.Regions = in.Regions[:1]
			in.Regions[0].PodCIDR = "100.64.0.0/10"
		}, "", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := twoRegions()
			tc.edit(&in)
			errs := in.Validate()
			if tc.field == "" {
				require.Empty(t, errs)
				return
			}
			require.Len(t, errs, 1, "%+v", errs)
			require.Equal(t, tc.field, errs[0].Field)
			for _, m := range tc.msgs {
				require.Contains(t, errs[0].Message, m)
			}
		})
	}
}

// Two regions with the same name still get each overlap on the right
// region's field (Check is given the second by its position).
func TestInputValidateNetworksSameName(t *testing.T) {
	in := twoRegions()
	in.Regions[1].Name = "fsn1"
	in.Regions[1].ServiceCIDR = in.Regions[0].ServiceCIDR
	fields := map[string]string{}
	for _, e := range in.Validate() {
		fields[e.Field] = e.Message
	}
	require.Contains(t, fields, "regions[1].name")
	require.Contains(t, fields["regions[1].service_cidr"], "region 2 (fsn1)'s service network 10.43.0.0/16 overlaps region fsn1's service network 10.43.0.0/16")
	require.NotContains(t, fields, "regions[0].service_cidr")
}

// The organization becomes the Gitea organization of the platform
// repository: a name Gitea refuses is refused beside the field, before any
// plan, with Gitea's reason.
func TestInputValidateOrganizationForGitea(t *testing.T) {
	cases := []struct{ org, msg string }{
		{"acme", ""},
		{"acme-corp-2", ""},
		{"api", `"api" is reserved by gitea`},
		{"explore", `"explore" is reserved by gitea`},
		{"gitea-actions", `"gitea-actions" is reserved by gitea`},
		{"ghost", `"ghost" is reserved by gitea`},
		{"ac--me", "without two of '-', '_', '.' in a row"},
		{"acme.git", "use 1–32 lower-case letters"}, // refused before Gitea's rules
		{"Acme", "use 1–32 lower-case letters"},
	}
	for _, tc := range cases {
		t.Run(tc.org, func(t *testing.T) {
			in := twoRegions()
			in.Organization = tc.org
			errs := in.Validate()
			if tc.msg == "" {
				require.Empty(t, errs)
				return
			}
			require.Len(t, errs, 1, "%+v", errs)
			require.Equal(t, "organization", errs[0].Field)
			require.Contains(t, errs[0].Message, tc.msg)
		})
	}
}
