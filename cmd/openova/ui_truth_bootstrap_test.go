package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/dev/fakehcloud"
	"github.com/openova-io/core/dev/testenv"
	"github.com/openova-io/core/dev/testenv/browser"
)

// readOnlyHetznerToken is well-formed; the fake API lets it read and
// refuses its every write, as a project's Read-only token.
const readOnlyHetznerToken = "ReadOnlyHetznerToken000000000000000000000000000000000000000000r0"

// The wizard tells the truth in a browser, at every step where a
// newcomer saw it not do so (issue 22). The Hetzner API is reached
// through a switch that is down at first: the credentials step says in
// words that the API could not be asked, and keeps no "Set and checked"
// token. With the API up, a Read-only token is refused by the check's
// harmless write, and the page names the write once a token passes it.
// The provider step says what to choose instead of a provider this build
// cannot run. The state step refuses a bucket and an endpoint that do not
// exist. Review names the OpenTofu it runs, every resolved component by
// name and "1 worker". The apply then fails (the API refuses a server):
// the page says what failed and what to do, its badge says Parked, Abort
// asks once and the run ends Aborted. The audit view of this mode names a
// bad date and offers no manager filter; the restore form and the change
// form a restored bundle leads to are visited too, so axe checks them.
func TestWizardTellsTheTruth_Browser_FakeHetznerAPI_S3OnLoopback(t *testing.T) {
	cloud := newCloudStandIn(t, fakehcloud.Options{ReadOnlyToken: readOnlyHetznerToken})
	api := newAPISwitch(t, cloud.API.URL())
	// The last --hetzner-api-url wins: the switch in front of the fake.
	p := cloud.start(t, t.TempDir(), "--hetzner-api-url", api.URL())
	ctx := signIn(t, p)
	w := wizardTab{t: t, ctx: ctx}

	browser.Do(t, ctx, browser.Present(tid("step-organization")),
		chromedp.SendKeys(chromedp.CSS(tid("organization")), "acme"), chromedp.SendKeys(chromedp.CSS(tid("domain")), "acme.example"))
	w.next(tid("step-provider"))
	w.providerSaysWhatToChoose()
	w.credentialsSayWhatFailed(api)
	w.credentialsRefuseAReadOnlyToken(cloud)

	browser.Do(t, ctx, chromedp.SetValue(chromedp.CSS(tid("regions[0].name")), "fsn1"),
		chromedp.SetValue(chromedp.CSS(tid("regions[0].workers")), "1"),
		chromedp.SetValue(chromedp.CSS(tid("api_port")), strconv.Itoa(cloud.Port)))
	w.next(tid("step-state"))
	w.stateRefusesWhatDoesNotExist(cloud)

	browser.Do(t, ctx, chromedp.Click(chromedp.CSS(tid("component-debezium"))),
		browser.Present(`[data-testid="added-component"][data-name="redpanda"]`))
	w.next(`[data-testid="run"][data-awaiting="approve"]`)
	w.reviewNamesWhatItRuns([]string{"debezium"})

	w.failedApplyIsParkedThenAborted(cloud)
	w.auditOfTheBootstrap(p)
	w.restoreAndChangeForms(p)
}

// wizardTab is a signed-in tab of the wizard.
type wizardTab struct {
	t   *testing.T
	ctx context.Context
}

// next presses Next and waits for what the answer shows.
func (w wizardTab) next(present string) {
	w.t.Helper()
	browser.Do(w.t, w.ctx, chromedp.Click(chromedp.CSS(tid("next"))), browser.Present(present))
}

// fieldError is the message beside a field, once there is one.
func (w wizardTab) fieldError(field string) string {
	w.t.Helper()
	return browser.Text(w.t, w.ctx, `[data-testid="field-error"][data-field="`+field+`"]`)
}

// count is how many elements match css now.
func (w wizardTab) count(css string) int {
	w.t.Helper()
	return evalIn[int](w.t, w.ctx, "document.querySelectorAll("+strconv.Quote(css)+").length")
}

