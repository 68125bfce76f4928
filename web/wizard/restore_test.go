package wizard

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/bootstrap"
	"github.com/openova-io/core/recovery"
	"github.com/openova-io/core/secret"
)

// A recovery bundle opened on another openova: a wrong passphrase, a
// damaged file, no file, or a bundle without the platform each bring the
// form back with what to do, and nothing is kept (no key, no platform);
// the right one keeps the key and the platform and leads to the change
// form of that platform, which the organization's page of this openova
// never built.
func TestRestoreKeepsNothingUnlessTheBundleOpens(t *testing.T) {
	const pass = "canary correct horse battery"
	seal := func(b recovery.Bundle) []byte {
		var buf bytes.Buffer
		require.NoError(t, recovery.Seal(&buf, b, pass))
		return buf.Bytes()
	}
	good := recovery.Bundle{Organization: "acme", Regions: []recovery.Region{{Name: "fsn1", Kubeconfig: []byte("kubeconfig")}},
		StateKey: "c3RhdGU=", StateKeyID: "0011223344556677", Platform: builtPlatform()}
	old := good
	old.Platform = bootstrap.Input{}
	damaged := seal(good)
	damaged[len(damaged)/2] ^= 1

	var kept []recovery.Bundle
	dir := t.TempDir()
	h := &Handler{Drafts: &Drafts{}, Changes: &changes{}, Platforms: noPlatform{}, Restored: &RestoredFiles{Dir: dir},
		Bootstraps: finished{}, // this openova built nothing
		Restore:    func(b recovery.Bundle) error { kept = append(kept, b); return nil }}
	e := echo.New()
	h.Routes(e)
	upload := func(file []byte, passphrase string) *httptest.ResponseRecorder {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		if file != nil {
			fw, err := mw.CreateFormFile("bundle", "acme-recovery.age")
			require.NoError(t, err)
			_, _ = fw.Write(file)
		}
		require.NoError(t, mw.WriteField("passphrase", passphrase))
		require.NoError(t, mw.Close())
		req := httptest.NewRequest(http.MethodPost, "/wizard/restore", &body)
		req.Header.Set(echo.HeaderContentType, mw.FormDataContentType())
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		return rec
	}

	for name, tc := range map[string]struct {
		file       []byte
		passphrase string
		field, msg string
	}{
		"wrong passphrase": {seal(good), "not the passphrase", "passphrase", "the passphrase does not open this bundle"},
		"damaged":          {damaged, pass, "bundle", "the file is damaged"},
		"no file":          {nil, pass, "bundle", "choose the recovery bundle"},
		"no platform":      {seal(old), pass, "bundle", "did not keep the platform in it"},
	} {
		t.Run(name, func(t *testing.T) {
			rec := upload(tc.file, tc.passphrase)
			require.Equal(t, http.StatusUnprocessableEntity, rec.Code)
			require.Contains(t, rec.Body.String(), `data-field="`+tc.field+`"`)
			require.Contains(t, rec.Body.String(), tc.msg)
			require.NotContains(t, rec.Body.String(), "canary")
			require.Empty(t, kept, "no key kept")
			files, err := os.ReadDir(dir)
			require.NoError(t, err)
			require.Empty(t, files, "no platform kept")
			change := httptest.NewRecorder()
			e.ServeHTTP(change, httptest.NewRequest(http.MethodGet, "/wizard/run/acme/change", nil))
			require.Equal(t, http.StatusNotFound, change.Code)
			require.Contains(t, change.Body.String(), "restore its recovery bundle at /wizard/restore")
		})
	}

	rec := upload(seal(good), pass)
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	require.Equal(t, "/wizard/run/acme/change", rec.Header().Get(echo.HeaderLocation))
	require.Len(t, kept, 1)
	require.Equal(t, secret.Text("c3RhdGU="), kept[0].StateKey)
	_, err := os.Stat(filepath.Join(dir, "acme.json"))
	require.NoError(t, err)
	change := httptest.NewRecorder()
	e.ServeHTTP(change, httptest.NewRequest(http.MethodGet, "/wizard/run/acme/change", nil))
	require.Equal(t, http.StatusOK, change.Code, change.Body.String())
	require.Contains(t, change.Body.String(), "1 control plane (cpx22), 1 worker (cpx32)")
	require.Contains(t, change.Body.String(), `<a href="/wizard/restore" role="button" class="secondary" data-testid="back">`,
		"Back goes to the restore form: no bootstrap of acme ran here, so its page is a 404")
	require.NotContains(t, change.Body.String(), `href="/wizard/run/acme" role="button"`)
	home := httptest.NewRecorder()
	e.ServeHTTP(home, httptest.NewRequest(http.MethodGet, "/", nil))
	require.Equal(t, "/wizard/run/acme/change", home.Header().Get(echo.HeaderLocation), "a closed tab finds the restored platform again")
}

// noPlatform is a Platforms of an openova that built nothing.
type noPlatform struct{}

func (noPlatform) Platform(context.Context, string) (bootstrap.Input, error) {
	return bootstrap.Input{}, ErrNoPlatform
}
