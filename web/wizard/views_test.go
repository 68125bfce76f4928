package wizard

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/bootstrap"
)

// The bootstrap's page summarizes the draft only when every step was
// accepted: a region step refused for a crafted role (empty, unknown)
// leaves it out instead of failing the page.
func TestRunSummaryIsOfAcceptedDraftsOnly(t *testing.T) {
	done := func(edit func(*Draft)) *Draft {
		d := newDraft()
		d.Organization, d.Domain = "acme", "acme.example"
		d.Regions[0].Name, d.Regions[1].Name = "fsn1", "hel1"
		for _, s := range steps {
			d.Done[s.ID] = true
		}
		edit(d)
		return d
	}
	run := Run{Organization: "acme", State: "running"}
	cases := []struct {
		name  string
		draft *Draft
		rows  []string
	}{
		{"accepted", done(func(*Draft) {}), []string{"Primary region", "Standby region"}},
		{"an empty primary role, refused", done(func(d *Draft) { d.Regions[0].Role, d.Done[StepRegions] = "", false }), nil},
		{"an empty standby role, refused", done(func(d *Draft) { d.Regions[1].Role, d.Done[StepRegions] = "", false }), nil},
		{"an unknown role, never shown raw", done(func(d *Draft) { d.Regions[1].Role = "x" }), []string{"Primary region", "Region"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var rows []string
			for _, r := range runVM(run, tc.draft).Summary {
				if r.Label == "Primary region" || r.Label == "Standby region" || r.Label == "Region" {
					rows = append(rows, r.Label)
				}
			}
			require.Equal(t, tc.rows, rows)
		})
	}
	require.Equal(t, "Region", roleLabel(""))
	require.Equal(t, "Standby region", roleLabel(bootstrap.RoleStandby))
}
