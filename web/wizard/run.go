package wizard

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/openova-io/core/bootstrap"
	"github.com/openova-io/core/web/pages"
	"github.com/openova-io/core/web/ui"
)

// run is the page of a running or ended bootstrap: while it plans, a live
// timeline; then Review (the summary and each region's plan, resource by
// resource) with Approve and Abort; then each region's steps live, a
// parked failure with Retry and Abort; at the end each cluster's API
// endpoint and its kubeconfig.
func (h *Handler) run(c echo.Context) error {
	org := c.Param("org")
	r, err := h.Bootstraps.Status(c.Request().Context(), org)
	if err != nil {
		return err
	}
	if r.State == "" {
		return echo.NewHTTPError(http.StatusNotFound, "There is no bootstrap of "+org+": the wizard starts at /wizard.")
	}
	vm := h.runPageVM(r, pages.User(c))
	vm.Missing = h.Missing
	if len(vm.Summary) > 0 && h.Tofu != "" {
		vm.Summary = append(vm.Summary, SummaryRow{"OpenTofu", h.Tofu})
	}
	// A fragment of an ended run, or of one parked on a failure, clears
	// the page's flashes: "Approved: the clusters are being built." is
	// stale above the clusters ready, and above a step that failed.
	vm.ClearFlashes = ui.IsFragmentRequest(c.Request()) && (r.State != "running" || r.Progress.Awaiting == bootstrap.SignalRetry)
	if r.Result != nil && r.Result.Manager != nil {
		if vm.Manager, err = h.managerVM(org, r.Result.Manager); err != nil {
			return err
		}
		// The page may hold the password: no cache keeps it.
		c.Response().Header().Set("Cache-Control", "no-store")
	}
	if r.State == "succeeded" && h.Changes != nil && h.Platforms != nil {
		vm.ChangeURL = changeURL(org)
	}
	meta := h.Shell.Meta(c, "", pages.Wizard, "Bootstrap", vm.Polling)
	return ui.Render(c, http.StatusOK, meta, runPage(vm))
}

// runPageVM reads the user's draft under its lock, released however it
// ends (a panic that left it held would hang the user's every next page).
func (h *Handler) runPageVM(r Run, user string) RunVM {
	d, unlock := h.Drafts.Lock(user)
	defer unlock()
	return runVM(r, d)
}

// decide sends approve, retry or abort to the bootstrap; decideChange to
// the change. Abort is confirmed in the page (a dialog with script, a
// checkbox without).
func (h *Handler) decide(c echo.Context) error {
	return h.decideOn(c, h.Bootstraps, runURL(c.Param("org")), false)
}

func (h *Handler) decideChange(c echo.Context) error {
	if h.Changes == nil {
		return echo.NewHTTPError(http.StatusNotFound, "This openova does not change built platforms.")
	}
	return h.decideOn(c, h.Changes, changeURL(c.Param("org")), true)
}

func (h *Handler) decideOn(c echo.Context, runs Bootstraps, page string, change bool) error {
	org, decision := c.Param("org"), c.Param("decision")
	switch decision {
	case bootstrap.SignalApprove, bootstrap.SignalRetry:
	case bootstrap.SignalAbort:
		if c.FormValue("confirm") != "yes" {
			pages.SetFlash(c, ui.Flash{Kind: "error", Text: "Tick “" + abortLabel(change) + "” to abort."})
			return ui.Redirect(c, page)
		}
	default:
		return echo.NewHTTPError(http.StatusNotFound, "There is no decision "+decision+": approve, retry or abort.")
	}
	if err := runs.Signal(c.Request().Context(), org, decision); err != nil {
		return err
	}
	if decision == bootstrap.SignalApprove && !change {
		h.Drafts.Forget(pages.User(c))
	}
	text := map[string]string{
		bootstrap.SignalApprove: "Approved: the clusters are being built.",
		bootstrap.SignalRetry:   "Retrying the parked step.",
		bootstrap.SignalAbort:   "Aborting: what this bootstrap created is being destroyed.",
	}
	if change {
		text[bootstrap.SignalApprove] = "Approved: the change is being applied."
		text[bootstrap.SignalAbort] = "Aborting the change: nothing is destroyed."
	}
	pages.SetFlash(c, ui.Flash{Kind: "info", Text: text[decision]})
	return ui.Redirect(c, page)
}

// abortLabel is the abort checkbox's label.
func abortLabel(change bool) string {
	if change {
		return "stop the change (nothing is destroyed)"
	}
	return "destroy what this bootstrap created"
}

// kubeconfig sends a finished region's admin kubeconfig as a download;
// changeKubeconfig the one a change made (a new admin certificate).
func (h *Handler) kubeconfig(c echo.Context) error { return h.kubeconfigOf(c, h.Bootstraps) }

func (h *Handler) changeKubeconfig(c echo.Context) error {
	if h.Changes == nil {
		return echo.NewHTTPError(http.StatusNotFound, "This openova does not change built platforms.")
	}
	return h.kubeconfigOf(c, h.Changes)
}

func (h *Handler) kubeconfigOf(c echo.Context, runs Bootstraps) error {
	org, region := c.Param("org"), c.Param("region")
	r, err := runs.Status(c.Request().Context(), org)
	if err != nil {
		return err
	}
	if r.Result != nil {
		for _, cl := range r.Result.Regions {
			if cl.Region == region {
				c.Response().Header().Set("Cache-Control", "no-store")
				c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+org+"-"+region+`.kubeconfig"`)
				return c.Blob(http.StatusOK, "application/yaml", cl.Kubeconfig)
			}
		}
	}
	return echo.NewHTTPError(http.StatusNotFound, "There is no finished cluster "+region+" of "+org+" yet.")
}

// waitEnded waits until the organization's bootstrap is no longer running.
func (h *Handler) waitEnded(ctx context.Context, org string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		r, err := h.Bootstraps.Status(ctx, org)
		if err != nil {
			return err
		}
		if r.State != "running" {
			return nil
		}
		select {
		case <-ctx.Done():
			return echo.NewHTTPError(http.StatusConflict, "The earlier plan of "+org+" did not stop in time: try again in a moment.")
		case <-time.After(200 * time.Millisecond):
		}
	}
}
