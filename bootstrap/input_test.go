package bootstrap

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/cloud"
)

// Bad input is refused before any plan, each problem naming its field.
func TestInputValidate(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(*Input)
		field string
		msg   string
	}{
		{"two regions with one name", func(in *Input) { in.Regions[1].Name = "fsn1" }, "regions[1].name", "region fsn1 is chosen twice"},
		{"two primaries", func(in *Input) { in.Regions[1].Role = RolePrimary }, "regions[1].role", "only one region can be the primary"},
		{"no primary", func(in *Input) { in.Regions[0].Role = RoleStandby }, "regions[0].role", "one region must be the primary"},
		{"invalid domain", func(in *Input) { in.Domain = "acme_example" }, "domain", "at least two labels"},
		{"invalid domain label", func(in *Input) { in.Domain = "-acme.example" }, "domain", `"-acme" is not a DNS label`},
		{"overlapping pod networks", func(in *Input) { in.Regions[1].PodCIDR = "10.42.128.0/17" }, "regions[1].pod_cidr", "overlaps region fsn1's pod network 10.42.0.0/16"},
		{"service inside node network", func(in *Input) { in.Regions[0].ServiceCIDR = "10.0.5.0/24" }, "regions[0].service_cidr", "overlaps region fsn1's node network 10.0.0.0/16"},
		{"not a network", func(in *Input) { in.Regions[0].NodeCIDR = "10.0.0.0" }, "regions[0].node_cidr", "is not an IPv4 network"},
		{"organization", func(in *Input) { in.Organization = "Acme Corp" }, "organization", "lower-case letters"},
		{"unknown provider", func(in *Input) { in.Provider = "aws" }, "provider", "choose one of [hetzner huawei oci]"},
		{"three regions", func(in *Input) { in.Regions = append(in.Regions, in.Regions[1]) }, "regions", "one region, or two"},
		{"two control planes", func(in *Input) { in.Regions[0].ControlPlanes = 2 }, "regions[0].control_planes", "1 or 3"},
		{"bucket without keys", func(in *Input) { in.State.Bucket = "acme-state"; in.State.Region = "eu" }, "state.access_key", "access key and the secret key"},
		{"the API on the manager's port", func(in *Input) { in.APIPort = 443 }, "api_port", "other than 443, where the manager is served"},
		{"the API on a given manager port", func(in *Input) { in.ManagerPort, in.APIPort = 8443, 8443 }, "api_port", "other than 8443"},
		{"Gitea on a given manager port", func(in *Input) { in.ManagerPort, in.GiteaPort = 8443, 8443 }, "gitea_port", "other than 8443 (the manager's)"},
		{"a manager port out of range", func(in *Input) { in.ManagerPort = 70000 }, "manager_port", "between 1 and 65535, or leave it out for 443"},
		{"a DNS zone the domain is not in", func(in *Input) { in.DNSZone = "other.example" }, "dns_zone", "must be acme.example itself or a zone it is in"},
		{"a DNS zone of a subdomain", func(in *Input) { in.DNSZone = "eu.acme.example" }, "dns_zone", "must be acme.example itself"},
		{"not a zone name", func(in *Input) { in.DNSZone = "example" }, "dns_zone", "give the zone's name"},
		{"a DNS zone off Hetzner", func(in *Input) { in.Provider, in.DNSZone = cloud.OCI, "acme.example" }, "dns_zone", "in Hetzner DNS only"},
		{"endpoint with credentials", func(in *Input) {
			in.State = stateOK()
			in.State.Endpoint = "https://key:secret@s3.example"
		}, "state.endpoint", "without credentials"},
	}
	require.Empty(t, twoRegions().Validate())
	for _, zone := range []string{"platform.acme.example", "acme.example"} {
		in := twoRegions()
		in.Domain, in.DNSZone = "platform.acme.example", zone
		require.Empty(t, in.Validate(), "the domain's own zone, or a parent's")
	}
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

func stateOK() StateBackend {
	return StateBackend{Bucket: "acme-state", Region: "eu-central", Endpoint: "https://s3.example", AccessKey: "k", SecretKey: "s"}
}

// twoRegions is a valid request of a primary and a standby.
func twoRegions() Input {
	return Input{
		Organization: "acme", Domain: "acme.example", Provider: cloud.Hetzner,
		Credentials: map[string]string{"token": "t"},
		Regions: []Region{
			{Name: "fsn1", Role: RolePrimary, ControlPlanes: 1, Workers: 2, ControlPlaneSize: "cpx22", WorkerSize: "cpx22",
				NodeCIDR: "10.0.0.0/16", PodCIDR: "10.42.0.0/16", ServiceCIDR: "10.43.0.0/16"},
			{Name: "hel1", Role: RoleStandby, ControlPlanes: 1, Workers: 2, ControlPlaneSize: "cpx22", WorkerSize: "cpx22",
				NodeCIDR: "10.1.0.0/16", PodCIDR: "10.44.0.0/16", ServiceCIDR: "10.45.0.0/16"},
		},
	}
}

// The state bucket's endpoint is where OpenTofu sends the bucket's keys
// and reads the state (which holds the cluster's secrets): one at a
// link-local or cloud metadata address is refused, with what to do,
// whoever starts the workflow (the wizard, or the temporal CLI).
func TestBootstrapStateEndpointNotAtMetadata(t *testing.T) {
	cases := []struct {
		endpoint string
		msg      string // "" accepted
	}{
		{"https://fsn1.your-objectstorage.com", ""},
		{"https://10.0.0.5:9000", ""},
		{"http://127.0.0.1:9000", ""}, // plain http is the wizard's to refuse (--allow-http-fetch)
		{"http://169.254.169.254/latest/meta-data/", "the S3 endpoint 169.254.169.254 is a link-local address"},
		{"https://169.254.169.254", "169.254.169.254 is a link-local address"},
		{"https://100.100.100.200", "100.100.100.200 is a cloud metadata address"},
		{"https://metadata.google.internal", "names a cloud metadata service"},
		{"https://2852039166", "neither a host name nor an IP address in the usual form"},
	}
	for _, tc := range cases {
		in := twoRegions()
		in.State = stateOK()
		in.State.Endpoint = tc.endpoint
		errs := in.Validate()
		if tc.msg == "" {
			require.Empty(t, errs, tc.endpoint)
			continue
		}
		require.Len(t, errs, 1, tc.endpoint)
		require.Equal(t, "state.endpoint", errs[0].Field)
		require.Contains(t, errs[0].Message, tc.msg)
	}
}
