package main

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/security"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/bootstrap"
	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/dev/fakehcloud"
	"github.com/openova-io/core/dev/testenv"
	"github.com/openova-io/core/dev/testenv/browser"
	"github.com/openova-io/core/dev/testenv/k3s/players"
	kubeclient "github.com/openova-io/core/kube"
)

// tid is the selector of a data-testid.
func tid(id string) string { return `[data-testid="` + id + `"]` }

// evalIn evaluates expr in the page as it is now (htmx may have swapped
// the body, which chromedp's DOM tracking can miss).
func evalIn[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	require.NoError(t, err, expr)
	return v
}

// valueOf is a form field's current value.
func valueOf(t *testing.T, ctx context.Context, css string) string {
	t.Helper()
	return evalIn[string](t, ctx, "document.querySelector("+strconv.Quote(css)+").value")
}

// Journey 1 in a real browser, up to reachable clusters: the wizard with
// provider Hetzner and two regions; a bad domain and a wrong token refused
// beside their fields; Back and forward keeping what was typed; Debezium
// chosen and Redpanda added for it, explained; Review showing both
// regions' plans resource by resource; Approve; live progress; the final
// page with each cluster's endpoint and kubeconfig. The cloud is the fake
// Hetzner API with the real OpenTofu and hcloud provider, the state in S3
// on loopback, and envtest standing in for k3s. The canary token is in no
// page the browser saw.
func TestJourney1Wizard_Browser_FakeHetznerAPI_S3OnLoopback_EnvtestAsK3s(t *testing.T) {
	testenv.HoldDefaultPorts(t) // the wizard's Gitea and manager ports, as the demo's test
	cloud := newCloudStandIn(t, fakehcloud.Options{})
	// The wizard asks no Gitea port: the module's default, where the
	// played Giteas listen.
	cloud.GiteaPort = activities.GiteaPort
	cloud.ManagerPort = bootstrap.ManagerPort // the wizard's: the manager on 443
	p := cloud.start(t, t.TempDir())
	ctx := signIn(t, p)
	var pagesSeen []string
	html := func() string {
		h, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html")))
		require.NoError(t, err)
		pagesSeen = append(pagesSeen, h)
		return h
	}
	next := func(present string) {
		t.Helper()
		browser.Do(t, ctx, chromedp.Click(chromedp.CSS(tid("next"))), browser.Present(present))
		html()
	}
	fieldError := func(field string) string {
		return browser.Text(t, ctx, `[data-testid="field-error"][data-field="`+field+`"]`)
	}

	// Organization: a bad domain is refused beside its field, the name kept.
	browser.Do(t, ctx, browser.Present(tid("step-organization")),
		chromedp.SendKeys(chromedp.CSS(tid("organization")), "acme"), chromedp.SendKeys(chromedp.CSS(tid("domain")), "acme_example"))
	next(`[data-testid="field-error"][data-field="domain"]`)
	require.Contains(t, fieldError("domain"), "at least two labels")
	require.Equal(t, "acme", valueOf(t, ctx, tid("organization")), "what was typed is kept")
	browser.Screenshot(t, ctx, "organization-bad-domain")
	browser.Do(t, ctx, chromedp.SetValue(chromedp.CSS(tid("domain")), "acme.example"))
	next(tid("step-provider"))
	browser.Screenshot(t, ctx, "provider")
	browser.Do(t, ctx, chromedp.Click(chromedp.CSS(tid("provider-hetzner"))))
	next(tid("step-credentials"))

	// Credentials: a well-formed token the API refuses, then the canary.
	browser.Do(t, ctx, chromedp.SendKeys(chromedp.CSS(tid("token")), strings.Repeat("w", 64)))
	next(`[data-testid="field-error"][data-field="token"]`)
	require.Contains(t, fieldError("token"), "the Hetzner Cloud API refused this token")
	browser.Screenshot(t, ctx, "credentials-wrong-token")
	browser.Do(t, ctx, chromedp.SendKeys(chromedp.CSS(tid("token")), canaryHetznerToken))
	next(tid("step-regions"))

	// Regions: from the provider's own list; two regions, the stand-in's port.
	browser.Do(t, ctx, chromedp.SetValue(chromedp.CSS(tid("regions[0].name")), "fsn1"),
		chromedp.SetValue(chromedp.CSS(tid("regions[1].name")), "hel1"),
		chromedp.SetValue(chromedp.CSS(tid("regions[0].workers")), "1"), chromedp.SetValue(chromedp.CSS(tid("regions[1].workers")), "1"),
		chromedp.SetValue(chromedp.CSS(tid("api_port")), strconv.Itoa(cloud.Port)))
	browser.Screenshot(t, ctx, "regions")
	next(tid("step-state"))

	// Back to the regions and to the credentials: nothing typed is lost,
	// the token is only said to be set.
	browser.Do(t, ctx, chromedp.Click(chromedp.CSS(tid("back"))), browser.Present(tid("step-regions")))
	for field, want := range map[string]string{"regions[0].name": "fsn1", "regions[1].name": "hel1", "api_port": strconv.Itoa(cloud.Port)} {
		require.Equal(t, want, valueOf(t, ctx, tid(field)), "%s kept going back", field)
	}
	browser.Do(t, ctx, chromedp.Click(chromedp.CSS(tid("back"))), browser.Present(tid("token-set")))
	require.NotContains(t, html(), canaryHetznerToken, "a credential is never shown back")
	browser.Screenshot(t, ctx, "credentials-back")
	next(tid("step-regions"))
	next(tid("step-state"))

	browser.Do(t, ctx, chromedp.SendKeys(chromedp.CSS(tid("state.bucket")), "acme-state"),
		chromedp.SendKeys(chromedp.CSS(tid("state.region")), "us-east-1"),
		chromedp.SendKeys(chromedp.CSS(tid("state.endpoint")), cloud.S3URL),
		chromedp.SendKeys(chromedp.CSS(tid("state.access_key")), "openova"),
		chromedp.SendKeys(chromedp.CSS(tid("state.secret_key")), "canary-s3-secret"))
	browser.Screenshot(t, ctx, "state")
	next(tid("step-components"))

	// Components: each at the catalog's newest release; Debezium chosen,
	// Redpanda added for it, explained.
	for _, c := range catalog.Default().InCategory(catalog.Mandatory) {
		require.Equal(t, c.Latest().Version, strings.TrimSpace(browser.Text(t, ctx, `[data-testid="mandatory-`+c.Name+`"] [data-testid="version"]`)), c.Name)
	}
	for _, c := range catalog.Default().InCategory(catalog.ALaCarte) {
		require.Equal(t, c.Latest().Version, strings.TrimSpace(browser.Text(t, ctx, tid("version-"+c.Name))), c.Name)
	}
	browser.Do(t, ctx, chromedp.Click(chromedp.CSS(tid("component-debezium"))),
		browser.Present(`[data-testid="added-component"][data-name="redpanda"]`))
	require.Contains(t, browser.Text(t, ctx, tid("added")), "redpanda "+catalog.Default().Components["redpanda"].Latest().Version+": debezium requires it")
	browser.Screenshot(t, ctx, "components")

	// Review: the running workflow's plans, resource by resource.
	browser.Do(t, ctx, chromedp.Click(chromedp.CSS(tid("next"))), browser.Present(`[data-testid="run"][data-awaiting="approve"]`))
	html()
	require.Empty(t, cloud.CreatedOnce(t), "nothing is created before approve")
	rows := evalIn[int](t, ctx, `document.querySelectorAll('[data-testid="plan-resource"]').length`)
	summary := browser.Text(t, ctx, tid("summary"))
	require.Contains(t, summary, "fsn1")
	require.Contains(t, summary, "hel1")
	browser.Screenshot(t, ctx, "review")

	browser.Do(t, ctx, chromedp.Click(chromedp.CSS(tid("approve"))), browser.Present(`[data-testid="run"][data-state="running"]`))
	browser.Screenshot(t, ctx, "progress")
	cloud.Boot(t, "fsn1", "hel1")
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		state, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('[data-testid="run"]').dataset.state`))
		assert.NoError(ct, err)
		assert.Equal(ct, "succeeded", state)
	}, 10*time.Minute, time.Second, "the page follows the run to its end without a reload")
	// The page names its icon, and the browser's own ask for
	// /favicon.ico finds it (it got a 404 before).
	icon, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`Promise.all([document.querySelector('link[rel="icon"]').href, '/favicon.ico']
		.map(u => fetch(u).then(r => r.ok && r.headers.get('Content-Type') === 'image/svg+xml' ? 200 : r.status)))`, chromedp.EvalAwaitPromise))
	require.NoError(t, err)
	require.Equal(t, []int{200, 200}, icon, "the icon and /favicon.ico")
	// The run's end cleared the approve flash the page still showed
	// ("Approved: the clusters are being built." above "… are ready").
	require.Zero(t, evalIn[int](t, ctx, `document.querySelectorAll('[data-testid="flash"]').length`), "no stale flash once the run ended")
	// The final page, as the run's end swapped it in: the manager's URLs,
	// the DNS record, the CA with its fingerprint, and the password.
	password := browser.Text(t, ctx, tid("manager-password"))
	require.Len(t, password, 24, "the generated first admin password")
	address := browser.Text(t, ctx, tid("manager-address"))
	require.Equal(t, "https://127.0.0.1", address, "the primary's load balancer on 443")
	require.Equal(t, "https://manager.acme.example", browser.Text(t, ctx, tid("manager-url")))
	require.Equal(t, "manager.acme.example. A 127.0.0.1", browser.Text(t, ctx, tid("dns-record")))
	require.Regexp(t, `^([0-9A-F]{2}:){31}[0-9A-F]{2}$`, browser.Text(t, ctx, tid("ca-fingerprint")))
	browser.Screenshot(t, ctx, "manager-ready")
	browser.Do(t, ctx, chromedp.Reload(), browser.Present(tid("kubeconfig")))
	html()
	require.NotContains(t, pagesSeen[len(pagesSeen)-1], password, "the password is shown once")
	require.Contains(t, browser.Text(t, ctx, tid("password-shown")), "openova-system/openova-admin", "and then how to reset it")
	require.Equal(t, rows, total(cloud.CreatedOnce(t)), "Review listed exactly what apply created, each once")
	endpoints := browser.Text(t, ctx, tid("run"))
	for _, ip := range []string{"127.0.0.1", "127.0.0.2"} {
		require.Contains(t, endpoints, "https://"+ip+":"+strconv.Itoa(cloud.Port))
	}
	browser.Screenshot(t, ctx, "done")

	// The manager at that URL: its sign-in, and the password shown signs
	// in. (The browser accepts the manager's certificate here; the e2e's
	// managerDeployed verifies it against the CA the page hands over.)
	mctx := browser.Tab(t)
	_, err = chromedp.Call(mctx, security.SetIgnoreCertificateErrors, security.SetIgnoreCertificateErrorsParams{Ignore: true})
	require.NoError(t, err)
	browser.Do(t, mctx, chromedp.Navigate(address+"/"), browser.Present(tid("login")))
	browser.Screenshot(t, mctx, "manager-sign-in")
	browser.Do(t, mctx,
		chromedp.SendKeys(chromedp.CSS(`input[name="user"]`), "admin"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), password),
		chromedp.Click(chromedp.CSS(tid("sign-in"))),
		browser.Present(tid("user")))
	browser.Screenshot(t, mctx, "manager-signed-in")

	// The Components page: the components chosen in the wizard (Debezium,
	// and Redpanda for it) installing, then Healthy, with the mandatory
	// ones the bootstrap installed adopted. Crossplane is played as in
	// Journey 2; Debezium's release is held until the page has shown it
	// installing.
	kc, err := kubeclient.NewClient(cloud.Clusters["fsn1"])
	require.NoError(t, err)
	xp := players.PlayReleases(t, kc, activities.ManagerNamespace, 0)
	debezium, ok := catalog.Default().Get("debezium")
	require.True(t, ok)
	xp.HoldChart("debezium", debezium.Latest().ChartVersion)
	browser.Do(t, mctx, chromedp.Navigate(address+"/platforms/acme/components"), browser.Present(`#component-debezium`))
	// The card's badge, "" while the card or its badge is not there.
	status := func(name string) (string, error) {
		return chromedp.Run(mctx, chromedp.Evaluate[string](`document.querySelector('#component-`+name+` [data-testid="status"]')?.textContent.trim() ?? ""`))
	}
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		s, err := status("debezium")
		assert.NoError(ct, err)
		assert.Equal(ct, "Installing", s)
	}, 5*time.Minute, time.Second, "Debezium shows installing")
	browser.Screenshot(t, mctx, "manager-components-installing")
	xp.LetGo("debezium", debezium.Latest().ChartVersion)
	chosen := []string{"debezium", "redpanda", "cilium", "gitea", "flux", "crossplane"}
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		for _, name := range chosen {
			s, err := status(name)
			assert.NoError(ct, err)
			assert.Equal(ct, "Healthy", s, name)
		}
	}, 5*time.Minute, time.Second, "every chosen component ends Healthy on the page, without a reload")
	browser.Screenshot(t, mctx, "manager-components-healthy")

	// On a phone: a wizard step (the draft went with approve, so a new
	// bootstrap starts over), the run page and the audit fit the width.
	browser.Do(t, ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	for _, page := range []string{"/wizard/organization", "/wizard/run/acme", "/audit"} {
		browser.Do(t, ctx, chromedp.Navigate(p.url(page)), browser.Present(`main h1`))
		require.LessOrEqual(t, evalIn[int](t, ctx, `document.documentElement.scrollWidth`), 390, "%s is wider than the phone", page)
		browser.Screenshot(t, ctx, "phone"+strings.ReplaceAll(page, "/", "-"))
		html()
	}

	require.NotContains(t, p.log(), password)
	require.NotContains(t, cloud.Manager.Log(), password)
	for i, h := range pagesSeen {
		require.NotContains(t, h, canaryHetznerToken, "page %d", i)
		require.NotContains(t, h, "canary-s3-secret", "page %d", i)
	}
	require.NotContains(t, p.log(), canaryHetznerToken)
}