// providerSaysWhatToChoose: a provider this build cannot run says so, and
// what to choose instead, in a user's words.
func (w wizardTab) providerSaysWhatToChoose() {
	t := w.t
	require.NotContains(t, browser.Text(t, w.ctx, tid("step-provider")), "test machine", "no developer's note")
	for _, p := range []string{"huawei", "oci"} {
		note := browser.Text(t, w.ctx, `label:has(`+tid("provider-"+p)+`) .note`)
		require.Contains(t, note, "Not available yet", p)
		require.Contains(t, note, "choose Hetzner Cloud", p)
	}
	browser.Screenshot(t, w.ctx, "provider")
	browser.Do(t, w.ctx, chromedp.Click(chromedp.CSS(tid("provider-hetzner"))))
	w.next(tid("step-credentials"))
}

// credentialsSayWhatFailed: with the API down, the check says in words
// that it could not be made, and the token is not kept as checked.
func (w wizardTab) credentialsSayWhatFailed(api *apiSwitch) {
	t := w.t
	api.release()
	browser.Do(t, w.ctx, chromedp.SendKeys(chromedp.CSS(tid("token")), canaryHetznerToken))
	w.next(`[data-testid="field-error"][data-field="credentials"]`)
	msg := w.fieldError("credentials")
	require.Equal(t, "The Hetzner Cloud API could not be asked whether they work: the connection was refused. "+
		"Check this machine's connection to it (or --hetzner-api-url), then type them again and press Next.", msg)
	require.Zero(t, w.count(tid("token-set")), "an unchecked token is not 'Set and checked'")
	require.Zero(t, w.count(tid("step-regions")))
	browser.Screenshot(t, w.ctx, "credentials-api-unreachable")
	api.up(t)
}

// credentialsRefuseAReadOnlyToken: the check's harmless write refuses a
// Read-only token; a token that may write passes, and the page says how
// it was checked (an SSH key made and deleted).
func (w wizardTab) credentialsRefuseAReadOnlyToken(cloud *cloudStandIn) {
	t := w.t
	browser.Do(t, w.ctx, chromedp.SendKeys(chromedp.CSS(tid("token")), readOnlyHetznerToken))
	w.next(`[data-testid="field-error"][data-field="token"]`)
	require.Equal(t, "this token may read but not write (a Read-only token): create one with Read & Write permission under Security → API tokens",
		w.fieldError("token"))
	require.Zero(t, w.count(tid("token-set")))
	browser.Screenshot(t, w.ctx, "credentials-read-only")
	refused := cloud.API.Requests()
	require.Len(t, refused, 1, "the one write the Read-only token tried")
	require.Equal(t, fakehcloud.Request{Method: http.MethodPost, Route: "/ssh_keys", Status: http.StatusForbidden}, refused[0])

	browser.Do(t, w.ctx, chromedp.SendKeys(chromedp.CSS(tid("token")), canaryHetznerToken))
	w.next(tid("step-regions"))
	browser.Do(t, w.ctx, chromedp.Click(chromedp.CSS(tid("back"))), browser.Present(tid("token-set")))
	require.Equal(t, "Set and checked: openova read the project's locations, and made and deleted an SSH key labelled openova.io/check to prove it may write. "+
		"Leave empty to keep it, or type a new one.", browser.Text(t, w.ctx, tid("token-set")))
	browser.Screenshot(t, w.ctx, "credentials-checked")
	for _, r := range cloud.API.Requests()[1:] {
		require.Equal(t, fakehcloud.KindSSHKey, r.Kind, "the check's write, and no other: %v", r)
		require.True(t, strings.HasPrefix(r.Name, "openova-credentials-check-"), "%v", r)
	}
	require.Len(t, cloud.API.Requests(), 3, "the Read-only try, then the key made and deleted")
	require.Empty(t, cloud.API.Live(), "the check left nothing")
	w.next(tid("step-regions"))
}

