package wizard

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/openova-io/core/bootstrap"
	"github.com/openova-io/core/recovery"
	"github.com/openova-io/core/secret"
	"github.com/openova-io/core/web/pages"
	"github.com/openova-io/core/web/ui"
)

// Restore keeps what an opened recovery bundle brings this openova: the
// state key, for the key command to read and write the platform's state
// with (cmd/openova: terraform.SaveRecoveredKey beside the codec key
// file), then the platform itself (RestoredFiles).
type Restore func(b recovery.Bundle) error

// RestoreVM is the restore form.
type RestoreVM struct {
	Missing string
	Errors  Errors
}

// maxBundleUpload bounds the upload: a bundle is a few KiB per region.
const maxBundleUpload = 4 << 20

func (h *Handler) restoreForm(c echo.Context) error {
	return h.renderRestore(c, http.StatusOK, Errors{})
}

func (h *Handler) renderRestore(c echo.Context, code int, errs Errors) error {
	vm := RestoreVM{Missing: h.Missing, Errors: errs}
	return ui.Render(c, code, h.Shell.Meta(c, "", pages.Wizard, "Restore from a recovery bundle", false), restorePage(vm))
}

// restore opens the uploaded bundle with the typed passphrase. A wrong
// passphrase, a damaged file or a bundle without the platform brings the
// form back with what to do, and nothing is kept: no key, no platform, no
// run. An opened bundle is kept (Restore) and its platform's change form
// follows.
func (h *Handler) restore(c echo.Context) error {
	if h.Restore == nil || h.Restored == nil {
		return echo.NewHTTPError(http.StatusNotFound, "This openova does not restore recovery bundles.")
	}
	fh, err := c.FormFile("bundle")
	if err != nil {
		return h.renderRestore(c, http.StatusUnprocessableEntity, Errors{"bundle": "choose the recovery bundle (<organization>-recovery.age) the bootstrap's final page gave you"})
	}
	f, err := fh.Open()
	if err != nil {
		return h.renderRestore(c, http.StatusUnprocessableEntity, Errors{"bundle": "the upload could not be read: choose the file again"})
	}
	defer func() { _ = f.Close() }()
	b, err := recovery.Open(io.LimitReader(f, maxBundleUpload), secret.Text(c.FormValue("passphrase")))
	switch {
	case errors.Is(err, recovery.ErrWrongPassphrase):
		return h.renderRestore(c, http.StatusUnprocessableEntity, Errors{"passphrase": err.Error()})
	case err != nil:
		return h.renderRestore(c, http.StatusUnprocessableEntity, Errors{"bundle": err.Error()})
	case b.Platform.Organization == "" || b.StateKeyID == "":
		return h.renderRestore(c, http.StatusUnprocessableEntity, Errors{"bundle": "this bundle was sealed by an openova that did not keep the platform in it: download a new one from the final page of the openova that built it"})
	}
	if run, err := h.Bootstraps.Status(c.Request().Context(), b.Organization); err != nil {
		return err
	} else if run.State != "" {
		return h.renderRestore(c, http.StatusUnprocessableEntity, Errors{"bundle": "this openova has a bootstrap of " + b.Organization + " of its own: change it from " + runURL(b.Organization)})
	}
	if err := h.Restore(b); err != nil {
		return h.renderRestore(c, http.StatusUnprocessableEntity, Errors{"bundle": "the bundle opened but was not kept: " + err.Error()})
	}
	if err := h.Restored.Save(b.Platform); err != nil {
		return err
	}
	pages.SetFlash(c, ui.Flash{Kind: "info", Text: "Restored " + b.Organization + " from its recovery bundle: plan a change below."})
	return ui.Redirect(c, changeURL(b.Organization))
}

// RestoredFiles keeps restored platforms (their inputs without secrets) as
// a file per organization in Dir, the data directory's.
type RestoredFiles struct{ Dir string }

func (r RestoredFiles) path(org string) (string, error) {
	if org == "" || strings.ContainsAny(org, `/\.`) {
		return "", errors.New("organization " + org + " is not a plain name")
	}
	return filepath.Join(r.Dir, org+".json"), nil
}

// Save keeps in (its secrets dropped), whole or not at all.
func (r RestoredFiles) Save(in bootstrap.Input) error {
	path, err := r.path(in.Organization)
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(in.WithoutSecrets(), "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(r.Dir, 0o700); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// List names the restored platforms' organizations, sorted.
func (r RestoredFiles) List() ([]string, error) {
	ents, err := os.ReadDir(r.Dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if org, ok := strings.CutSuffix(e.Name(), ".json"); ok && !e.IsDir() {
			out = append(out, org)
		}
	}
	return out, nil
}

// Load is the restored platform of org; ok is false when there is none.
func (r RestoredFiles) Load(org string) (in bootstrap.Input, ok bool, err error) {
	path, err := r.path(org)
	if err != nil {
		return in, false, err
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return in, false, nil
	}
	if err != nil {
		return in, false, err
	}
	if err := json.Unmarshal(data, &in); err != nil {
		return in, false, fmt.Errorf("restored platform %s: %w", org, err)
	}
	return in, true, nil
}
