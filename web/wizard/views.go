package wizard

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/openova-io/core/bootstrap"
	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/cloud"
	"github.com/openova-io/core/web/pages"
	"github.com/openova-io/core/web/ui"
)

// StepVM is one form step; it never holds a secret (a set credential is
// only said to be set).
type StepVM struct {
	Nav                       []NavStep
	Step, Title, Action, Back string
	Missing                   string
	Errors                    Errors
	Organization, Domain      string
	APIPort                   string
	// DNSZone is offered with Hetzner's credentials (DNS: the zone).
	DNS, DNSZone        string
	Providers           []Option
	ProviderLabel       string
	Credentials         []CredentialVM
	Regions             []RegionVM
	State               StateVM
	Mandatory, ALaCarte []ComponentVM
	Added               []Added
	Plans               []ChosenPlan
}

// NavStep is one entry of the steps list.
type NavStep struct {
	Title, URL              string
	Done, Current, Disabled bool
}

// Option is one choice of a select or radio group.
type Option struct {
	Value, Label, Note string
	Selected           bool
}

// CredentialVM is one credential field.
type CredentialVM struct {
	Name, Label string
	Set         bool
	Multiline   bool
}

// RegionVM is one region's fieldset.
type RegionVM struct {
	Index     int
	Legend    string
	F         RegionForm
	Locations []Option
	Optional  bool
	// NetworksOpen unfolds the networks when one of them is refused, so
	// its message shows beside its field.
	NetworksOpen bool
}

// StateVM is the state step without the secret key.
type StateVM struct {
	Local                                          bool
	Bucket, Region, Endpoint, KeyPrefix, AccessKey string
	SecretSet                                      bool
}

// ComponentVM is one component choice.
type ComponentVM struct {
	// Version is the catalog's newest release: what the bootstrap
	// installs (the manager upgrades from there).
	Name, Title, Description, Version string
	Checked                           bool
}

var providerLabels = map[cloud.Provider]Option{
	cloud.Hetzner: {Label: "Hetzner Cloud", Note: "k3s on cloud servers, a load balancer in front of the API"},
	cloud.Huawei:  {Label: "Huawei Cloud", Note: "k3s on elastic cloud servers. Not available yet: this openova cannot check Huawei Cloud credentials; choose Hetzner Cloud"},
	cloud.OCI:     {Label: "Oracle Cloud (OCI)", Note: "k3s on compute instances. Not available yet: this openova cannot check OCI credentials; choose Hetzner Cloud"},
}

func (h *Handler) render(c echo.Context, code int, step string, d *Draft, errs Errors) error {
	vm := stepVM(step, d, errs)
	vm.Missing = h.Missing
	return ui.Render(c, code, h.Shell.Meta(c, "", pages.Wizard, "Bootstrap: "+vm.Title, false), stepPage(vm))
}

