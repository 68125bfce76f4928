package wizard

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/bootstrap"
)

// finished is a Bootstraps whose one run ended with the manager deployed.
type finished struct{ run Run }

func (f finished) Start(context.Context, bootstrap.Input, string) error { return nil }
func (f finished) Status(_ context.Context, org string) (Run, error) {
	if org != f.run.Organization {
		return Run{}, nil
	}
	return f.run, nil
}
func (f finished) Signal(context.Context, string, string) error { return nil }
func (f finished) Latest(context.Context) (string, error)       { return f.run.Organization, nil }

// The final page names the manager (both URLs, the DNS record, the CA
// with its fingerprint) and shows the first admin password once: a
// second view, a reload or another tab, says when it was shown and how to
// reset it, and the page is never cached. The CA downloads as PEM.
func TestFinalPageShowsThePasswordOnce(t *testing.T) {
	shown := filepath.Join(t.TempDir(), "shown")
	h := &Handler{Drafts: &Drafts{}, Shown: ShownFiles{Dir: shown}, Bootstraps: finished{Run{Organization: "acme", State: "succeeded",
		Result: &bootstrap.Result{Manager: &bootstrap.Manager{URL: "https://manager.acme.example", AddressURL: "https://198.51.100.1",
			DNSRecord: "manager.acme.example. A 198.51.100.1", CA: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
			CAFingerprint: "AA:BB", Image: "198.51.100.1:3000/acme/openova@sha256:11", Password: "canary-first-admin-password"}}}}}
	e := echo.New()
	h.Routes(e)
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec
	}

	first := get("/wizard/run/acme")
	require.Equal(t, http.StatusOK, first.Code, first.Body.String())
	body := first.Body.String()
	for _, want := range []string{`data-testid="manager-password">canary-first-admin-password<`, "https://198.51.100.1", "https://manager.acme.example",
		"manager.acme.example. A 198.51.100.1", "AA:BB", "/wizard/run/acme/ca"} {
		require.Contains(t, body, want)
	}
	require.Equal(t, "no-store", first.Header().Get("Cache-Control"))

	for range 2 {
		again := get("/wizard/run/acme")
		require.Equal(t, http.StatusOK, again.Code)
		require.NotContains(t, again.Body.String(), "canary-first-admin-password", "shown once")
		require.Contains(t, again.Body.String(), `data-testid="password-shown"`)
		require.Contains(t, again.Body.String(), "openova-system/openova-admin", "how to reset it")
	}
	files, err := os.ReadDir(shown)
	require.NoError(t, err)
	require.Len(t, files, 1)
	b, err := os.ReadFile(filepath.Join(shown, files[0].Name()))
	require.NoError(t, err)
	require.NotContains(t, string(b), "canary", "the record holds the time only")

	ca := get("/wizard/run/acme/ca")
	require.Equal(t, http.StatusOK, ca.Code)
	require.Contains(t, ca.Body.String(), "BEGIN CERTIFICATE")
	require.Contains(t, ca.Header().Get(echo.HeaderContentDisposition), `filename="acme-ca.crt"`)
	require.Equal(t, http.StatusNotFound, get("/wizard/run/other/ca").Code)
}
