package wizard

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/bootstrap"
	"github.com/openova-io/core/recovery"
	"github.com/openova-io/core/secret"
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

// The recovery bundle: sealed with the passphrase typed twice, it opens
// with that passphrase to each cluster's kubeconfig and CA, the state key
// and the Gitea token; a short passphrase or two that differ bring the
// page back with what to fix and no bundle; the passphrase is in no
// answer.
func TestRecoveryBundleFromTheFinalPage(t *testing.T) {
	h := &Handler{Drafts: &Drafts{}, Shown: ShownFiles{Dir: t.TempDir()}, DataDir: "/var/lib/openova-test",
		StateKeys: func(org string) (secret.Text, string, error) {
			return secret.Text("state-key-of-" + org), "0011223344556677", nil
		},
		Platforms: platform(builtPlatform()), Changes: &changes{},
		Bootstraps: finished{Run{Organization: "acme", State: "succeeded", Result: &bootstrap.Result{
			Regions: []bootstrap.Cluster{{Region: "fsn1", Kubeconfig: []byte("kubeconfig of fsn1"), CA: "CA of fsn1"},
				{Region: "hel1", Kubeconfig: []byte("kubeconfig of hel1"), CA: "CA of hel1"}},
			Manager: &bootstrap.Manager{URL: "https://manager.acme.example", GiteaToken: "canary-recovery-token"}}}}}
	e := echo.New()
	h.Routes(e)
	post := func(pass, again string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/wizard/run/acme/recovery", strings.NewReader(url.Values{"passphrase": {pass}, "passphrase_again": {again}}.Encode()))
		req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationForm)
		e.ServeHTTP(rec, req)
		return rec
	}
	page := httptest.NewRecorder()
	e.ServeHTTP(page, httptest.NewRequest(http.MethodGet, "/wizard/run/acme", nil))
	require.Contains(t, page.Body.String(), `data-testid="recovery-form"`)
	require.Contains(t, page.Body.String(), "/var/lib/openova-test", "the page says where this machine keeps the rest")

	const pass = "canary correct horse battery"
	got := post(pass, pass)
	require.Equal(t, http.StatusOK, got.Code, got.Body.String())
	require.Contains(t, got.Header().Get(echo.HeaderContentDisposition), `filename="acme-recovery.age"`)
	require.Equal(t, "no-store", got.Header().Get("Cache-Control"))
	require.NotContains(t, got.Body.String(), "canary", "sealed: neither the token nor the passphrase in clear")
	b, err := recovery.Open(bytes.NewReader(got.Body.Bytes()), pass)
	require.NoError(t, err)
	require.Equal(t, "acme", b.Organization)
	require.Equal(t, "state-key-of-acme", b.StateKey.Reveal())
	require.Equal(t, "0011223344556677", b.StateKeyID)
	require.Equal(t, builtPlatform(), b.Platform, "the platform as built, for a restore")
	require.Equal(t, "canary-recovery-token", b.GiteaToken.Reveal())
	require.Len(t, b.Regions, 2)
	require.Equal(t, recovery.Region{Name: "fsn1", Kubeconfig: []byte("kubeconfig of fsn1"), CA: "CA of fsn1"}, b.Regions[0])
	_, err = recovery.Open(bytes.NewReader(got.Body.Bytes()), "not the passphrase at all")
	require.ErrorIs(t, err, recovery.ErrWrongPassphrase)

	for _, tc := range []struct{ name, pass, again, flash string }{
		{"too short", "canary", "canary", "the passphrase has 6 characters: choose one of at least 12"},
		{"two that differ", pass, pass + "!", "The two passphrases differ"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := post(tc.pass, tc.again)
			require.Equal(t, http.StatusSeeOther, rec.Code, "back to the page, no bundle")
			require.Empty(t, rec.Header().Get(echo.HeaderContentDisposition))
			require.NotContains(t, rec.Body.String(), tc.pass)
			var flash string
			for _, ck := range rec.Result().Cookies() {
				if ck.Name == "openova_flash" {
					b, err := base64.RawURLEncoding.DecodeString(ck.Value)
					require.NoError(t, err)
					flash = string(b)
				}
			}
			require.Contains(t, flash, tc.flash, "the page says what to fix")
			require.NotContains(t, flash, "canary", "and never the passphrase")
		})
	}
}