func stepVM(step string, d *Draft, errs Errors) StepVM {
	vm := StepVM{Step: step, Action: "/wizard/" + step, Errors: errs, Organization: d.Organization, Domain: d.Domain, APIPort: d.APIPort,
		ProviderLabel: providerLabels[d.Provider].Label, DNSZone: d.DNSZone}
	if d.Provider == cloud.Hetzner {
		vm.DNS = "manager." + d.Domain
	}
	for i, s := range steps {
		if s.ID == step {
			vm.Title = s.Title
			if i > 0 {
				vm.Back = "/wizard/" + steps[i-1].ID
			}
		}
		vm.Nav = append(vm.Nav, NavStep{Title: s.Title, URL: "/wizard/" + s.ID, Done: d.Done[s.ID], Current: s.ID == step, Disabled: !d.reachable(s.ID)})
	}
	for _, p := range cloud.Providers {
		o := providerLabels[p]
		o.Value, o.Selected = string(p), p == d.Provider
		vm.Providers = append(vm.Providers, o)
	}
	for _, f := range cloud.Credentials[d.Provider] {
		vm.Credentials = append(vm.Credentials, CredentialVM{Name: f.Name, Label: f.Label, Set: d.Credentials[f.Name] != "", Multiline: f.Name == "private_key"})
	}
	for i, r := range d.Regions {
		rv := RegionVM{Index: i, Legend: "Primary region", F: r, Optional: i > 0}
		if i > 0 {
			rv.Legend = "Standby region (optional)"
		}
		for _, l := range d.Locations {
			label := fmt.Sprintf("%s — %s, %s (%s)", l.Name, l.City, l.Country, l.NetworkZone)
			if l.NoPrimaryIPs {
				label += ", no Primary IPs: one region only"
			}
			rv.Locations = append(rv.Locations, Option{Value: l.Name, Label: label, Selected: l.Name == r.Name})
		}
		for _, n := range []string{"node_cidr", "pod_cidr", "service_cidr"} {
			rv.NetworksOpen = rv.NetworksOpen || errs[fmt.Sprintf("regions[%d].%s", i, n)] != ""
		}
		vm.Regions = append(vm.Regions, rv)
	}
	s := d.State
	vm.State = StateVM{Local: s.Local, Bucket: s.Bucket, Region: s.Region, Endpoint: s.Endpoint, KeyPrefix: s.KeyPrefix, AccessKey: s.AccessKey, SecretSet: s.SecretKey != ""}
	cat := catalog.Default()
	for _, c := range cat.InCategory(catalog.Mandatory) {
		vm.Mandatory = append(vm.Mandatory, ComponentVM{Name: c.Name, Title: c.Title, Description: c.Description, Version: c.Latest().Version, Checked: true})
	}
	for _, c := range cat.InCategory(catalog.ALaCarte) {
		vm.ALaCarte = append(vm.ALaCarte, ComponentVM{Name: c.Name, Title: c.Title, Description: c.Description, Version: c.Latest().Version,
			Checked: slices.Contains(d.Chosen, c.Name)})
	}
	vm.Added, _ = resolve(d.Chosen)
	vm.Plans = chosenPlans(d.Chosen)
	return vm
}

// RunVM is a bootstrap's page.
type RunVM struct {
	Org, Title, State, Awaiting, Error, Missing string
	Polling                                     bool
	URL                                         string
	Timeline                                    ui.TimelineVM
	Regions                                     []RegionRunVM
	Summary                                     []SummaryRow
	// Manager is the deployed Lifecycle Manager (nil until it answers).
	Manager *ManagerVM
	// ClearFlashes: a fragment of an ended or parked run clears the
	// page's flashes ("Approved: …" is stale once the clusters are ready,
	// or once a step failed).
	ClearFlashes bool
	// Change: the page is of a change to the built platform, whose
	// bootstrap is at BackURL. ChangeURL offers a change (a finished
	// bootstrap's page).
	Change             bool
	BackURL, ChangeURL string
}

// RegionRunVM is one region on the run page.
type RegionRunVM struct {
	Name, Role                            string
	Plan                                  *bootstrap.PlanSummary
	Steps                                 []ui.StepVM
	Parked, Endpoint, Version, Kubeconfig string
	// ParkedFix says what fixes the parked step.
	ParkedFix string
	Nodes     []string
}

// SummaryRow is one line of Review's summary.
type SummaryRow struct{ Label, Value string }

