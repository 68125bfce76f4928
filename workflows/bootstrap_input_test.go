package workflows

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/activities"
)

// Bad input is refused before any plan, each problem naming its field.
func TestBootstrapInputValidate(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(*BootstrapInput)
		field string
		msg   string
	}{
		{"two regions with one name", func(in *BootstrapInput) { in.Regions[1].Name = "fsn1" }, "regions[1].name", "region fsn1 is chosen twice"},
		{"two primaries", func(in *BootstrapInput) { in.Regions[1].Role = RolePrimary }, "regions[1].role", "only one region can be the primary"},
		{"no primary", func(in *BootstrapInput) { in.Regions[0].Role = RoleStandby }, "regions[0].role", "one region must be the primary"},
		{"invalid domain", func(in *BootstrapInput) { in.Domain = "acme_example" }, "domain", "at least two labels"},
		{"invalid domain label", func(in *BootstrapInput) { in.Domain = "-acme.example" }, "domain", `"-acme" is not a DNS label`},
		{"overlapping pod networks", func(in *BootstrapInput) { in.Regions[1].PodCIDR = "10.42.128.0/17" }, "regions[1].pod_cidr", "overlaps 10.42.0.0/16 (regions[0].pod_cidr)"},
		{"service inside node network", func(in *BootstrapInput) { in.Regions[0].ServiceCIDR = "10.0.5.0/24" }, "regions[0].service_cidr", "overlaps 10.0.0.0/16 (regions[0].node_cidr)"},
		{"not a network", func(in *BootstrapInput) { in.Regions[0].NodeCIDR = "10.0.0.0" }, "regions[0].node_cidr", "is not an IPv4 network"},
		{"organization", func(in *BootstrapInput) { in.Organization = "Acme Corp" }, "organization", "lower-case letters"},
		{"unknown provider", func(in *BootstrapInput) { in.Provider = "aws" }, "provider", "choose one of [hetzner huawei oci]"},
		{"three regions", func(in *BootstrapInput) { in.Regions = append(in.Regions, in.Regions[1]) }, "regions", "one region, or two"},
		{"two control planes", func(in *BootstrapInput) { in.Regions[0].ControlPlanes = 2 }, "regions[0].control_planes", "1 or 3"},
		{"bucket without keys", func(in *BootstrapInput) { in.State.Bucket = "acme-state"; in.State.Region = "eu" }, "state.access_key", "access key and the secret key"},
		{"endpoint with credentials", func(in *BootstrapInput) {
			in.State = stateOK()
			in.State.Endpoint = "https://key:secret@s3.example"
		}, "state.endpoint", "without credentials"},
	}
	require.Empty(t, twoRegions().Validate())
	ok := twoRegions()
	ok.State = stateOK()
	require.Empty(t, ok.Validate())
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := twoRegions()
			tc.edit(&in)
			errs := in.Validate()
			require.NotEmpty(t, errs)
			require.Equal(t, tc.field, errs[0].Field, "%+v", errs)
			require.Contains(t, errs[0].Message, tc.msg)
		})
	}
}

func stateOK() activities.StateBackend {
	return activities.StateBackend{Bucket: "acme-state", Region: "eu-central", Endpoint: "https://s3.example", AccessKey: "k", SecretKey: "s"}
}
