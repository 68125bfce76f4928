package wizard

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/bootstrap"
	"github.com/openova-io/core/cloud"
)

// changes is a Bootstraps of changes: what was started and signalled.
type changes struct {
	mu      sync.Mutex
	run     Run
	started []bootstrap.Input
	signals []string
}

func (c *changes) Start(_ context.Context, in bootstrap.Input, _ string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.started = append(c.started, in)
	c.run = Run{Organization: in.Organization, State: "running"}
	return nil
}
func (c *changes) Status(context.Context, string) (Run, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.run, nil
}
func (c *changes) Signal(_ context.Context, _, name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.signals = append(c.signals, name)
	return nil
}
func (c *changes) Latest(context.Context) (string, error) { return "", nil }

// platform is a Platforms with one built platform.
type platform bootstrap.Input

func (p platform) Platform(context.Context, string) (bootstrap.Input, error) {
	return bootstrap.Input(p), nil
}

func builtPlatform() bootstrap.Input {
	return bootstrap.Input{Organization: "acme", Domain: "acme.example", Provider: cloud.Hetzner,
		Regions: []bootstrap.Region{{Name: "fsn1", Role: bootstrap.RolePrimary, ControlPlanes: 1, Workers: 1, ControlPlaneSize: "cpx22",
			WorkerSize: "cpx32", NodeCIDR: "10.0.0.0/16", PodCIDR: "10.42.0.0/16", ServiceCIDR: "10.43.0.0/16"}},
		State: bootstrap.StateBackend{Bucket: "acme-state", Region: "us-east-1", Endpoint: "https://s3.example", KeyPrefix: "openova"}}
}

// The finished bootstrap's page offers a change; its form starts from the
// platform as built and asks again for the secrets openova keeps no copy
// of. A refused form comes back with what to fix and no secret in it, and
// starts nothing; an unchanged one is refused too; a good one starts the
// change with the new worker count and the typed secrets, and its page
// speaks of a change whose abort destroys nothing.
func TestChangeFormStartsAChangeOfTheBuiltPlatform(t *testing.T) {
	ch := &changes{}
	var checked []map[string]string
	h := &Handler{Drafts: &Drafts{}, Changes: ch, Platforms: platform(builtPlatform()),
		Bootstraps: finished{Run{Organization: "acme", State: "succeeded", Result: &bootstrap.Result{}}},
		Locations: func(_ context.Context, _ cloud.Provider, creds map[string]string) ([]cloud.Location, error) {
			checked = append(checked, creds)
			if creds["token"] == "read-only-canary" {
				return nil, &cloud.CredentialError{Field: "token", Reason: "Hetzner refused the token"}
			}
			return nil, nil
		}}
	e := echo.New()
	h.Routes(e)
	do := func(method, path string, form url.Values) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationForm)
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		return rec
	}

	final := do(http.MethodGet, "/wizard/run/acme", nil)
	require.Contains(t, final.Body.String(), `href="/wizard/run/acme/change"`)
	page := do(http.MethodGet, "/wizard/run/acme/change", nil)
	require.Equal(t, http.StatusOK, page.Code, page.Body.String())
	for _, want := range []string{"1 control plane (cpx22), 1 worker (cpx32)", `name="regions[0].workers"`, `value="1"`, `name="token"`,
		"Keys of the state bucket acme-state", `name="state.secret_key"`} {
		require.Contains(t, page.Body.String(), want)
	}

	good := url.Values{"regions[0].workers": {"2"}, "token": {"token-canary"}, "state.access_key": {"openova"}, "state.secret_key": {"s3-canary"}}
	for name, tc := range map[string]struct {
		form  url.Values
		field string
		msg   string
	}{
		"no number":     {with(good, "regions[0].workers", "two"), "regions[0].workers", "give the number of workers, 0 to 50"},
		"too many":      {with(good, "regions[0].workers", "51"), "regions[0].workers", "use 0 to 50 workers"},
		"unchanged":     {with(good, "regions[0].workers", "1"), "regions[0].workers", "this is what the platform has"},
		"no token":      {with(good, "token", ""), "token", "openova keeps no copy of it"},
		"no bucket key": {with(good, "state.secret_key", ""), "state.access_key", "give the access key and the secret key"},
		"token refused": {with(good, "token", "read-only-canary"), "token", "Hetzner refused the token"},
	} {
		t.Run(name, func(t *testing.T) {
			rec := do(http.MethodPost, "/wizard/run/acme/change", tc.form)
			require.Equal(t, http.StatusUnprocessableEntity, rec.Code)
			require.Contains(t, rec.Body.String(), tc.msg)
			require.Contains(t, rec.Body.String(), `data-field="`+tc.field+`"`)
			for _, s := range []string{"token-canary", "s3-canary", "read-only-canary"} {
				require.NotContains(t, rec.Body.String(), s, "no secret comes back")
			}
			require.Empty(t, ch.started)
		})
	}

	rec := do(http.MethodPost, "/wizard/run/acme/change", good)
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	require.Len(t, ch.started, 1)
	require.Equal(t, http.StatusSeeOther, do(http.MethodPost, "/wizard/run/acme/change", with(good, "regions[0].workers", "3")).Code)
	require.Len(t, ch.started, 1, "one change at a time: a second is not started while the first runs")
	in := ch.started[0]
	require.Equal(t, 2, in.Regions[0].Workers)
	require.Equal(t, "token-canary", in.Credentials["token"])
	require.Equal(t, "s3-canary", in.State.SecretKey.Reveal())
	require.Equal(t, builtPlatform().Regions[0].NodeCIDR, in.Regions[0].NodeCIDR, "the rest as built")

	ch.run.Progress = bootstrap.Progress{Awaiting: bootstrap.SignalApprove, Regions: []bootstrap.RegionProgress{{Name: "fsn1", Role: "primary",
		Plan: &bootstrap.PlanSummary{Add: 1, Resources: []bootstrap.PlanChange{{Address: "hcloud_server.worker[1]", Type: "hcloud_server", Action: "create"}}}}}}
	review := do(http.MethodGet, "/wizard/run/acme/change", nil).Body.String()
	for _, want := range []string{"Review the change of acme", "hcloud_server.worker[1]", "Approve and change", `action="/wizard/run/acme/change/approve"`,
		"Stop the change (nothing is destroyed)", `href="/wizard/run/acme" role="button" class="secondary" data-testid="back"`} {
		require.Contains(t, review, want)
	}
	require.NotContains(t, review, "Destroy what this bootstrap created")
	require.Equal(t, http.StatusSeeOther, do(http.MethodPost, "/wizard/run/acme/change/abort", nil).Code)
	require.Empty(t, ch.signals, "an abort is confirmed")
	require.Equal(t, http.StatusSeeOther, do(http.MethodPost, "/wizard/run/acme/change/approve", nil).Code)
	require.Equal(t, []string{bootstrap.SignalApprove}, ch.signals)
}

// A change waits for the bootstrap: before it has finished there is none.
func TestNoChangeBeforeTheBootstrapFinished(t *testing.T) {
	h := &Handler{Drafts: &Drafts{}, Changes: &changes{}, Platforms: platform(builtPlatform()),
		Bootstraps: finished{Run{Organization: "acme", State: "running"}}}
	e := echo.New()
	h.Routes(e)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/wizard/run/acme/change", nil))
	require.Equal(t, http.StatusNotFound, rec.Code)
	require.Contains(t, rec.Body.String(), "has not finished")
}

func with(v url.Values, k, val string) url.Values {
	out := url.Values{}
	for key, vals := range v {
		out[key] = append([]string(nil), vals...)
	}
	out.Set(k, val)
	return out
}
