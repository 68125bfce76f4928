package main

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/bootstrap"
	"github.com/openova-io/core/cloud"
	"github.com/openova-io/core/dev/testenv/browser"
	"github.com/openova-io/core/recovery"
	"github.com/openova-io/core/secret"
	"github.com/openova-io/core/workflows"
)

// The parts of TestWizardTellsTheTruth_Browser_FakeHetznerAPI_S3OnLoopback
// after Review: the run page, the audit view and the restore.

// badges are the texts of the status badges on the page now.
func (w wizardTab) badges() []string {
	w.t.Helper()
	return evalIn[[]string](w.t, w.ctx, `[...document.querySelectorAll('[data-testid="status"]')].map(b => b.innerText)`)
}

// failedApplyIsParkedThenAborted approves a plan whose apply the API
// refuses (a server over the project's limit): the page says what failed
// and what fixes it (a quota: free servers or raise the limits), under a Parked badge (it waits, it does not run); Abort
// asks once, in the dialog, and the run ends Aborted, what it created
// destroyed.
func (w wizardTab) failedApplyIsParkedThenAborted(cloud *cloudStandIn) {
	t := w.t
	cloud.API.FailNext(http.MethodPost, "/servers", http.StatusForbidden, "resource_limit_exceeded", "server limit reached")
	browser.Do(t, w.ctx, chromedp.Click(chromedp.CSS(tid("approve"))), browser.Present(`[data-testid="run"][data-state="running"]`))
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		s, err := browser.TextNow(w.ctx, tid("parked"))
		assert.NoError(ct, err)
		assert.Contains(ct, s, "server limit reached")
	}, 5*time.Minute, time.Second, "the failed apply is parked on the page, without a reload")
	parked := browser.Text(t, w.ctx, tid("parked"))
	t.Logf("parked: %s", parked)
	require.Contains(t, parked, "This step failed and waits for you:")
	require.Contains(t, browser.Text(t, w.ctx, tid("parked-fix")), "The cloud project's limits are reached. Delete servers you do not need", "what fixes this failure, not a general rule")
	require.NotContains(t, parked, "retryable")
	require.NotContains(t, parked, "(type:")
	require.Equal(t, "Parked", browser.Text(t, w.ctx, `[data-testid="timeline"] [data-testid="status"]`))
	require.NotContains(t, w.badges(), "Running", "a parked run waits, it does not run")
	require.Zero(t, w.count(tid("flash")), "no stale 'Approved: the clusters are being built.' above the failure")
	require.NotEmpty(t, cloud.API.Live(), "the failed apply created part of the cluster")
	browser.Screenshot(t, w.ctx, "parked")

	// Abort asks once: the dialog, with the checkbox for browsers without
	// script hidden.
	browser.Do(t, w.ctx, chromedp.Click(chromedp.CSS(tid("abort"))), chromedp.WaitVisible(chromedp.CSS(`dialog#confirm[open]`)))
	require.Equal(t, "Abort the bootstrap and destroy what it created?", browser.Text(t, w.ctx, `dialog#confirm [data-confirm-text]`))
	require.False(t, evalIn[bool](t, w.ctx, `document.querySelector('[data-testid="abort-confirm"]').checkVisibility()`), "no second question")
	browser.Screenshot(t, w.ctx, "abort-asks-once")
	browser.Do(t, w.ctx, chromedp.Click(chromedp.CSS(tid("confirm-ok"))))
	// The confirmed abort is taken at once (no "Tick … to abort"): the
	// page says it is destroying, or, if that was quick, that it ended.
	var flashes []string
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		f, err := browser.TextNow(w.ctx, tid("flash"))
		assert.NoError(ct, err)
		if f != "" && (len(flashes) == 0 || flashes[len(flashes)-1] != f) {
			flashes = append(flashes, f)
		}
		state, err := chromedp.Run(w.ctx, chromedp.Evaluate[string](`document.querySelector('[data-testid="run"]')?.dataset.state ?? ''`))
		assert.NoError(ct, err)
		assert.Equal(ct, "aborted", state)
	}, 10*time.Minute, time.Second, "the page follows the abort to its end without a reload")
	for _, f := range flashes {
		require.NotContains(t, f, "Tick", "the dialog was the only question")
	}
	t.Logf("flashes while aborting: %q", flashes)
	require.Equal(t, "Aborted", browser.Text(t, w.ctx, `[data-testid="timeline"] [data-testid="status"]`))
	require.NotContains(t, w.badges(), "Failed")
	require.Contains(t, browser.Text(t, w.ctx, tid("outcome")), "what it created in fsn1 was destroyed")
	require.Empty(t, cloud.API.Live(), "nothing is left in the cloud")
	browser.Screenshot(t, w.ctx, "aborted")
}

