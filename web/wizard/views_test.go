package wizard

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/bootstrap"
	"github.com/openova-io/core/cloud"
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

// The run page puts each region's steps under the region, as the
// progress query types them, and the run's own steps in the timeline,
// even one whose name ends with a region's (the link between regions).
func TestRunPageShowsEachRegionsSteps(t *testing.T) {
	apply := func(r, state string) bootstrap.ProgressStep {
		return bootstrap.ProgressStep{Name: "apply " + r, State: state, Region: r}
	}
	link := bootstrap.ProgressStep{Name: "link hel1 to fsn1", State: bootstrap.StepPending}
	run := Run{Organization: "acme", State: "running", Progress: bootstrap.Progress{
		Steps: []bootstrap.ProgressStep{{Name: "validate the request", State: bootstrap.StepSucceeded},
			apply("fsn1", bootstrap.StepSucceeded), apply("hel1", bootstrap.StepFailed), link},
		Regions: []bootstrap.RegionProgress{
			{Name: "fsn1", Role: bootstrap.RolePrimary, Steps: []bootstrap.ProgressStep{apply("fsn1", bootstrap.StepSucceeded)}},
			{Name: "hel1", Role: bootstrap.RoleStandby, Parked: "server limit reached", Steps: []bootstrap.ProgressStep{apply("hel1", bootstrap.StepFailed)}},
		},
	}}
	vm := runVM(run, nil)
	var timeline []string
	for _, s := range vm.Timeline.Steps {
		timeline = append(timeline, s.Name)
	}
	require.Equal(t, []string{"validate the request", "link hel1 to fsn1"}, timeline)
	require.Len(t, vm.Regions, 2)
	for i, r := range []struct{ name, state string }{{"fsn1", bootstrap.StepSucceeded}, {"hel1", bootstrap.StepFailed}} {
		require.Equal(t, r.name, vm.Regions[i].Name)
		require.Len(t, vm.Regions[i].Steps, 1)
		require.Equal(t, "apply "+r.name, vm.Regions[i].Steps[0].Name)
		require.Equal(t, r.state, vm.Regions[i].Steps[0].State)
	}
	require.Equal(t, "server limit reached", vm.Regions[1].Parked)
}

// The run's badge says what it waits for: Review's run waits for the
// approval (it was "Running"), a failed step's run for Retry or Abort.
func TestRunBadgeSaysWhatTheRunWaitsFor(t *testing.T) {
	for _, tt := range []struct{ awaiting, want string }{
		{"", "Running"},
		{bootstrap.SignalApprove, "Awaiting approval"},
		{bootstrap.SignalRetry, "Parked"},
	} {
		vm := runVM(Run{Organization: "acme", State: "running", Progress: bootstrap.Progress{Awaiting: tt.awaiting}}, nil)
		require.Equal(t, tt.want, vm.Timeline.StateLabel(), "awaiting %q", tt.awaiting)
	}
}

// A refused network unfolds its region's networks, so the message is seen
// beside its field; a location without Primary IPs says so in the list.
func TestRegionStepShowsRefusedNetworksAndPrimaryIPs(t *testing.T) {
	d := newDraft()
	d.Locations = []cloud.Location{{Name: "fsn1", City: "Falkenstein", Country: "DE", NetworkZone: "eu-central"},
		{Name: "sin", City: "Singapore", Country: "SG", NetworkZone: "ap-southeast", NoPrimaryIPs: true}}
	vm := stepVM(StepRegions, d, Errors{"regions[1].pod_cidr": "overlaps"})
	require.False(t, vm.Regions[0].NetworksOpen)
	require.True(t, vm.Regions[1].NetworksOpen)
	require.Equal(t, "fsn1 — Falkenstein, DE (eu-central)", vm.Regions[0].Locations[0].Label)
	require.Equal(t, "sin — Singapore, SG (ap-southeast), no Primary IPs: one region only", vm.Regions[0].Locations[1].Label)
	var page strings.Builder
	require.NoError(t, stepPage(vm).Render(context.Background(), &page))
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(page.String()))
	require.NoError(t, err)
	_, open0 := doc.Find(`[data-testid="regions[0].networks"]`).Attr("open")
	_, open1 := doc.Find(`[data-testid="regions[1].networks"]`).Attr("open")
	require.False(t, open0)
	require.True(t, open1)
	require.Equal(t, "overlaps", doc.Find(`[data-testid="regions[1].networks"] [data-field="regions[1].pod_cidr"]`).Text())
}

