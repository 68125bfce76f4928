package main

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/openova-io/core/bootstrap"
	"github.com/openova-io/core/dev/fakehcloud"
	"github.com/openova-io/core/dev/testenv"
	"github.com/openova-io/core/dev/testenv/browser"
	"github.com/openova-io/core/dev/testenv/k3s"
	"github.com/openova-io/core/workflows"
)

// addsAWorker is issue 19's later change to the infrastructure, in the
// browser's words: openova, stopped and started again on the data
// directory that built acme (one region, one worker), offers a change on
// the bootstrap's final page; the form, given a second worker and the
// secrets openova keeps no copy of, plans from the region's state, and the
// change's page shows exactly one server to create; after Approve it is
// created, once, and nothing else is created or replaced; the new worker
// joins with the cluster's own agent token and CA (its cloud-init, as
// the fake API received it); the change's page says it is done.
func addsAWorker(t *testing.T, cloud *cloudStandIn, dataDir string, p *proc, ui *uiClient) *proc {
	t.Helper()
	require.NoError(t, p.stop())
	p = cloud.start(t, dataDir)
	c := p.client(t, "")
	ui.base = p.url("") // the session signed in before survives the restart
	before := cloud.CreatedOnce(t)

	_, body := ui.get("/wizard/run/acme")
	require.Contains(t, body, `href="/wizard/run/acme/change"`, "the final page offers a change")
	// The form and its review in a browser, where axe checks them.
	ctx := ui.tab(t)
	browser.Do(t, ctx, chromedp.Navigate(p.url("/wizard/run/acme/change")), browser.Present(tid("change-form")))
	require.Contains(t, browser.Text(t, ctx, tid("change-form")), "1 control plane (cpx31), 1 worker (cpx21)")
	browser.Screenshot(t, ctx, "change-form")
	browser.Do(t, ctx, chromedp.SetValue(chromedp.CSS(tid("regions[0].workers")), "2"), chromedp.SendKeys(chromedp.CSS(tid("token")), canaryHetznerToken),
		chromedp.SendKeys(chromedp.CSS(tid("state.access_key")), "openova"), chromedp.SendKeys(chromedp.CSS(tid("state.secret_key")), "canary-s3-secret"),
		chromedp.Click(chromedp.CSS(tid("plan-change"))), browser.Present(tid("run")))

	review := awaitingRun(t, c, workflows.ChangeID("acme"), workflows.SignalApprove, 3*time.Minute)
	require.Equal(t, []bootstrap.PlanChange{{Address: "hcloud_server.worker[1]", Type: "hcloud_server", Name: "worker", Action: "create"}},
		review.Regions[0].Plan.Resources, "one server more; nothing replaced, changed or destroyed")
	require.Equal(t, "built: 1 control plane, 1 worker, API at https://127.0.0.1:"+strconv.Itoa(cloud.Port), review.Regions[0].Steps[0].Message)
	browser.Do(t, ctx, chromedp.Navigate(p.url("/wizard/run/acme/change")), browser.Present(tid("approve")))
	require.Contains(t, browser.Text(t, ctx, "main"), "Review the change of acme")
	require.Contains(t, browser.Text(t, ctx, tid("plan")), "hcloud_server.worker[1]")
	browser.Screenshot(t, ctx, "change-review")
	require.Equal(t, before, cloud.CreatedOnce(t), "nothing created before approve")

	resp, body := ui.post("/wizard/run/acme/change/approve", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	var res workflows.BootstrapResult
	require.NoError(t, c.GetWorkflow(t.Context(), workflows.ChangeID("acme"), "").Get(t.Context(), &res))
	require.Len(t, res.Regions, 1)
	require.Len(t, res.Regions[0].Nodes, 3)

	after := cloud.CreatedOnce(t)
	before[fakehcloud.KindServer]++
	require.Equal(t, before, after, "the worker is the one thing created, once")
	require.True(t, slices.Contains(cloud.API.Live()[fakehcloud.KindServer], "acme-fsn1-worker-1"))
	first, second := workerConfig(t, cloud, "acme-fsn1-worker-0"), workerConfig(t, cloud, "acme-fsn1-worker-1")
	require.NotEmpty(t, first["token"])
	require.Equal(t, first["token"], second["token"], "the new worker joins with the cluster's agent token")
	require.Equal(t, first["server"], second["server"])

	_, body = ui.get("/wizard/run/acme/change")
	require.Contains(t, body, "The change of acme is done")
	browser.Do(t, ctx, chromedp.Navigate(p.url("/wizard/run/acme/change")), browser.Present(tid("change-form")))
	browser.Screenshot(t, ctx, "change-done")
	recordWorkflow(t, p, workflows.ChangeID("acme"), "changeinfrastructure-v1-workeradded")
	return p
}

// workerConfig is a worker's k3s configuration, from the cloud-init the
// fake API received for it.
func workerConfig(t *testing.T, cloud *cloudStandIn, name string) map[string]any {
	t.Helper()
	ud, ok := cloud.API.ServerUserData(name)
	require.True(t, ok, name)
	var cfg map[string]any
	require.NoError(t, yaml.Unmarshal([]byte(k3s.ParseCloudInit(t, ud).Files["/etc/rancher/k3s/config.yaml"]), &cfg))
	return cfg
}

// restoresAndAddsAWorker is the later change from the recovery bundle: the
// bundle, downloaded from the final page of the openova that built acme,
// is restored on another openova (a new data directory: another codec
// key, no history of acme). A wrong passphrase and a damaged copy are
// refused with what to do, and keep and start nothing (no state key, no
// platform, no run: the change page still says there is no platform).
// The right passphrase leads to the change form, with the platform as the
// first openova last changed it; a third worker is planned from the state,
// read with the bundle's key, and after Approve it is the one server
// created, joining with the cluster's agent token.
func restoresAndAddsAWorker(t *testing.T, cloud *cloudStandIn, p *proc, ui *uiClient) *proc {
	t.Helper()
	const pass = "canary bundle passphrase"
	resp, bundle := ui.post("/wizard/run/acme/recovery", url.Values{"passphrase": {pass}, "passphrase_again": {pass}})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NoError(t, p.stop())

	fresh := t.TempDir()
	p = cloud.start(t, fresh)
	c := p.client(t, "")
	ui = signInHTTP(t, p)
	_, body := ui.get("/wizard/organization")
	require.Contains(t, body, `href="/wizard/restore"`, "the wizard offers a restore")
	damaged := []byte(bundle)
	damaged[len(damaged)/2] ^= 1
	for _, tc := range []struct {
		file        []byte
		passphrase  string
		field, want string
	}{
		{[]byte(bundle), "not the passphrase at all", "passphrase", "the passphrase does not open this bundle"},
		{damaged, pass, "bundle", "the file is damaged or is not an openova recovery bundle"},
	} {
		resp, body := uploadBundle(t, ui, tc.file, tc.passphrase)
		require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
		require.Contains(t, body, `data-field="`+tc.field+`"`)
		require.Contains(t, body, tc.want)
		for _, dir := range []string{"restored", "recovered-state-keys"} {
			_, err := os.Stat(filepath.Join(fresh, dir))
			require.ErrorIs(t, err, os.ErrNotExist, "a refused bundle keeps nothing (%s)", dir)
		}
		resp, body = ui.get("/wizard/run/acme/change")
		require.Equal(t, http.StatusNotFound, resp.StatusCode, body)
		_, err := c.DescribeWorkflowExecution(t.Context(), workflows.ChangeID("acme"), "")
		require.Error(t, err, "and starts nothing")
	}

	resp, body = uploadBundle(t, ui, []byte(bundle), pass)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	require.Contains(t, body, "Restored acme from its recovery bundle")
	require.Contains(t, body, "1 control plane (cpx31), 2 workers (cpx21)", "the platform as last changed")
	before := cloud.CreatedOnce(t)
	resp, body = ui.post("/wizard/run/acme/change", url.Values{"regions[0].workers": {"3"}, "token": {canaryHetznerToken},
		"state.access_key": {"openova"}, "state.secret_key": {"canary-s3-secret"}})
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	review := awaitingRun(t, c, workflows.ChangeID("acme"), workflows.SignalApprove, 3*time.Minute)
	require.Equal(t, []bootstrap.PlanChange{{Address: "hcloud_server.worker[2]", Type: "hcloud_server", Name: "worker", Action: "create"}},
		review.Regions[0].Plan.Resources)
	resp, body = ui.post("/wizard/run/acme/change/approve", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	require.NoError(t, c.GetWorkflow(t.Context(), workflows.ChangeID("acme"), "").Get(t.Context(), nil))
	before[fakehcloud.KindServer]++
	require.Equal(t, before, cloud.CreatedOnce(t))
	require.Equal(t, workerConfig(t, cloud, "acme-fsn1-worker-0")["token"], workerConfig(t, cloud, "acme-fsn1-worker-2")["token"])

	// The canary rule: the bundle's passphrase and the typed secrets are
	// in no log, file or undecoded history of this openova.
	canaries := []string{pass, canaryHetznerToken, "canary-s3-secret"}
	history, err := temporalCLI(t, "workflow", "show", "-w", workflows.ChangeID("acme"), "--address", p.temporalAddr, "-o", "json")
	require.NoError(t, err, history)
	for _, s := range canaries {
		require.NotContains(t, p.log(), s)
		require.NotContains(t, history, s)
	}
	testenv.NoSecretInFiles(t, fresh, canaries...)
	return p
}

// uploadBundle posts a recovery bundle and its passphrase to the restore
// form, as the browser's file field does.
func uploadBundle(t *testing.T, ui *uiClient, file []byte, passphrase string) (*http.Response, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("bundle", "acme-recovery.age")
	require.NoError(t, err)
	_, err = fw.Write(file)
	require.NoError(t, err)
	require.NoError(t, mw.WriteField("passphrase", passphrase))
	require.NoError(t, mw.Close())
	req, err := http.NewRequest(http.MethodPost, ui.base+"/wizard/restore", &body)
	require.NoError(t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Origin", ui.base)
	return ui.do(req)
}