// stateRefusesWhatDoesNotExist: Next asks the state bucket; a bucket and
// an endpoint that do not exist are refused beside their fields.
func (w wizardTab) stateRefusesWhatDoesNotExist(cloud *cloudStandIn) {
	t := w.t
	fill := func(endpoint, bucket string) {
		browser.Do(t, w.ctx, chromedp.SetValue(chromedp.CSS(tid("state.bucket")), bucket),
			chromedp.SetValue(chromedp.CSS(tid("state.region")), "us-east-1"),
			chromedp.SetValue(chromedp.CSS(tid("state.endpoint")), endpoint),
			chromedp.SetValue(chromedp.CSS(tid("state.access_key")), "openova"),
			chromedp.SetValue(chromedp.CSS(tid("state.secret_key")), "canary-s3-secret"))
	}
	fill(cloud.S3URL, "acme-nope")
	w.next(`[data-testid="field-error"][data-field="state.bucket"]`)
	require.Equal(t, cloud.S3URL+` has no bucket "acme-nope": create it, or give one it has`, w.fieldError("state.bucket"))
	browser.Screenshot(t, w.ctx, "state-no-bucket")

	nowhere := "http://" + testenv.FreeAddr(t)
	fill(nowhere, "acme-state")
	w.next(`[data-testid="field-error"][data-field="state.endpoint"]`)
	require.Equal(t, nowhere+" could not be reached: the connection was refused; check the endpoint and this machine's connection to it",
		w.fieldError("state.endpoint"))
	browser.Screenshot(t, w.ctx, "state-no-endpoint")

	fill(cloud.S3URL, "acme-state")
	w.next(tid("step-components"))
}

// reviewNamesWhatItRuns: Review names the OpenTofu the plans run with,
// every component the choice resolved to, and counts nodes in words.
func (w wizardTab) reviewNamesWhatItRuns(chosen []string) {
	t := w.t
	row := func(label string) string {
		return evalIn[string](t, w.ctx, `[...document.querySelectorAll('[data-testid="summary"] tr')]
			.find(r => r.querySelector('th').innerText === `+strconv.Quote(label)+`)?.querySelector('td').innerText ?? ''`)
	}
	require.True(t, strings.HasPrefix(row("OpenTofu"), testenv.Bin(t, "tofu")+", OpenTofu v"), "the OpenTofu the plans run with: %q", row("OpenTofu"))
	require.Contains(t, row("Primary region"), "fsn1: 1 control plane, 1 worker (")
	require.NotContains(t, browser.Text(t, w.ctx, tid("summary")), "1 workers")
	require.Equal(t, strings.Join(chosen, ", "), row("Components à la carte"))

	resolved, err := catalog.Default().ResolveSelection(chosen)
	require.NoError(t, err)
	names := make([]string, len(resolved))
	for i, s := range resolved {
		names[i] = s.Name
	}
	require.Contains(t, names, "redpanda", "what debezium needs is in the resolved set")
	step := evalIn[string](t, w.ctx, `[...document.querySelectorAll('[data-testid="timeline"] [data-testid="step"]')]
		.find(s => s.innerText.startsWith('resolve the components'))?.querySelector('.msg')?.innerText ?? ''`)
	require.Equal(t, fmt.Sprintf("%d components: %s", len(names), strings.Join(names, ", ")), step, "the resolved set, by name")
	require.Equal(t, "Awaiting approval", browser.Text(t, w.ctx, `[data-testid="timeline"] [data-testid="status"]`))
	browser.Screenshot(t, w.ctx, "review")
}

// apiSwitch stands between openova and the fake Hetzner API. Its port is
// held (testenv.Reservation) until release; then nothing listens there,
// as at an API this machine cannot reach, until up serves the fake
// through it.
type apiSwitch struct {
	held   *testenv.Reservation
	target *url.URL
}

func newAPISwitch(t *testing.T, apiURL string) *apiSwitch {
	u, err := url.Parse(apiURL)
	require.NoError(t, err)
	return &apiSwitch{held: testenv.ReservePort(t, "127.0.0.1"), target: &url.URL{Scheme: u.Scheme, Host: u.Host}}
}

// URL is the API's URL through the switch.
func (s *apiSwitch) URL() string { return "http://127.0.0.1:" + strconv.Itoa(s.held.Port) + "/v1" }

// release lets the port go: a connection to it is refused.
func (s *apiSwitch) release() { s.held.Release("127.0.0.1") }

// up serves the fake API on the switch's port.
func (s *apiSwitch) up(t *testing.T) {
	srv := httptest.NewUnstartedServer(httputil.NewSingleHostReverseProxy(s.target))
	_ = srv.Listener.Close()
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(s.held.Port))
	require.NoError(t, err, "the switch's port was taken while it was down")
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
}
