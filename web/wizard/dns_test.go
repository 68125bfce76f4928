package wizard

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/cloud"
)

// The credentials step offers Hetzner DNS for the manager's record: a zone
// the domain is not in is refused beside its field; one the project does
// not have (the DNS check) too, with what to do; an existing one is kept,
// and Review's summary says the record will be created there.
func TestCredentialsStepTakesTheDNSZone(t *testing.T) {
	zones := map[string]bool{"acme.example": true}
	h := &Handler{Drafts: &Drafts{}, Bootstraps: finished{},
		Locations: func(context.Context, cloud.Provider, map[string]string) ([]cloud.Location, error) { return nil, nil },
		CheckZone: func(_ context.Context, _ cloud.Provider, _ map[string]string, zone string) error {
			if !zones[zone] {
				return &cloud.CredentialError{Field: "dns_zone", Reason: "this Hetzner project has no DNS zone " + zone}
			}
			return nil
		}}
	e := echo.New()
	h.Routes(e)
	post := stepPoster(e)
	require.Equal(t, http.StatusSeeOther, post(StepOrganization, url.Values{"organization": {"acme"}, "domain": {"platform.acme.example"}}).Code)
	require.Equal(t, http.StatusSeeOther, post(StepProvider, url.Values{"provider": {"hetzner"}}).Code)
	page := httptest.NewRecorder()
	e.ServeHTTP(page, httptest.NewRequest(http.MethodGet, "/wizard/credentials", nil))
	require.Contains(t, page.Body.String(), `name="dns_zone"`)
	require.Contains(t, page.Body.String(), "openova creates manager.platform.acme.example there")

	for zone, msg := range map[string]string{
		"globex.example":        "must be platform.acme.example itself or a zone it is in",
		"example":               "give the zone&#39;s name", // HTML-escaped
		"platform.acme.example": "this Hetzner project has no DNS zone platform.acme.example",
	} {
		rec := post(StepCredentials, url.Values{"token": {"t"}, "dns_zone": {zone}})
		require.Equal(t, http.StatusUnprocessableEntity, rec.Code, zone)
		require.Contains(t, rec.Body.String(), `data-field="dns_zone"`, zone)
		require.Contains(t, rec.Body.String(), msg, zone)
	}
	rec := post(StepCredentials, url.Values{"token": {"t"}, "dns_zone": {"Acme.Example"}})
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	d, unlock := h.Drafts.Lock("")
	defer unlock()
	require.Equal(t, "acme.example", d.DNSZone)
	var dns string
	for _, row := range summary(d) {
		if row.Label == "DNS record" {
			dns = row.Value
		}
	}
	require.Equal(t, "manager.platform.acme.example, created in the Hetzner DNS zone acme.example", dns)
}

// A credentials check that cannot reach the API says why in words, not
// Go's, and keeps nothing of what was typed: the field is not "Set and
// checked".
func TestCredentialsCheckThatCannotReachTheAPI(t *testing.T) {
	for name, tc := range map[string]struct {
		err  error
		want string
	}{
		"no DNS": {&net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Name: "api.hetzner.cloud", Err: "no such host", IsNotFound: true}},
			"the name api.hetzner.cloud could not be looked up (DNS)"},
		"refused":  {&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, "the connection was refused"},
		"too slow": {context.DeadlineExceeded, "it did not answer in time"},
	} {
		t.Run(name, func(t *testing.T) {
			h := &Handler{Drafts: &Drafts{}, Bootstraps: finished{},
				Locations: func(context.Context, cloud.Provider, map[string]string) ([]cloud.Location, error) {
					return nil, fmt.Errorf("ask the Hetzner Cloud API for its locations: %w", tc.err)
				}}
			e := echo.New()
			h.Routes(e)
			post := stepPoster(e)
			post(StepOrganization, url.Values{"organization": {"acme"}, "domain": {"acme.example"}})
			post(StepProvider, url.Values{"provider": {"hetzner"}})
			rec := post(StepCredentials, url.Values{"token": {"token-canary"}})
			require.Equal(t, http.StatusUnprocessableEntity, rec.Code)
			body := rec.Body.String()
			require.Contains(t, body, "The Hetzner Cloud API could not be asked whether they work: "+tc.want)
			require.NotContains(t, body, "dial tcp")
			require.NotContains(t, body, `data-testid="token-set"`, "not set: it was not checked")
			require.NotContains(t, body, "token-canary")
		})
	}
}

// stepPoster posts a wizard step's form to e, as the browser does.
func stepPoster(e *echo.Echo) func(step string, form url.Values) *httptest.ResponseRecorder {
	return func(step string, form url.Values) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/wizard/"+step, strings.NewReader(form.Encode()))
		req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationForm)
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		return rec
	}
}
