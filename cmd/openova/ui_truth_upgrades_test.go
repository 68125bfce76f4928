package main

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/openova-io/core/dev/testenv/browser"
	"github.com/openova-io/core/workflows"
)

// upgradesTruth is the Upgrades page part of the manager's truth test:
// Kit Web v1.0.0 has the catalog's v1.1.0 to go to, and its chart
// repository (repo) is down; once it answers, with a v1.2.0 the catalog
// does not list, that release is offered behind its risk.
func upgradesTruth(t *testing.T, e *managerEnv, ctx context.Context, repo *helmRepository) {
	t.Helper()
	const offer = `#upgrade-kit-web`
	const scheduled = `[data-testid="scheduled-row"][data-component="kit-web"]`
	textNow := func(ct require.TestingT, css string) string {
		s, err := browser.TextNow(ctx, css)
		require.NoError(ct, err)
		return strings.TrimSpace(s)
	}
	present := func(ct require.TestingT, css string) bool {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("document.querySelector("+strconv.Quote(css)+") !== null"))
		require.NoError(ct, err)
		return ok
	}
	reload := func(ct *assert.CollectT) {
		_, err := chromedp.Run(ctx, chromedp.Reload())
		require.NoError(ct, err)
	}
	// The unchecked list's text, closed or open (innerText skips a closed
	// <details>).
	unchecked := func(ct require.TestingT) string {
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('[data-testid="unchecked"]')?.textContent ?? ''`))
		require.NoError(ct, err)
		return s
	}
	notReadable := "Kit Web: helm index " + repo.URL + "/index.yaml: HTTP 503"

	// What could not be checked is named, with why, beside the offer.
	browser.Do(t, ctx, chromedp.Navigate(e.proc.url("/platforms/acme/upgrades")), browser.Present(offer))
	require.Contains(t, browser.Text(t, ctx, offer), "v1.0.0 → v1.1.0")
	require.Regexp(t, `\d could not be checked: their index could not be read`, unchecked(t))
	require.Contains(t, unchecked(t), notReadable)
	browser.Do(t, ctx, chromedp.Click(chromedp.CSS(`[data-testid="unchecked"] summary`)))
	require.Contains(t, browser.Text(t, ctx, `[data-testid="unchecked"]`), notReadable, "shown once opened")
	browser.Screenshot(t, ctx, "upgrades-offer-and-unchecked")

	// Scheduled at a time: listed as scheduled, no longer offered.
	at := time.Now().UTC().Add(72 * time.Hour).Truncate(time.Minute)
	browser.Do(t, ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector('`+offer+` [data-testid="at"]').value = '`+at.Format("2006-01-02T15:04")+`'`),
		chromedp.Click(chromedp.CSS(offer+` [data-testid="schedule-at"]`)), browser.Present(`[data-testid="flash"]`))
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		reload(ct)
		assert.Equal(ct, at.Format("Mon 2006-01-02 15:04 MST"), textNow(ct, scheduled+` [data-testid="next"]`), "listed as scheduled")
		assert.False(ct, present(ct, offer), "and not also offered")
	}, time.Minute, time.Second, "the scheduled upgrade")
	browser.Screenshot(t, ctx, "upgrades-scheduled-not-offered")
	browser.Do(t, ctx, chromedp.Click(chromedp.CSS(scheduled+` [data-testid="cancel-scheduled"]`)), chromedp.WaitVisible(chromedp.CSS(`dialog#confirm[open]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="confirm-ok"]`)), browser.Present(`[data-testid="flash"]`))
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		reload(ct)
		assert.True(ct, present(ct, offer), "offered again")
		assert.False(ct, present(ct, scheduled), "no longer scheduled")
	}, time.Minute, time.Second, "the cancelled upgrade")

	// Upgrade now: the page that answers shows it starting (its rollout
	// held), and its check step's changelog rendered, not as Markdown.
	e.xp.HoldChart("kit-web", "1.1.0")
	browser.Do(t, ctx, chromedp.Reload(), browser.Present(offer+` [data-testid="upgrade-now"]`))
	require.Empty(t, textNow(t, `[data-testid="flash"]`), "no flash of an earlier action")
	browser.Do(t, ctx, chromedp.Click(chromedp.CSS(offer+` [data-testid="upgrade-now"]`)), browser.Present(`[data-testid="flash"]`))
	require.Contains(t, textNow(t, `[data-testid="flash"]`), "Upgrading kit-web to v1.1.0.")
	running := textNow(t, `#running`)
	require.NotContains(t, running, "No upgrade is running", "the page that answers Upgrade now")
	require.Contains(t, []string{"Starting", "Running"}, textNow(t, `#running [data-testid="timeline"] [data-testid="status"]`), running)
	require.False(t, present(t, offer), "a running upgrade is not also offered")
	browser.Screenshot(t, ctx, "upgrade-starting")
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		assert.Equal(ct, "Kit Web 1.1.0", textNow(ct, `#running .changelog h2`))
		assert.Equal(ct, "Release notes", textNow(ct, `#running .changelog a[href="https://kit.example/releases/v1.1.0"]`))
		items, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#running .changelog li').length`))
		require.NoError(ct, err)
		assert.Equal(ct, 2, items, "the changelog's list")
	}, time.Minute, 200*time.Millisecond, "the running step's changelog, rendered")
	running = textNow(t, `#running`)
	require.NotContains(t, running, "## ")
	require.NotContains(t, running, "](https://")
	browser.Screenshot(t, ctx, "upgrade-running-changelog")

	// Upgraded, nothing is left to offer; the page still says what could
	// not be checked, and not that everything is up to date.
	e.xp.LetGo("kit-web", "1.1.0")
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		assertHealthyAt(ct, e.components(ct), "kit-web", "v1.1.0")
	}, 2*time.Minute, 200*time.Millisecond, "kit-web never reached v1.1.0")
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		reload(ct)
		available := textNow(ct, `#available`)
		assert.Contains(ct, available, "No upgrade found among the components that could be checked.")
		assert.NotContains(ct, available, "Everything is up to date")
		assert.Contains(ct, unchecked(ct), notReadable)
		assert.Equal(ct, "No upgrade is running.", textNow(ct, `#running [data-testid="empty"]`))
	}, time.Minute, time.Second, "the page once upgraded")
	browser.Screenshot(t, ctx, "upgrades-none-found-unchecked")

	upstreamTruth(t, e, ctx, repo)
}

