package wizard

import (
	"bytes"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/openova-io/core/recovery"
	"github.com/openova-io/core/secret"
	"github.com/openova-io/core/web/pages"
	"github.com/openova-io/core/web/ui"
)

// StateKeys gives an organization's OpenTofu state key (derived from the
// codec key, which this package never sees, or recovered from a bundle)
// and the ID the state's metadata names it by.
type StateKeys func(org string) (key secret.Text, id string, err error)

// recoveryBundle seals what this machine alone holds of a finished
// bootstrap (each cluster's kubeconfig and CA, the OpenTofu state key,
// the primary Gitea's admin token) with the passphrase the user typed,
// and sends it as a download. The passphrase is read from the form and
// goes nowhere else: no log, no page, no file. A passphrase too short, or
// two that differ, bring the user back to the page with what to fix.
func (h *Handler) recoveryBundle(c echo.Context) error {
	org := c.Param("org")
	r, err := h.Bootstraps.Status(c.Request().Context(), org)
	if err != nil {
		return err
	}
	if r.Result == nil || r.Result.Manager == nil {
		return echo.NewHTTPError(http.StatusNotFound, "The bootstrap of "+org+" has not finished: the recovery bundle comes with its final page.")
	}
	pass, again := secret.Text(c.FormValue("passphrase")), secret.Text(c.FormValue("passphrase_again"))
	fail := func(msg string) error {
		pages.SetFlash(c, ui.Flash{Kind: "error", Text: msg})
		return ui.Redirect(c, runURL(org))
	}
	if pass != again {
		return fail("The two passphrases differ: type the same one twice, then download the recovery bundle.")
	}
	if h.StateKeys == nil {
		return fail("This openova cannot give the OpenTofu state key, so it seals no recovery bundle.")
	}
	key, keyID, err := h.StateKeys(org)
	if err != nil {
		return fail("The OpenTofu state key of " + org + " is not at hand (" + err.Error() + "): run openova with the data directory that made this bootstrap.")
	}
	b := recovery.Bundle{Organization: org, StateKey: key, StateKeyID: keyID, GiteaToken: r.Result.Manager.GiteaToken}
	if h.Platforms != nil {
		if b.Platform, err = h.platform(c.Request().Context(), org); err != nil {
			return fail("The platform of " + org + " was not found (" + err.Error() + "): run openova with the data directory that made this bootstrap.")
		}
	}
	for _, cl := range r.Result.Regions {
		b.Regions = append(b.Regions, recovery.Region{Name: cl.Region, Kubeconfig: cl.Kubeconfig, CA: cl.CA})
	}
	var out bytes.Buffer
	if err := recovery.Seal(&out, b, pass); err != nil {
		return fail("The recovery bundle was not made: " + err.Error() + ".")
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+org+`-recovery.age"`)
	return c.Blob(http.StatusOK, "application/octet-stream", out.Bytes())
}
