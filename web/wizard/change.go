package wizard

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/openova-io/core/bootstrap"
	"github.com/openova-io/core/cloud"
	"github.com/openova-io/core/secret"
	"github.com/openova-io/core/web/pages"
	"github.com/openova-io/core/web/ui"
)

// Platforms gives the platform an organization's bootstrap (or its last
// change) built, without secrets (engine.Temporal); ErrNoPlatform when
// this openova ran none.
type Platforms interface {
	Platform(ctx context.Context, org string) (bootstrap.Input, error)
}

// ErrNoPlatform: this openova built no platform of the organization.
var ErrNoPlatform = errors.New("no platform")

// platform is the organization's platform as this openova last built or
// changed it, else as a recovery bundle restored it.
func (h *Handler) platform(ctx context.Context, org string) (bootstrap.Input, error) {
	in, err := h.Platforms.Platform(ctx, org)
	if !errors.Is(err, ErrNoPlatform) || h.Restored == nil {
		return in, err
	}
	restored, ok, rerr := h.Restored.Load(org)
	if rerr != nil {
		return in, rerr
	}
	if !ok {
		return in, err
	}
	return restored, nil
}

// A change to a built platform's infrastructure (issue 19): openova,
// started again on the same data directory, offers it on the bootstrap's
// final page. The form starts from the platform as built and takes the
// new worker counts and the secrets openova keeps no copy of (the cloud's
// credentials, the bucket's keys); the ChangeInfrastructure workflow reads
// each region back from its state, plans, and waits for approval on the
// change's page, which is the run page with the change's words.

func changeURL(org string) string { return runURL(org) + "/change" }

// ChangeVM is the change's form, after the last change if there was one.
type ChangeVM struct {
	// BackURL is the bootstrap's page, or the restore form (changeable).
	Org, Action, BackURL, Provider, Missing string
	Regions                                 []ChangeRegionVM
	Credentials                             []CredentialVM
	// Bucket is the state's bucket ("" keeps the state in the working
	// directory, no keys asked); AccessKey is what was typed.
	Bucket, AccessKey string
	Errors            Errors
	// Last is the last change's page, when one ended.
	Last *RunVM
}

// ChangeRegionVM is one region of the change's form.
type ChangeRegionVM struct {
	Name, Role, Built, Field, Workers string
}

// change shows the running change (its plan, its steps), else the form.
func (h *Handler) change(c echo.Context) error {
	org := c.Param("org")
	back, err := h.changeable(c.Request().Context(), org)
	if err != nil {
		return err
	}
	run, err := h.Changes.Status(c.Request().Context(), org)
	if err != nil {
		return err
	}
	if run.State == "running" {
		vm := changeRunVM(run, back)
		vm.Missing = h.Missing
		return ui.Render(c, http.StatusOK, h.Shell.Meta(c, "", pages.Wizard, "Change", vm.Polling), runPage(vm))
	}
	base, err := h.platform(c.Request().Context(), org)
	if err != nil {
		return err
	}
	return h.renderChange(c, http.StatusOK, base, back, run, nil, Errors{})
}

// changeable refuses a change before the organization's bootstrap has
// finished (until then the bootstrap's own page is where it goes on), and
// of an organization this openova neither built nor restored. back is
// where the change's pages go back to: the bootstrap's page, or the
// restore form for a platform restored from its recovery bundle (no
// bootstrap of it ran here, so its page would be a 404).
func (h *Handler) changeable(ctx context.Context, org string) (back string, err error) {
	if h.Changes == nil || h.Platforms == nil {
		return "", echo.NewHTTPError(http.StatusNotFound, "This openova does not change built platforms.")
	}
	b, err := h.Bootstraps.Status(ctx, org)
	if err != nil {
		return "", err
	}
	switch b.State {
	case "succeeded":
		return runURL(org), nil
	case "":
		if h.Restored != nil {
			if _, ok, err := h.Restored.Load(org); err != nil || ok {
				return restoreURL, err
			}
		}
		return "", echo.NewHTTPError(http.StatusNotFound, "This openova built no platform "+org+": restore its recovery bundle at "+restoreURL+" to change it here.")
	}
	return "", echo.NewHTTPError(http.StatusNotFound, "The bootstrap of "+org+" has not finished: its infrastructure can be changed once it has, from "+runURL(org)+".")
}

