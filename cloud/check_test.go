package cloud

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// CheckRegion refuses a region the provider does not list and each size
// not offered there, naming the field of each; a location whose sizes are
// unknown accepts any size.
func TestCheckRegion(t *testing.T) {
	locs := []Location{
		{Name: "fsn1", Sizes: []string{"cpx31", "cx22"}},
		{Name: "hel1", Sizes: []string{"cx22"}},
		{Name: "eu-frankfurt-1"},
	}
	cp := func(s string) Size { return Size{Field: "control_plane_size", Name: s} }
	w := func(s string) Size { return Size{Field: "worker_size", Name: s} }
	cases := []struct {
		name   string
		region string
		sizes  []Size
		want   []Problem
	}{
		{"all offered", "fsn1", []Size{cp("cpx31"), w("cx22")}, nil},
		{"no sizes asked", "hel1", nil, nil},
		{"unknown region", "ams9", []Size{cp("cx22")},
			[]Problem{{FieldRegion, `"ams9" is not a hetzner location: choose one of fsn1, hel1, eu-frankfurt-1`}}},
		{"empty region", "", nil,
			[]Problem{{FieldRegion, `"" is not a hetzner location: choose one of fsn1, hel1, eu-frankfurt-1`}}},
		{"one size not offered there", "hel1", []Size{cp("cx22"), w("cpx31")},
			[]Problem{{"worker_size", `size "cpx31" cannot be created in hel1: choose one of cx22`}}},
		{"both sizes refused, each beside its field", "hel1", []Size{cp("cx99"), w("cpx31")}, []Problem{
			{"control_plane_size", `size "cx99" cannot be created in hel1: choose one of cx22`},
			{"worker_size", `size "cpx31" cannot be created in hel1: choose one of cx22`}}},
		{"sizes unknown: any accepted", "eu-frankfurt-1", []Size{cp("anything")}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, CheckRegion(Hetzner, locs, tc.region, tc.sizes...))
		})
	}
	require.Equal(t, []Problem{{FieldRegion, `"fsn1" is not a oci location: choose one of `}}, CheckRegion(OCI, nil, "fsn1"),
		"a provider that lists no locations refuses every region")
}

// CheckLinkRegion refuses, beside the region's field, a location whose API
// says it offers no Primary IP; one it says nothing of, or does not list,
// passes (the latter is CheckRegion's).
func TestCheckLinkRegion(t *testing.T) {
	locs := []Location{{Name: "fsn1"}, {Name: "sin", NoPrimaryIPs: true}}
	require.Empty(t, CheckLinkRegion(Hetzner, locs, "fsn1"))
	require.Empty(t, CheckLinkRegion(Hetzner, locs, "ams9"))
	p := CheckLinkRegion(Hetzner, locs, "sin")
	require.Len(t, p, 1)
	require.Equal(t, FieldRegion, p[0].Field)
	require.Contains(t, p[0].Message, "Hetzner offers no Primary IP in sin: pick another location")
}

func TestCredentialEnv(t *testing.T) {
	require.Equal(t, map[string]string{"HCLOUD_TOKEN": "t"}, CredentialEnv(Hetzner, map[string]string{"token": "t", "other": "x"}))
	require.Equal(t, map[string]string{"HW_ACCESS_KEY": "a"}, CredentialEnv(Huawei, map[string]string{"access_key": "a"}))
	require.Empty(t, CredentialEnv("aws", map[string]string{"token": "t"}))
}
