package wizard

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/openova-io/core/bootstrap"
	"github.com/openova-io/core/cloud"
	"github.com/openova-io/core/netguard"
	"github.com/openova-io/core/web/pages"
	"github.com/openova-io/core/web/ui"
)

// Bootstraps starts, reads and signals Bootstrap workflows (engine.Temporal).
type Bootstraps interface {
	Start(ctx context.Context, in bootstrap.Input, actor string) error
	Status(ctx context.Context, org string) (Run, error)
	Signal(ctx context.Context, org, name string) error
	Latest(ctx context.Context) (string, error)
}

// Locations checks credentials with the provider's API and lists its
// regions (cloudapi.Locations with openova's endpoints).
type Locations func(ctx context.Context, p cloud.Provider, creds map[string]string) ([]cloud.Location, error)

// ZoneCheck asks the provider's DNS whether a zone exists in the
// credentials' project (cloudapi.CheckZone with openova's endpoints).
type ZoneCheck func(ctx context.Context, p cloud.Provider, creds map[string]string, zone string) error

// StateCheck asks the state bucket whether it can hold OpenTofu's state
// (s3probe.Check with openova's fetch policy): "" when it can, else the
// field of the state step that is wrong and why.
type StateCheck func(ctx context.Context, b bootstrap.StateBackend) (field, reason string)

// Run is a bootstrap as the wizard shows it.
type Run struct {
	Organization string
	// State is running, succeeded, failed, aborted or cancelled ("" if none).
	State    string
	Progress bootstrap.Progress
	Result   *bootstrap.Result
	// Error is a failed run's message, as the workflow worded it.
	Error string
	// Fixes say, per region parked on a failed step, what fixes it
	// (the engine words them from the failure's type).
	Fixes map[string]string
}

// Handler serves the wizard.
type Handler struct {
	Bootstraps Bootstraps
	Locations  Locations
	// CheckZone checks the DNS zone given with the credentials (nil:
	// left to the Bootstrap's own check).
	CheckZone ZoneCheck
	// CheckState checks the state bucket on the state step (nil: left to
	// the first plan).
	CheckState StateCheck
	Drafts     *Drafts
	Shell      pages.Shell
	// Missing, when set, says that no tofu or terraform was found and
	// what to install; every wizard page shows it.
	Missing string
	// Tofu names the OpenTofu the plans run with (path, version): Review
	// shows it.
	Tofu string
	// Fetch is where openova may send the state bucket's keys
	// (--allow-http-fetch admits a plain http S3 endpoint).
	Fetch netguard.Policy
	// Shown makes the final page show the manager's first admin
	// password once (nil: never).
	Shown PasswordShown
	// StateKeys gives the recovery bundle its OpenTofu state key; DataDir
	// is where this openova keeps what the final page says it holds.
	StateKeys StateKeys
	DataDir   string
	// Changes runs ChangeInfrastructure workflows (engine.Temporal's
	// Changes) on the platforms Platforms gives; nil offers no change.
	Changes   Bootstraps
	Platforms Platforms
	// Restore keeps an opened recovery bundle's state key and Restored its
	// platform (nil: no restore offered).
	Restore  Restore
	Restored *RestoredFiles
}

// Routes adds the wizard's routes; / opens it.
func (h *Handler) Routes(e *echo.Echo) {
	e.GET("/", h.home)
	e.GET("/wizard", h.home)
	e.POST("/wizard/components/preview", h.preview)
	e.GET("/wizard/:step", h.step)
	e.POST("/wizard/:step", h.save)
	e.GET("/wizard/run/:org", h.run)
	e.POST("/wizard/run/:org/:decision", h.decide)
	e.GET("/wizard/run/:org/kubeconfig/:region", h.kubeconfig)
	e.GET("/wizard/run/:org/ca", h.ca)
	e.POST("/wizard/run/:org/recovery", h.recoveryBundle)
	e.GET("/wizard/run/:org/change", h.change)
	e.POST("/wizard/run/:org/change", h.startChange)
	e.POST("/wizard/run/:org/change/:decision", h.decideChange)
	e.GET("/wizard/run/:org/change/kubeconfig/:region", h.changeKubeconfig)
	e.GET(restoreURL, h.restoreForm)
	e.POST(restoreURL, h.restore)
}

// home opens the newest bootstrap (a closed tab or a restarted openova
// finds it again), else a restored platform's changes, else the first
// step not done yet.
func (h *Handler) home(c echo.Context) error {
	org, err := h.Bootstraps.Latest(c.Request().Context())
	if err != nil {
		return err
	}
	if org != "" {
		return ui.Redirect(c, runURL(org))
	}
	if h.Restored != nil {
		// An openova that restored a platform from its bundle built none:
		// the restored platform's change page is where it goes on.
		restored, err := h.Restored.List()
		if err != nil {
			return err
		}
		if len(restored) > 0 {
			return ui.Redirect(c, changeURL(restored[0]))
		}
	}
	d, unlock := h.Drafts.Lock(pages.User(c))
	defer unlock()
	next := d.next()
	if next == "" {
		next = StepComponents
	}
	return ui.Redirect(c, "/wizard/"+next)
}

func knownStep(step string) bool {
	return slices.ContainsFunc(steps, func(s struct{ ID, Title string }) bool { return s.ID == step })
}

func (h *Handler) step(c echo.Context) error {
	step := c.Param("step")
	if !knownStep(step) {
		return echo.NewHTTPError(http.StatusNotFound, "There is no wizard step "+step+": the wizard starts at /wizard.")
	}
	d, unlock := h.Drafts.Lock(pages.User(c))
	defer unlock()
	if !d.reachable(step) {
		return ui.Redirect(c, "/wizard/"+d.next())
	}
	return h.render(c, http.StatusOK, step, d, Errors{})
}