// startChange checks the form and starts the change; a refused field
// brings the form back with what to fix, and no secret in it.
func (h *Handler) startChange(c echo.Context) error {
	ctx := c.Request().Context()
	org := c.Param("org")
	back, err := h.changeable(ctx, org)
	if err != nil {
		return err
	}
	if run, err := h.Changes.Status(ctx, org); err != nil {
		return err
	} else if run.State == "running" {
		// One change at a time: its page is where it goes on.
		pages.SetFlash(c, ui.Flash{Kind: "error", Text: "A change of " + org + " is running: it has to end before another is planned."})
		return ui.Redirect(c, changeURL(org))
	}
	base, err := h.platform(ctx, org)
	if err != nil {
		return err
	}
	in, form, errs := readChange(c, base)
	if len(errs) == 0 {
		if _, err := h.Locations(ctx, in.Provider, in.Credentials); err != nil {
			var ce *cloud.CredentialError
			if errors.As(err, &ce) {
				errs[ce.Field] = ce.Reason
			} else {
				errs["credentials"] = err.Error()
			}
		}
	}
	if len(errs) > 0 {
		last, err := h.Changes.Status(ctx, org)
		if err != nil {
			return err
		}
		return h.renderChange(c, http.StatusUnprocessableEntity, base, back, last, form, errs)
	}
	if err := h.Changes.Start(ctx, in, pages.User(c)); err != nil {
		return err
	}
	return ui.Redirect(c, changeURL(org))
}

// readChange is the change the form asks for: base with the typed worker
// counts and secrets. Unchanged workers are refused: there is nothing to
// plan.
func readChange(c echo.Context, base bootstrap.Input) (bootstrap.Input, map[string]string, Errors) {
	in := base
	in.Regions = append([]bootstrap.Region(nil), base.Regions...)
	errs := Errors{}
	form := map[string]string{}
	changed := false
	for i := range in.Regions {
		name := fmt.Sprintf("regions[%d].workers", i)
		v := strings.TrimSpace(c.FormValue(name))
		form[name] = v
		n, err := strconv.Atoi(v)
		if err != nil {
			errs[name] = "give the number of workers, 0 to 50"
			continue
		}
		changed = changed || n != in.Regions[i].Workers
		in.Regions[i].Workers = n
	}
	in.Credentials = map[string]string{}
	for _, f := range cloud.Credentials[in.Provider] {
		if v := strings.TrimSpace(c.FormValue(f.Name)); v != "" {
			in.Credentials[f.Name] = v
		} else {
			errs[f.Name] = "give the " + f.Label + ": openova keeps no copy of it"
		}
	}
	if in.State.Bucket != "" {
		form["state.access_key"] = strings.TrimSpace(c.FormValue("state.access_key"))
		in.State.AccessKey = secret.Text(form["state.access_key"])
		in.State.SecretKey = secret.Text(c.FormValue("state.secret_key"))
	}
	for _, e := range in.Validate() {
		if _, ok := errs[e.Field]; !ok {
			errs[e.Field] = e.Message
		}
	}
	if len(errs) == 0 && !changed {
		errs["regions[0].workers"] = "this is what the platform has: change a region's number of workers"
	}
	return in, form, errs
}

func (h *Handler) renderChange(c echo.Context, code int, base bootstrap.Input, back string, last Run, form map[string]string, errs Errors) error {
	vm := ChangeVM{Org: base.Organization, Action: changeURL(base.Organization), BackURL: back, Provider: providerLabels[base.Provider].Label,
		Missing: h.Missing, Bucket: base.State.Bucket, AccessKey: form["state.access_key"], Errors: errs}
	for i, r := range base.Regions {
		field := fmt.Sprintf("regions[%d].workers", i)
		workers, ok := form[field]
		if !ok {
			workers = strconv.Itoa(r.Workers)
		}
		vm.Regions = append(vm.Regions, ChangeRegionVM{Name: r.Name, Role: r.Role, Field: field, Workers: workers,
			Built: fmt.Sprintf("%s (%s), %s (%s)", count(r.ControlPlanes, "control plane"), r.ControlPlaneSize, count(r.Workers, "worker"), r.WorkerSize)})
	}
	for _, f := range cloud.Credentials[base.Provider] {
		vm.Credentials = append(vm.Credentials, CredentialVM{Name: f.Name, Label: f.Label, Multiline: f.Name == "private_key"})
	}
	if last.State != "" {
		l := changeRunVM(last, back)
		vm.Last = &l
	}
	return ui.Render(c, code, h.Shell.Meta(c, "", pages.Wizard, "Change the infrastructure", false), changePage(vm))
}

// changeRunVM is the run page of a change: its URLs, and its words
// (nothing is created from nothing, an abort destroys nothing).
func changeRunVM(r Run, back string) RunVM {
	vm := runVM(r, nil)
	vm.Change, vm.URL, vm.BackURL = true, changeURL(r.Organization), back
	switch {
	case vm.Awaiting == bootstrap.SignalApprove:
		vm.Title = "Review the change of " + r.Organization
	case r.State == "succeeded":
		vm.Title = "The change of " + r.Organization + " is done"
	case r.State == "failed":
		vm.Title = "The last change of " + r.Organization + " did not finish"
	case r.State == "aborted":
		vm.Title = "The last change of " + r.Organization + " was stopped"
	default:
		vm.Title = "Changing the infrastructure of " + r.Organization
	}
	vm.Timeline.Title = "Change"
	for i := range vm.Regions {
		if vm.Regions[i].Kubeconfig != "" {
			vm.Regions[i].Kubeconfig = changeURL(r.Organization) + "/kubeconfig/" + url.PathEscape(vm.Regions[i].Name)
		}
	}
	return vm
}