func runVM(r Run, d *Draft) RunVM {
	vm := RunVM{Org: r.Organization, State: r.State, Awaiting: r.Progress.Awaiting, Error: r.Error, URL: runURL(r.Organization), BackURL: "/wizard/components"}
	vm.Polling = r.State == "running" && vm.Awaiting == ""
	switch {
	case vm.Awaiting == bootstrap.SignalApprove:
		vm.Title = "Review the plan of " + r.Organization
	case r.State == "succeeded":
		vm.Title = "The clusters of " + r.Organization + " are ready"
	default:
		vm.Title = "Bootstrap of " + r.Organization
	}
	vm.Timeline = ui.TimelineVM{Title: "Bootstrap", State: r.State, Message: r.Error}
	switch {
	case r.State == "running" && vm.Awaiting == bootstrap.SignalRetry:
		vm.Timeline.State = ui.StateParked // it waits for Retry or Abort, it does not run
	case r.State == "running" && vm.Awaiting == bootstrap.SignalApprove:
		vm.Timeline.State = ui.StateAwaiting // nothing is built before the approval
	}
	for _, s := range r.Progress.Steps {
		if s.Region == "" {
			vm.Timeline.Steps = append(vm.Timeline.Steps, stepVMOf(s))
		}
	}
	for _, rp := range r.Progress.Regions {
		rv := RegionRunVM{Name: rp.Name, Role: rp.Role, Plan: rp.Plan, Parked: rp.Parked, Endpoint: rp.APIEndpoint}
		if rv.Parked != "" {
			rv.ParkedFix = r.Fixes[rp.Name]
			if rv.ParkedFix == "" {
				rv.ParkedFix = "Fix what it names, then Retry."
			}
		}
		for _, s := range rp.Steps {
			rv.Steps = append(rv.Steps, stepVMOf(s))
		}
		if r.Result != nil {
			for _, cl := range r.Result.Regions {
				if cl.Region == rp.Name {
					rv.Endpoint, rv.Version = cl.APIEndpoint, cl.Version
					rv.Kubeconfig = runURL(r.Organization) + "/kubeconfig/" + url.PathEscape(rp.Name)
					for _, n := range cl.Nodes {
						rv.Nodes = append(rv.Nodes, fmt.Sprintf("%s (%s) %s / %s", n.Name, n.Role, n.PublicIPv4, n.PrivateIPv4))
					}
				}
			}
		}
		vm.Regions = append(vm.Regions, rv)
	}
	// The summary is of a draft whose every step was accepted: one being
	// edited may hold what its step refused (an empty role).
	if d != nil && d.Organization == r.Organization && d.next() == "" {
		vm.Summary = summary(d)
	}
	return vm
}

func stepVMOf(s bootstrap.ProgressStep) ui.StepVM {
	return ui.StepVM{Name: s.Name, State: s.State, When: ui.StepTimes(s.Started, s.Finished), Message: s.Message}
}

// summary is Review's summary of what was entered (no secret).
func summary(d *Draft) []SummaryRow {
	rows := []SummaryRow{{"Organization", d.Organization}, {"Domain", d.Domain}, {"Cloud provider", providerLabels[d.Provider].Label}}
	for _, r := range d.input().Regions {
		rows = append(rows, SummaryRow{roleLabel(r.Role), fmt.Sprintf("%s: %s, %s (%s / %s); nodes %s, pods %s, services %s",
			r.Name, count(r.ControlPlanes, "control plane"), count(r.Workers, "worker"), r.ControlPlaneSize, r.WorkerSize, r.NodeCIDR, r.PodCIDR, r.ServiceCIDR)})
	}
	state := "local, on this machine (development only)"
	if !d.State.Local {
		state = fmt.Sprintf("bucket %s (%s) at %s, keys under %s/", d.State.Bucket, d.State.Region, d.State.Endpoint, d.State.KeyPrefix)
	}
	rows = append(rows, SummaryRow{"Terraform state", state})
	dns := "you create manager." + d.Domain + " (the final page names its address)"
	if d.DNSZone != "" {
		dns = "manager." + d.Domain + ", created in the Hetzner DNS zone " + d.DNSZone
	}
	rows = append(rows, SummaryRow{"DNS record", dns})
	chosen := "none"
	if len(d.Chosen) > 0 {
		chosen = strings.Join(d.Chosen, ", ")
	}
	rows = append(rows, SummaryRow{"Components à la carte", chosen})
	return rows
}

// count is "1 worker", "2 workers".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// roleLabel names a region by its role in the summary.
func roleLabel(role string) string {
	switch role {
	case bootstrap.RolePrimary:
		return "Primary region"
	case bootstrap.RoleStandby:
		return "Standby region"
	}
	return "Region"
}
