package wizard

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/cloud"
)

// A step is checked with the workflow's own validation plus what only the
// wizard knows: the provider's regions and their sizes, the state choice.
func TestCheck(t *testing.T) {
	ready := func() *Draft {
		d := newDraft()
		d.Organization, d.Domain = "acme", "acme.example"
		d.Locations = []cloud.Location{{Name: "fsn1", Sizes: []string{"cpx31"}}, {Name: "hel1", Sizes: []string{"cpx31"}},
			{Name: "sin", Sizes: []string{"cpx31"}, NoPrimaryIPs: true}}
		d.Regions[0].Name, d.Regions[1].Name = "fsn1", "hel1"
		return d
	}
	cases := []struct {
		name, step, field, msg string
		edit                   func(*Draft)
	}{
		{"bad domain", StepOrganization, "domain", "at least two labels", func(d *Draft) { d.Domain = "acme" }},
		{"organization gitea refuses", StepOrganization, "organization", `"explore" is reserved by gitea`, func(d *Draft) { d.Organization = "explore" }},
		{"unknown region", StepRegions, "regions[1].name", `"ams9" is not a hetzner location: choose one of fsn1, hel1, sin`, func(d *Draft) { d.Regions[1].Name = "ams9" }},
		{"no Primary IP for the link", StepRegions, "regions[1].name", "Hetzner offers no Primary IP in sin: pick another location", func(d *Draft) { d.Regions[1].Name = "sin" }},
		{"overlapping networks", StepRegions, "regions[1].pod_cidr", "overlaps region fsn1's pod network", func(d *Draft) { d.Regions[1].PodCIDR = d.Regions[0].PodCIDR }},
		{"size not offered", StepRegions, "regions[0].worker_size", `size "cx99" cannot be created in fsn1`, func(d *Draft) { d.Regions[0].WorkerSize = "cx99" }},
		{"port", StepRegions, "api_port", "between 1 and 65535", func(d *Draft) { d.APIPort = "0" }},
		{"the manager's port", StepRegions, "api_port", "other than 443, where the manager is served", func(d *Draft) { d.APIPort = "443" }},
		{"no bucket and not local", StepState, "state.bucket", "or choose local state", func(d *Draft) {}},
		{"unknown component", StepComponents, "component", `"nope" is not in the catalog`, func(d *Draft) { d.Chosen = []string{"nope"} }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := ready()
			tc.edit(d)
			errs := check(tc.step, d)
			require.Contains(t, errs[tc.field], tc.msg, "%v", errs)
		})
	}
	d := ready()
	require.Empty(t, check(StepRegions, d))
	d.Regions[1].Name = "" // no standby
	require.Empty(t, check(StepRegions, d))
	d.Regions[0].Name = "sin" // one region: no link, no Primary IP needed
	require.Empty(t, check(StepRegions, d))
	require.Len(t, d.input().Regions, 1)
	d.State.Local = true
	require.Empty(t, check(StepState, d))
}

// No step is shown before the ones ahead of it are done.
func TestStepsCannotBeSkipped(t *testing.T) {
	d := newDraft()
	require.Equal(t, StepOrganization, d.next())
	require.True(t, d.reachable(StepOrganization))
	require.False(t, d.reachable(StepRegions))
	d.Done[StepOrganization], d.Done[StepProvider] = true, true
	require.True(t, d.reachable(StepCredentials))
	require.False(t, d.reachable(StepRegions))
	require.Equal(t, StepCredentials, d.next())
}

// What the chosen components add, and why; and each choice's plan.
func TestResolveExplainsWhatIsAdded(t *testing.T) {
	added, err := resolve([]string{"debezium"})
	require.NoError(t, err)
	require.Equal(t, []Added{{Name: "redpanda", Version: added[0].Version, NeededBy: "debezium"}}, added)
	plans := chosenPlans([]string{"debezium"})
	require.Len(t, plans, 1)
	require.Equal(t, "Debezium", plans[0].Title)
	require.Len(t, plans[0].Requires, 1)
	require.NotEmpty(t, plans[0].Picture.Boxes)
}