func (h *Handler) save(c echo.Context) error {
	step := c.Param("step")
	if !knownStep(step) {
		return echo.NewHTTPError(http.StatusNotFound, "There is no wizard step "+step+": the wizard starts at /wizard.")
	}
	ctx := c.Request().Context()
	d, unlock := h.Drafts.Lock(pages.User(c))
	defer unlock()
	if !d.reachable(step) {
		return ui.Redirect(c, "/wizard/"+d.next())
	}
	read(c, step, d)
	errs := check(step, d)
	checkFetch(step, d, h.Fetch, errs)
	if step == StepCredentials && len(errs) == 0 {
		h.checkCredentials(ctx, d, errs)
	}
	if step == StepState && len(errs) == 0 && !d.State.Local && h.CheckState != nil {
		h.checkState(ctx, d, errs)
	}
	if len(errs) > 0 {
		d.Done[step] = false
		return h.render(c, http.StatusUnprocessableEntity, step, d, errs)
	}
	d.Done[step] = true
	if step != StepComponents {
		return ui.Redirect(c, "/wizard/"+next(step))
	}
	return h.plan(c, d)
}

// preview shows what the chosen components add, without leaving the page:
// htmx swaps the list on every change; without script, "Update the list"
// posts here and gets the whole step back.
func (h *Handler) preview(c echo.Context) error {
	d, unlock := h.Drafts.Lock(pages.User(c))
	defer unlock()
	if !d.reachable(StepComponents) {
		return ui.Redirect(c, "/wizard/"+d.next())
	}
	read(c, StepComponents, d)
	errs := check(StepComponents, d)
	code := http.StatusOK
	if len(errs) > 0 {
		code = http.StatusUnprocessableEntity
	}
	return h.render(c, code, StepComponents, d, errs)
}

// checkState lists the bucket and writes and deletes a probe object in it
// (conditionally, as OpenTofu's state lock does): what is wrong comes back
// beside its field, and refused keys are dropped, never kept.
func (h *Handler) checkState(ctx context.Context, d *Draft, errs Errors) {
	field, reason := h.CheckState(ctx, d.input().State)
	if field == "" {
		return
	}
	errs[field] = reason
	if field == "state.access_key" || field == "state.secret_key" {
		d.State.AccessKey, d.State.SecretKey = "", ""
	}
}

// checkCredentials asks the provider's API: a refused credential is
// dropped (never kept, never shown) and its field says why.
func (h *Handler) checkCredentials(ctx context.Context, d *Draft, errs Errors) {
	locs, err := h.Locations(ctx, d.Provider, d.Credentials)
	var ce *cloud.CredentialError
	switch {
	case errors.As(err, &ce):
		delete(d.Credentials, ce.Field)
		errs[ce.Field] = ce.Reason
	case errors.Is(err, cloud.ErrNotSupported):
		errs["credentials"] = err.Error()
	case err != nil:
		// Unchecked is not set: what was typed is dropped, and the page
		// says in words why the check could not be made.
		for _, f := range cloud.Credentials[d.Provider] {
			delete(d.Credentials, f.Name)
		}
		errs["credentials"] = "The " + providerLabels[d.Provider].Label + " API could not be asked whether they work: " + cloud.Unreachable(err) +
			". Check this machine's connection to it (or --hetzner-api-url), then type them again and press Next."
	default:
		d.Locations = locs
		for _, f := range cloud.Credentials[d.Provider] {
			if d.Credentials[f.Name] == "" {
				errs[f.Name] = "give the " + f.Label
			}
		}
		if d.DNSZone != "" && len(errs) == 0 && h.CheckZone != nil {
			err := h.CheckZone(ctx, d.Provider, d.Credentials, d.DNSZone)
			switch {
			case errors.As(err, &ce):
				errs["dns_zone"] = ce.Reason
			case err != nil:
				errs["dns_zone"] = err.Error()
			}
		}
	}
}

// plan starts the Bootstrap, which plans every region and waits for
// approval: Review shows its plans. A run of the same organization that
// still waits for approval is aborted first (it created nothing), so going
// back and changing a step plans anew.
func (h *Handler) plan(c echo.Context, d *Draft) error {
	ctx := c.Request().Context()
	in := d.input()
	run, err := h.Bootstraps.Status(ctx, in.Organization)
	if err != nil {
		return err
	}
	if run.State == "running" {
		if run.Progress.Awaiting != bootstrap.SignalApprove {
			return echo.NewHTTPError(http.StatusConflict, "A bootstrap of "+in.Organization+" is already running: follow it at "+runURL(in.Organization)+".")
		}
		if err := h.Bootstraps.Signal(ctx, in.Organization, bootstrap.SignalAbort); err != nil {
			return err
		}
		if err := h.waitEnded(ctx, in.Organization); err != nil {
			return err
		}
	}
	if err := h.Bootstraps.Start(ctx, in, pages.User(c)); err != nil {
		return err
	}
	return ui.Redirect(c, runURL(in.Organization))
}

func next(step string) string {
	for i, s := range steps {
		if s.ID == step && i+1 < len(steps) {
			return steps[i+1].ID
		}
	}
	return StepComponents
}

func runURL(org string) string { return "/wizard/run/" + url.PathEscape(org) }

// restoreURL is the form that restores a platform from its recovery bundle.
const restoreURL = "/wizard/restore"
