package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/dev/testenv/browser"
)

// The manager's pages tell the truth (issue 22's newcomer log), in a real
// browser on one manager whose platform's chart repository is down:
// mandatory components it lacks are Missing, their install marked required,
// and counted by the dashboard as not healthy; the install dialog draws a
// one-component plan at its own size, keeps each optional's hint clear of
// its checkbox, and calls a dependency that is still installing so; the
// dashboard counts the dependency it installed; the Upgrades page names
// what could not be checked, never says "Everything is up to date", lists
// a scheduled upgrade only as scheduled, shows an upgrade as starting the
// moment it is asked for, and renders a running step's changelog; the
// audit names who caused a release and refuses a date that is not one.
func TestManagerPagesTellTheTruth_Browser_TestPlaysCrossplane(t *testing.T) {
	t.Parallel()
	repo := deadHelmRepository(t)
	e := startManagerEnv(t, 300*time.Millisecond)
	e.createPlatform(t, "acme", v1alpha1.PlatformSpec{CatalogIndexURL: serveIndex(t, truthIndex(repo.URL)), CheckUpstreamCharts: true,
		Components: []v1alpha1.ComponentRef{{Name: "kit-web", Version: "v1.0.0"}}})
	e.waitCondition(t, "acme", v1alpha1.ConditionReady, metav1.ConditionTrue, 2*time.Minute)
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		c := e.components(ct)["kit-web"]
		cond := meta.FindStatusCondition(c.Status.Conditions, v1alpha1.ConditionUpdatesChecked)
		require.NotNil(ct, cond, "kit-web has no UpdatesChecked condition")
		assert.Equal(ct, metav1.ConditionFalse, cond.Status, "the repository is down")
		assert.Equal(ct, []string{"v1.1.0"}, versionsOf(c), "the catalog's upgrade is known all the same")
	}, 2*time.Minute, 200*time.Millisecond, "the update check never ran; running: %s", e.running(t))

	ctx := signIn(t, e.proc)
	open := func(path, present string) {
		t.Helper()
		browser.Do(t, ctx, chromedp.Navigate(e.proc.url(path)), browser.Present(present))
	}
	reload := func(ct *assert.CollectT) {
		_, err := chromedp.Run(ctx, chromedp.Reload())
		require.NoError(ct, err)
	}
	textNow := func(ct require.TestingT, css string) string {
		s, err := browser.TextNow(ctx, css)
		require.NoError(ct, err)
		return strings.TrimSpace(s)
	}

	// Mandatory components the platform lacks are Missing, not options;
	// an optional one not installed has no badge.
	open("/platforms/acme/components?installed=0&category=mandatory", `[data-testid="component"]`)
	cat := catalog.Default()
	mandatory := 0
	for _, name := range cat.Names() {
		if comp, _ := cat.Get(name); comp.Category == catalog.Mandatory {
			mandatory++
			require.Equal(t, "Missing", textNow(t, `#component-`+name+` [data-testid="status"]`), "mandatory %s", name)
			require.Equal(t, "Install (required)", textNow(t, `#component-`+name+` [data-testid="install"]`), "mandatory %s is no option", name)
		}
	}
	require.NotZero(t, mandatory)
	browser.Screenshot(t, ctx, "components-mandatory-missing")
	open("/platforms/acme/components?installed=0&q=kit", `#component-kit-extra`)
	require.Empty(t, textNow(t, `#component-kit-extra [data-testid="status"]`))

	// A one-component plan: one box at its own size, no column heading.
	openDialog(t, ctx, "kit-extra", "Kit Extra")
	pic := evalIn[map[string]float64](t, ctx, planPicture)
	require.Equal(t, 1.0, pic["boxes"], "%v", pic)
	require.Zero(t, pic["headings"], "no lone 'first' heading: %v", pic)
	require.InDelta(t, pic["asked"], pic["drawn"], 1, "drawn at its own size: %v", pic)
	require.Less(t, pic["drawn"], pic["dialog"]/2, "not stretched to the dialog: %v", pic)
	browser.Screenshot(t, ctx, "dialog-one-component")
	closeDialog(t, ctx)

	// Kit App's dialog: its dependency will be installed; the optional's
	// hint, wrapped, overlaps neither its checkbox nor its title. Kit Base
	// is then held installing.
	e.xp.HoldChart("kit-base", "1.0.0")
	openDialog(t, ctx, "kit-app", "Kit App")
	require.Equal(t, "will be installed", evalIn[string](t, ctx, `document.querySelector('dialog[open] [data-testid="required"] li[data-name="kit-base"]').dataset.state`))
	require.Contains(t, browser.Text(t, ctx, `dialog[open] [data-testid="optional"]`), "adds weekly reports")
	browser.Screenshot(t, ctx, "dialog-optional-hint")
	require.Empty(t, evalIn[[]string](t, ctx, optionalOverlaps), "an optional's parts overlap")
	browser.Do(t, ctx, chromedp.Click(chromedp.CSS(`dialog[open] [data-testid="install-confirm"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#component-kit-app [data-testid="timeline"]`)))

	// Kit CLI's dialog while Kit Base installs: not "already installed".
	open("/platforms/acme/components?installed=0&q=kit", `#component-kit-cli`)
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		reload(ct)
		assert.Equal(ct, "Progressing", textNow(ct, `#component-kit-base [data-testid="status"]`), "the page knows Kit Base's Component")
	}, time.Minute, time.Second)
	require.Empty(t, e.components(t)["kit-base"].Status.InstalledVersion, "Kit Base has never been Ready")
	openDialog(t, ctx, "kit-cli", "Kit CLI")
	row := `dialog[open] [data-testid="required"] li[data-name="kit-base"]`
	require.Equal(t, "installing now", evalIn[string](t, ctx, `document.querySelector('`+row+`').dataset.state`))
	require.NotContains(t, browser.Text(t, ctx, row), "already installed")
	require.Equal(t, "installing", evalIn[string](t, ctx, `document.querySelector('dialog[open] svg.plan g[data-name="kit-base"] rect').getAttribute('class')`),
		"the picture draws it installing too")
	browser.Screenshot(t, ctx, "dialog-dependency-installing")
	closeDialog(t, ctx)

	// The dashboard counts what runs, the dependency the spec does not
	// name included, and the mandatory components this platform (built by
	// no bootstrap) lacks: 1 of 3+8 while Kit Base installs, then 3 of 3+8
	// beside "3 installed", and it names the missing ones.
	open("/platforms/acme/", `[data-testid="health"]`)
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		reload(ct)
		healthy, counted, _, err := dashboardCounts(ctx)
		require.NoError(ct, err)
		assert.Equal(ct, [2]int{1, 3 + mandatory}, [2]int{healthy, counted}, "healthy of counted, the missing mandatory ones counted")
		assert.Equal(ct, fmt.Sprintf("%d%%", 100/(3+mandatory)), textNow(ct, `[data-testid="health-percent"]`))
	}, time.Minute, time.Second, "the health line while Kit Base installs")
	browser.Screenshot(t, ctx, "dashboard-dependency-installing")
	e.xp.LetGo("kit-base", "1.0.0")
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		reload(ct)
		healthy, counted, installed, err := dashboardCounts(ctx)
		require.NoError(ct, err)
		assert.Equal(ct, [3]int{3, 3 + mandatory, 3}, [3]int{healthy, counted, installed}, "healthy of counted, installed")
		assert.Equal(ct, fmt.Sprintf("%d%%", 300/(3+mandatory)), textNow(ct, `[data-testid="health-percent"]`), "not 100%%: the core is missing")
		assert.Len(ct, e.components(ct), 3)
	}, 2*time.Minute, time.Second, "the health line once all is installed")
	require.Len(t, e.platform(t, "acme").Spec.Components, 2, "the spec names Kit Web and Kit App; Kit Base came as a dependency")
	require.Contains(t, textNow(t, `[data-testid="missing"]`), fmt.Sprintf("The platform does not run %d of its mandatory components (", mandatory))
	require.Equal(t, "/platforms/acme/components?category=mandatory&installed=0",
		evalIn[string](t, ctx, `document.querySelector('[data-testid="missing-link"]').getAttribute('href')`))
	browser.Screenshot(t, ctx, "dashboard-all-kits-healthy-core-missing")

	upgradesTruth(t, e, ctx, repo)

	// The audit: a release names who caused it; a bad date is refused.
	release := `[data-testid="audit-row"][data-id="release/acme/kit-base"]`
	open("/audit?platform=acme", release)
	require.Equal(t, "admin (via install/acme/kit-app)", textNow(t, release+` [data-testid="actor"]`))
	browser.Screenshot(t, ctx, "audit-release-by")
	open("/audit?platform=acme&from=2026-13-45", `[data-testid="field-error"][data-field="since"]`)
	require.Equal(t, `"2026-13-45" is not a date: give one such as 2026-11-01.`, textNow(t, `[data-testid="field-error"][data-field="since"]`),
		"the date field drops what is not a date, so the message names it")
	require.Contains(t, textNow(t, `[data-testid="empty"]`), "The filter was not applied.", "not 'No operation matches': no search ran")
	require.Equal(t, "true", evalIn[string](t, ctx, `document.querySelector('input[name="since"]').getAttribute('aria-invalid')`))
	browser.Screenshot(t, ctx, "audit-bad-date")
}