// auditOfTheBootstrap: the audit view of bootstrap mode names a bad date
// beside its field, offers the bootstrap's operations and no component
// filter, and words the aborted bootstrap "Aborted" in its list and on
// its page (Temporal only knows that it failed).
func (w wizardTab) auditOfTheBootstrap(p *proc) {
	t := w.t
	browser.Do(t, w.ctx, chromedp.Navigate(p.url("/audit?from=2026-13-45")), browser.Present(tid("audit-filter")))
	require.Equal(t, `"2026-13-45" is not a date: give one such as 2026-11-01.`, w.fieldError("since"))
	require.Zero(t, w.count(tid("filter-component")), "a bootstrap has no components to filter by")
	ops := evalIn[[]string](t, w.ctx, `[...document.querySelectorAll('select[name="operation"] option')].map(o => o.value)`)
	require.Equal(t, []string{"", workflows.OperationBootstrap, workflows.OperationChange, workflows.OperationPromote}, ops,
		"only the operations a bootstrap runs")
	browser.Screenshot(t, w.ctx, "audit-bad-date")

	browser.Do(t, w.ctx, chromedp.Navigate(p.url("/audit")), browser.Present(tid("audit-row")))
	browser.Screenshot(t, w.ctx, "audit")
	row := `[data-testid="audit-row"][data-id="` + workflows.BootstrapID("acme") + `"]`
	require.Equal(t, "Aborted", browser.Text(t, w.ctx, row+` [data-testid="status"]`), "the list words the aborted run as aborted, not failed")
	browser.Do(t, w.ctx, chromedp.Click(chromedp.CSS(row+" a")), browser.Present(tid("operation")))
	require.Equal(t, "Aborted", browser.Text(t, w.ctx, `[data-testid="operation"] [data-testid="status"]`), "and so does its page")
	browser.Screenshot(t, w.ctx, "audit-operation")
}

// restoreAndChangeForms: the restore form refuses no file and a wrong
// passphrase beside their fields; a good bundle leads to the change form
// of its platform, which refuses a change without the credentials and
// goes back to the restore form.
func (w wizardTab) restoreAndChangeForms(p *proc) {
	t := w.t
	const pass = "canary bundle passphrase"
	bundle := filepath.Join(t.TempDir(), "globex-recovery.age")
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	var sealed bytes.Buffer
	require.NoError(t, recovery.Seal(&sealed, recovery.Bundle{Organization: "globex",
		Regions:  []recovery.Region{{Name: "fsn1", Kubeconfig: secret.Bytes("kubeconfig")}},
		StateKey: secret.Text(base64.StdEncoding.EncodeToString(key)), StateKeyID: "0011223344556677",
		Platform: bootstrap.Input{Organization: "globex", Domain: "globex.example", Provider: cloud.Hetzner,
			Regions: []bootstrap.Region{{Name: "fsn1", Role: bootstrap.RolePrimary, ControlPlanes: 1, Workers: 1, ControlPlaneSize: "cpx31",
				WorkerSize: "cpx21", NodeCIDR: "10.0.0.0/16", PodCIDR: "10.42.0.0/16", ServiceCIDR: "10.43.0.0/16"}},
			State: bootstrap.StateBackend{Bucket: "globex-state", Region: "us-east-1", Endpoint: "https://s3.example", KeyPrefix: "openova"}},
	}, pass))
	require.NoError(t, os.WriteFile(bundle, sealed.Bytes(), 0o600))

	browser.Do(t, w.ctx, chromedp.Navigate(p.url("/wizard/organization")), browser.Present(tid("restore-link")),
		chromedp.Click(chromedp.CSS(tid("restore-link"))), browser.Present(tid("restore-form")))
	browser.Screenshot(t, w.ctx, "restore")
	browser.Do(t, w.ctx, chromedp.Click(chromedp.CSS(tid("restore"))), browser.Present(`[data-testid="field-error"][data-field="bundle"]`))
	require.Equal(t, "choose the recovery bundle (<organization>-recovery.age) the bootstrap's final page gave you", w.fieldError("bundle"))
	browser.Screenshot(t, w.ctx, "restore-no-bundle")
	upload := func(passphrase, present string) {
		browser.Do(t, w.ctx, chromedp.SetUploadFiles(chromedp.CSS(tid("bundle")), []string{bundle}),
			chromedp.SetValue(chromedp.CSS(tid("passphrase")), passphrase),
			chromedp.Click(chromedp.CSS(tid("restore"))), browser.Present(present))
	}
	upload("not the passphrase at all", `[data-testid="field-error"][data-field="passphrase"]`)
	require.Contains(t, w.fieldError("passphrase"), "the passphrase does not open this bundle")
	browser.Screenshot(t, w.ctx, "restore-wrong-passphrase")

	upload(pass, tid("change-form"))
	require.Equal(t, "Restored globex from its recovery bundle: plan a change below.", browser.Text(t, w.ctx, tid("flash")))
	require.Contains(t, browser.Text(t, w.ctx, tid("change-fsn1")), "1 control plane (cpx31), 1 worker (cpx21)")
	browser.Screenshot(t, w.ctx, "change-form")
	browser.Do(t, w.ctx, chromedp.SetValue(chromedp.CSS(`[data-testid="change-fsn1"] input`), "2"),
		chromedp.Click(chromedp.CSS(tid("plan-change"))), browser.Present(`[data-testid="field-error"][data-field="token"]`))
	require.Contains(t, w.fieldError("token"), "openova keeps no copy of it")
	browser.Screenshot(t, w.ctx, "change-form-refused")
	// Back goes to the restore form: no bootstrap of globex ran here, so
	// a bootstrap page would be a 404.
	browser.Do(t, w.ctx, chromedp.Click(chromedp.CSS(tid("back"))), browser.Present(tid("restore-form")))
}
