package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/dev/testenv/browser"
)

// Journey 2 in a real browser: an operator signs in, turns "Show installed
// only" off, installs MongoDB from its dependency dialog (Debezium and
// Redpanda "will be installed"), watches the live progress, and sees
// MongoDB installed and Healthy. The Platform spec change is the UI's
// server-side apply; the real manager and its workflows do the rest.
func TestJourney2InstallMongoDB_Browser_TestPlaysCrossplane(t *testing.T) {
	t.Parallel()
	e := startManagerEnv(t, 300*time.Millisecond)
	e.createPlatform(t, "acme", v1alpha1.PlatformSpec{Components: []v1alpha1.ComponentRef{{Name: "cert-manager"}, {Name: "valkey"}}})
	e.waitCondition(t, "acme", v1alpha1.ConditionReady, metav1.ConditionTrue, 2*time.Minute)

	ctx := signIn(t, e.proc)
	browser.Do(t, ctx, chromedp.WaitVisible(chromedp.CSS(`[data-testid="health"]`)))
	browser.Screenshot(t, ctx, "dashboard")

	browser.Do(t, ctx, chromedp.Click(chromedp.CSS(`nav a[href$="/components"]`)), chromedp.WaitVisible(chromedp.CSS(`#component-valkey`)))
	browser.Screenshot(t, ctx, "components-installed-only")
	require.NoError(t, chromedp.Do(ctx, chromedp.WaitNotPresent(chromedp.CSS(`#component-mongodb`))), "installed only: MongoDB is not listed")

	browser.Do(t, ctx, chromedp.Click(chromedp.CSS(`[data-testid="installed-only"]`)), chromedp.WaitVisible(chromedp.CSS(`#component-mongodb`)))
	loc, err := chromedp.Run(ctx, chromedp.Location())
	require.NoError(t, err)
	require.Contains(t, loc, "installed=", "the toggle is in the URL, so it can be bookmarked")
	browser.Screenshot(t, ctx, "components-all")

	browser.Do(t, ctx, chromedp.Click(chromedp.CSS(`#component-mongodb [data-testid="install"]`)),
		chromedp.WaitVisible(chromedp.CSS(`dialog[open] [data-testid="install-dialog"]`)))
	required := browser.Text(t, ctx, `dialog[open] [data-testid="required"]`)
	for _, dep := range []string{"Debezium", "Redpanda"} {
		require.Regexp(t, dep+`[^\n]*\n?[^\n]*will be installed`, required, "the dialog lists %s as will be installed", dep)
	}
	browser.Screenshot(t, ctx, "install-dialog")

	browser.Do(t, ctx, chromedp.Click(chromedp.CSS(`dialog[open] [data-testid="install-confirm"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#component-mongodb [data-testid="timeline"]`)))
	browser.Screenshot(t, ctx, "install-live-progress")

	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		status, err := browser.TextNow(ctx, `#component-mongodb [data-testid="status"]`)
		assert.NoError(ct, err)
		assert.Equal(ct, "Healthy", strings.TrimSpace(status))
	}, 3*time.Minute, 500*time.Millisecond, "MongoDB ends installed and Healthy on the page, without a reload")
	newest := catalog.Default().Components["mongodb"].Latest().Version
	version := browser.Text(t, ctx, `#component-mongodb [data-testid="version"]`)
	require.Equal(t, newest, strings.TrimSpace(version), "the catalog's newest MongoDB")
	browser.Screenshot(t, ctx, "installed")

	comps := e.components(t)
	assertHealthyAt(t, comps, "mongodb", newest)
	assertHealthyAt(t, comps, "debezium", comps["debezium"].Spec.Version)
	p := e.platform(t, "acme")
	require.Equal(t, "admin", p.Annotations[v1alpha1.AnnotationActorPrefix+"mongodb"], "the UI recorded who asked")

	// The audit view lists the install, with the signed-in user as its actor.
	browser.Do(t, ctx, chromedp.Navigate(e.proc.url("/audit?platform=acme&component=mongodb")),
		browser.Present(`[data-testid="audit-row"][data-id="install/acme/mongodb"]`))
	require.Equal(t, "admin", strings.TrimSpace(browser.Text(t, ctx, `[data-testid="audit-row"][data-id="install/acme/mongodb"] [data-testid="actor"]`)))
	browser.Screenshot(t, ctx, "audit-mongodb")

	// Settings: a bad time zone is answered beside its field, the rest kept.
	browser.Do(t, ctx, chromedp.Navigate(e.proc.url("/platforms/acme/settings")), browser.Present(`[data-testid="settings"]`),
		chromedp.Click(chromedp.CSS(`[data-testid="window"]`)), chromedp.Click(chromedp.CSS(`input[name="day"][value="Saturday"]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="start"]`), "02:00"), chromedp.SendKeys(chromedp.CSS(`[data-testid="timeZone"]`), "Mars/Olympus"),
		chromedp.Click(chromedp.CSS(`[data-testid="save"]`)), browser.Present(`[data-testid="field-error"]`))
	require.Contains(t, browser.Text(t, ctx, `[data-testid="field-error"]`), `"Mars/Olympus" is not a time zone`)
	browser.Screenshot(t, ctx, "settings-bad-time-zone")

	// Settings: the upstream chart check is off by default; switched on,
	// the platform asks for it (spec.checkUpstreamCharts).
	require.False(t, e.platform(t, "acme").Spec.CheckUpstreamCharts)
	browser.Do(t, ctx, chromedp.Navigate(e.proc.url("/platforms/acme/settings")), browser.Present(`[data-testid="upstream"]`),
		chromedp.Click(chromedp.CSS(`[data-testid="upstream"]`)), chromedp.Click(chromedp.CSS(`[data-testid="save"]`)),
		browser.Present(`[data-testid="flash"]`))
	require.True(t, e.platform(t, "acme").Spec.CheckUpstreamCharts, "the page waits for the watch, so the spec has it")
	browser.Screenshot(t, ctx, "settings-upstream-on")

	// On a phone: the pages fit the screen's width (no sideways scrolling).
	browser.Do(t, ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	for _, page := range []string{"/platforms/acme/", "/platforms/acme/components", "/platforms/acme/upgrades", "/platforms/acme/settings", "/audit?platform=acme"} {
		browser.Do(t, ctx, chromedp.Navigate(e.proc.url(page)), browser.Present(`main h1`))
		width, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		require.NoError(t, err)
		require.LessOrEqual(t, width, 390, "%s is wider than the phone", page)
		browser.Screenshot(t, ctx, "phone"+strings.ReplaceAll(strings.Split(page, "?")[0], "/", "-"))
	}
}