// upstreamTruth: the chart repository answers, with a Kit Web v1.2.0 the
// catalog does not list. The page offers it, badged, with the risk named
// beside a checkbox; Upgrade now without the checkbox is answered beside
// it, and with it the upgrade runs to v1.2.0 on chart 1.2.0.
func upstreamTruth(t *testing.T, e *managerEnv, ctx context.Context, repo *helmRepository) {
	const offer = `#upgrade-kit-web`
	repo.answer(http.StatusOK, "apiVersion: v1\nentries:\n  kit-web:\n"+
		"    - {version: 1.2.0, appVersion: 1.2.0, created: \"2025-03-01T10:00:00Z\"}\n"+
		"    - {version: 1.1.0, appVersion: 1.1.0, created: \"2025-02-01T10:00:00Z\"}\n")
	sched := e.tc.ScheduleClient().GetHandle(context.Background(), workflows.CheckUpdatesID("acme"))
	require.NoError(t, sched.Trigger(context.Background(), client.ScheduleTriggerOptions{}))
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		_, err := chromedp.Run(ctx, chromedp.Reload())
		require.NoError(ct, err)
		s, err := browser.TextNow(ctx, offer)
		require.NoError(ct, err)
		assert.Contains(ct, s, "v1.1.0: upstream releases only")
	}, time.Minute, time.Second, "the upstream release is never offered")
	require.Contains(t, browser.Text(t, ctx, offer+` [data-testid="upstream"]`), "v1.2.0")
	require.Contains(t, browser.Text(t, ctx, offer+` [data-testid="upstream"]`), "upstream, not yet in the catalog")

	browser.Do(t, ctx, chromedp.Click(chromedp.CSS(offer+` input[name="to"][value="v1.2.0"]`)),
		chromedp.Click(chromedp.CSS(offer+` [data-testid="upgrade-now"]`)), browser.Present(offer+` [data-field="confirm-upstream"]`))
	require.Equal(t, "v1.2.0 is not in the catalog: tick the box to accept its risk, or choose a catalog release.",
		browser.Text(t, ctx, offer+` [data-field="confirm-upstream"]`))
	require.Contains(t, browser.Text(t, ctx, offer), "openova has not checked its images, its requirements or whether it migrates data", "the risk, named")
	require.Equal(t, "v1.1.0", e.components(t)["kit-web"].Status.InstalledVersion, "nothing changed")
	browser.Screenshot(t, ctx, "upstream-offer-refused-unconfirmed")

	browser.Do(t, ctx, chromedp.Click(chromedp.CSS(offer+` input[name="to"][value="v1.2.0"]`)),
		chromedp.Click(chromedp.CSS(offer+` [data-testid="confirm-upstream"]`)),
		chromedp.Click(chromedp.CSS(offer+` [data-testid="upgrade-now"]`)), browser.Present(`[data-testid="flash"]`))
	require.Contains(t, browser.Text(t, ctx, `[data-testid="flash"]`), "Upgrading kit-web to v1.2.0.")
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		c := e.components(ct)["kit-web"]
		assertHealthyAt(ct, e.components(ct), "kit-web", "v1.2.0")
		assert.Equal(ct, "1.2.0", c.Spec.ChartVersion, "the chart version the update check read")
	}, 2*time.Minute, 200*time.Millisecond, "kit-web never reached the upstream v1.2.0")
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		_, err := chromedp.Run(ctx, chromedp.Reload())
		require.NoError(ct, err)
		s, err := browser.TextNow(ctx, `#running [data-testid="empty"]`)
		require.NoError(ct, err)
		assert.Equal(ct, "No upgrade is running.", s)
	}, time.Minute, time.Second, "the page once upgraded")
	browser.Screenshot(t, ctx, "upstream-upgraded")
}