// Review counts nodes in words: "1 worker", "3 control planes".
func TestSummaryCountsNodes(t *testing.T) {
	d := newDraft()
	d.Organization, d.Domain, d.Provider = "acme", "acme.example", "hetzner"
	d.Regions[0].Name, d.Regions[0].ControlPlanes, d.Regions[0].Workers = "fsn1", "3", "1"
	var region string
	for _, row := range summary(d) {
		if row.Label == "Primary region" {
			region = row.Value
		}
	}
	require.Contains(t, region, "fsn1: 3 control planes, 1 worker (")
	require.Equal(t, "2 workers", count(2, "worker"))
}

// The provider step speaks to the user: a provider this build cannot run
// says so and what to choose instead, never a developer's note.
func TestProviderStepSaysWhatToChoose(t *testing.T) {
	vm := stepVM(StepProvider, newDraft(), Errors{})
	notes := map[string]string{}
	for _, p := range vm.Providers {
		notes[p.Value] = p.Note
	}
	require.NotContains(t, notes[string(cloud.Hetzner)], "Not available")
	for _, p := range []cloud.Provider{cloud.Huawei, cloud.OCI} {
		require.Contains(t, notes[string(p)], "Not available yet", p)
		require.Contains(t, notes[string(p)], "choose Hetzner Cloud", p)
		require.NotContains(t, notes[string(p)], "test machine", p)
	}
}

// Review names the OpenTofu the plans run with, beside what was entered.
func TestReviewNamesTheOpenTofu(t *testing.T) {
	h := &Handler{Drafts: &Drafts{}, Tofu: "/usr/bin/tofu, OpenTofu v1.10.6",
		Bootstraps: finished{Run{Organization: "acme", State: "running", Progress: bootstrap.Progress{Awaiting: bootstrap.SignalApprove}}}}
	d, unlock := h.Drafts.Lock("")
	d.Organization, d.Domain, d.Provider = "acme", "acme.example", cloud.Hetzner
	d.Regions[0] = RegionForm{Name: "fsn1", Role: bootstrap.RolePrimary, ControlPlanes: "1", Workers: "1"}
	for _, s := range steps {
		d.Done[s.ID] = true
	}
	unlock()
	e := echo.New()
	h.Routes(e)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/wizard/run/acme", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	doc, err := goquery.NewDocumentFromReader(rec.Body)
	require.NoError(t, err)
	row := doc.Find(`[data-testid="summary"] tr`).FilterFunction(func(_ int, s *goquery.Selection) bool { return s.Find("th").Text() == "OpenTofu" })
	require.Equal(t, "/usr/bin/tofu, OpenTofu v1.10.6", row.Find("td").Text())
}

// The run page's fragment (htmx following the run) clears the page's
// flashes once the run has ended or is parked on a failure: "Approved: the
// clusters are being built." is stale then. While it runs, they stay.
func TestRunFragmentClearsStaleFlashes(t *testing.T) {
	for name, tc := range map[string]struct {
		run   Run
		clear bool
	}{
		"running":   {Run{Organization: "acme", State: "running"}, false},
		"parked":    {Run{Organization: "acme", State: "running", Progress: bootstrap.Progress{Awaiting: bootstrap.SignalRetry}}, true},
		"succeeded": {Run{Organization: "acme", State: "succeeded", Result: &bootstrap.Result{}}, true},
		"aborted":   {Run{Organization: "acme", State: "aborted"}, true},
	} {
		t.Run(name, func(t *testing.T) {
			h := &Handler{Drafts: &Drafts{}, Bootstraps: finished{tc.run}}
			e := echo.New()
			h.Routes(e)
			req := httptest.NewRequest(http.MethodGet, "/wizard/run/acme", nil)
			req.Header.Set("HX-Request", "true")
			req.Header.Set("HX-Target", "run")
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)
			require.Equal(t, http.StatusOK, rec.Code)
			require.Equal(t, tc.clear, strings.Contains(rec.Body.String(), `<div id="flashes" hx-swap-oob="true"></div>`), rec.Body.String())
		})
	}
}

// A field's message sits with its field: in the state step's two-column
// grid, the endpoint's message took a cell of its own, under Region.
func TestFieldMessageStaysWithItsField(t *testing.T) {
	vm := stepVM(StepState, newDraft(), Errors{"state.endpoint": "could not be reached"})
	var page strings.Builder
	require.NoError(t, stepPage(vm).Render(context.Background(), &page))
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(page.String()))
	require.NoError(t, err)
	msg := doc.Find(`[data-testid="field-error"][data-field="state.endpoint"]`)
	require.Equal(t, 1, msg.Length())
	cell := msg.Parent().Find("input")
	require.Equal(t, 1, cell.Length(), "the message and its input alone share one grid cell")
	require.Equal(t, "state.endpoint", cell.AttrOr("name", ""))
}
