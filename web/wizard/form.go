package wizard

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/openova-io/core/bootstrap"
	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/cloud"
	"github.com/openova-io/core/secret"
	"github.com/openova-io/core/web/ui"
)

// Errors are a step's refused fields, by the form's field name (the same
// names the Bootstrap workflow's validation reports).
type Errors map[string]string

// read takes a step's fields from the form into the draft.
func read(c echo.Context, step string, d *Draft) {
	v := func(k string) string { return strings.TrimSpace(c.FormValue(k)) }
	switch step {
	case StepOrganization:
		d.Organization, d.Domain = strings.ToLower(v("organization")), strings.ToLower(v("domain"))
	case StepProvider:
		if p := cloud.Provider(v("provider")); p != d.Provider {
			d.Provider, d.Credentials, d.Locations = p, map[string]string{}, nil
			// The regions were checked against the old provider's list.
			d.Done[StepCredentials], d.Done[StepRegions] = false, false
		}
	case StepCredentials:
		d.DNSZone = strings.ToLower(v("dns_zone"))
		for _, f := range cloud.Credentials[d.Provider] {
			if s := v(f.Name); s != "" { // empty keeps what was entered before
				d.Credentials[f.Name] = s
			}
		}
	case StepRegions:
		d.APIPort = v("api_port")
		for i := range d.Regions {
			p := fmt.Sprintf("regions[%d].", i)
			d.Regions[i] = RegionForm{Name: v(p + "name"), Role: v(p + "role"), ControlPlanes: v(p + "control_planes"),
				Workers: v(p + "workers"), ControlPlaneSize: v(p + "control_plane_size"), WorkerSize: v(p + "worker_size"),
				NodeCIDR: v(p + "node_cidr"), PodCIDR: v(p + "pod_cidr"), ServiceCIDR: v(p + "service_cidr")}
		}
	case StepState:
		secret := d.State.SecretKey
		d.State = StateForm{Local: v("state.local") == "on", Bucket: v("state.bucket"), Region: v("state.region"),
			Endpoint: v("state.endpoint"), KeyPrefix: v("state.key_prefix"), AccessKey: v("state.access_key"), SecretKey: v("state.secret_key")}
		if d.State.SecretKey == "" {
			d.State.SecretKey = secret
		}
	case StepComponents:
		form, _ := c.FormParams()
		d.Chosen = nil
		for _, n := range form["component"] {
			if !slices.Contains(d.Chosen, n) {
				d.Chosen = append(d.Chosen, n)
			}
		}
	}
}

// input is the Bootstrap request the draft describes. Regions without a
// name (no standby chosen) are left out.
func (d *Draft) input() bootstrap.Input {
	in := bootstrap.Input{Organization: d.Organization, Domain: d.Domain, Provider: d.Provider,
		Credentials: d.Credentials, Components: d.Chosen, DNSZone: d.DNSZone}
	for i, r := range d.Regions {
		if r.Name == "" && i > 0 {
			continue
		}
		cp, _ := strconv.Atoi(r.ControlPlanes)
		w, _ := strconv.Atoi(r.Workers)
		in.Regions = append(in.Regions, bootstrap.Region{Name: r.Name, Role: r.Role, ControlPlanes: cp, Workers: w,
			ControlPlaneSize: r.ControlPlaneSize, WorkerSize: r.WorkerSize, NodeCIDR: r.NodeCIDR, PodCIDR: r.PodCIDR, ServiceCIDR: r.ServiceCIDR})
	}
	in.APIPort, _ = strconv.Atoi(d.APIPort)
	if d.APIPort != "" && (in.APIPort < 1 || in.APIPort > 65535) {
		in.APIPort = -1 // refused by Validate, beside the field
	}
	if !d.State.Local {
		in.State = bootstrap.StateBackend{Bucket: d.State.Bucket, Region: d.State.Region, Endpoint: d.State.Endpoint,
			KeyPrefix: d.State.KeyPrefix, AccessKey: secret.Text(d.State.AccessKey), SecretKey: secret.Text(d.State.SecretKey)}
	}
	return in
}

