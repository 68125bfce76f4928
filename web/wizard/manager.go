package wizard

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/openova-io/core/bootstrap"
)

// PasswordShown remembers that the manager's first admin password was
// shown, so the final page shows it once: whoever opens the page later
// (another tab, a shoulder) reads where it was shown, not the password.
type PasswordShown interface {
	// Show reports whether org's password may be shown now (the first
	// ask) and, when not, when it was shown.
	Show(org string) (first bool, at time.Time, err error)
}

// ShownFiles keeps PasswordShown as a file per organization in Dir (the
// data directory's): it holds the time only, never the password.
type ShownFiles struct{ Dir string }

// Show creates Dir/<org>.shown on the first ask; later asks read it.
func (s ShownFiles) Show(org string) (bool, time.Time, error) {
	if org == "" || strings.ContainsAny(org, `/\.`) {
		return false, time.Time{}, errors.New("organization " + org + " is not a plain name")
	}
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return false, time.Time{}, err
	}
	path := filepath.Join(s.Dir, org+".shown")
	now := time.Now().UTC()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		_, werr := f.WriteString(now.Format(time.RFC3339))
		return true, now, errors.Join(werr, f.Close())
	}
	if !errors.Is(err, os.ErrExist) {
		return false, time.Time{}, err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return false, time.Time{}, err
	}
	at, _ := time.Parse(time.RFC3339, strings.TrimSpace(string(b)))
	return false, at, nil
}

// ManagerVM is the final page's Lifecycle Manager: where it answers, the
// DNS record to create, the CA to download and its fingerprint, and the
// first admin password, once (else when it was shown).
type ManagerVM struct {
	URL, AddressURL, DNSRecord, CAURL, CAFingerprint, CertFingerprint, Image string
	// DNSZone is the Hetzner DNS zone the record was created in ("": the
	// user creates it).
	DNSZone  string
	Password string
	ShownAt  string
	// RecoveryURL takes the passphrase form; DataDir is this openova's.
	RecoveryURL, DataDir string
}

// managerVM fills the final page's manager from the result, asking
// PasswordShown whether this page may show the password.
func (h *Handler) managerVM(org string, m *bootstrap.Manager) (*ManagerVM, error) {
	vm := &ManagerVM{URL: m.URL, AddressURL: m.AddressURL, DNSRecord: m.DNSRecord, DNSZone: m.DNSZone, CAURL: runURL(org) + "/ca",
		CAFingerprint: m.CAFingerprint, CertFingerprint: m.CertFingerprint, Image: m.Image,
		RecoveryURL: runURL(org) + "/recovery", DataDir: h.DataDir}
	if h.Shown == nil {
		vm.ShownAt = "never on this page: this openova keeps no record of showing it"
		return vm, nil
	}
	first, at, err := h.Shown.Show(org)
	if err != nil {
		return nil, err
	}
	if first {
		vm.Password = m.Password.Reveal()
		return vm, nil
	}
	vm.ShownAt = at.Format("2006-01-02 15:04 MST")
	return vm, nil
}

// ca sends the CA that signed the manager's certificate (public: what a
// browser or `curl --cacert` trusts the manager by).
func (h *Handler) ca(c echo.Context) error {
	org := c.Param("org")
	r, err := h.Bootstraps.Status(c.Request().Context(), org)
	if err != nil {
		return err
	}
	if r.Result == nil || r.Result.Manager == nil {
		return echo.NewHTTPError(http.StatusNotFound, "The manager of "+org+" is not deployed yet.")
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+org+`-ca.crt"`)
	return c.Blob(http.StatusOK, "application/x-pem-file", []byte(r.Result.Manager.CA))
}