// stepOf is the step a validation field belongs to.
func stepOf(field string) string {
	switch {
	case field == "organization" || field == "domain":
		return StepOrganization
	case field == "provider":
		return StepProvider
	case field == "dns_zone":
		return StepCredentials
	case strings.HasPrefix(field, "regions") || field == "api_port":
		return StepRegions
	case strings.HasPrefix(field, "state."):
		return StepState
	}
	return ""
}

// check validates a step the way the Bootstrap workflow will, plus what
// only the wizard knows (the provider's own region list, a state choice).
func check(step string, d *Draft) Errors {
	errs := Errors{}
	for _, e := range d.input().Validate() {
		if stepOf(e.Field) == step && errs[e.Field] == "" {
			errs[e.Field] = e.Message
		}
	}
	switch step {
	case StepRegions:
		// Two regions are joined by the WireGuard link, whose gateways need
		// a Primary IP in each region's location.
		link := len(d.input().Regions) == 2
		for i, r := range d.Regions {
			f := fmt.Sprintf("regions[%d].", i)
			if r.Name == "" || errs[f+"name"] != "" {
				continue
			}
			problems := cloud.CheckRegion(d.Provider, d.Locations, r.Name,
				cloud.Size{Field: "control_plane_size", Name: r.ControlPlaneSize}, cloud.Size{Field: "worker_size", Name: r.WorkerSize})
			if link {
				problems = append(problems, cloud.CheckLinkRegion(d.Provider, d.Locations, r.Name)...)
			}
			for _, p := range problems {
				field := f + p.Field
				if p.Field == cloud.FieldRegion {
					field = f + "name"
				}
				if errs[field] == "" {
					errs[field] = p.Message
				}
			}
		}
	case StepState:
		if !d.State.Local && d.State.Bucket == "" {
			errs["state.bucket"] = "give the bucket that will hold the Terraform state, or choose local state (development only)"
		}
	case StepComponents:
		if _, err := resolve(d.Chosen); err != nil {
			errs["component"] = err.Error()
		}
	}
	return errs
}

// Added is a component the chosen ones pull in, and why.
type Added struct{ Name, Version, NeededBy string }

// resolve lists what the chosen components add beyond themselves and the
// mandatory ones, with the component that requires each, as the Bootstrap
// workflow will resolve them (catalog.ResolveSelection).
func resolve(chosen []string) ([]Added, error) {
	list, err := catalog.Default().ResolveSelection(chosen)
	if err != nil {
		return nil, err
	}
	var added []Added
	for _, s := range list {
		if s.NeededBy != "" && !slices.Contains(chosen, s.Name) {
			added = append(added, Added{Name: s.Name, Version: s.Version, NeededBy: s.NeededBy})
		}
	}
	return added, nil
}

// ChosenPlan is one chosen component's install plan, drawn as the
// manager's install dialog draws it: what it requires and in which order.
type ChosenPlan struct {
	Title    string
	Requires []string
	Picture  ui.PictureVM
}

// chosenPlans resolves each chosen component on top of the mandatory ones
// (shown as already installed, as they will be by then).
func chosenPlans(chosen []string) []ChosenPlan {
	cat := catalog.Default()
	base, err := cat.ResolveSelection(nil)
	if err != nil {
		return nil
	}
	installed := catalog.Installed{}
	for _, s := range base {
		installed[s.Name] = s.Version
	}
	var out []ChosenPlan
	for _, name := range chosen {
		plan, err := cat.Resolve(installed, catalog.Request{Component: name})
		if err != nil {
			continue
		}
		cp := ChosenPlan{Title: ui.TitleOf(cat, name), Picture: ui.Picture(plan, cat)}
		for _, s := range plan.Steps() {
			if s.Name != name && s.State == catalog.WillInstall {
				cp.Requires = append(cp.Requires, ui.TitleOf(cat, s.Name)+" "+s.Version)
			}
		}
		out = append(out, cp)
	}
	return out
}
