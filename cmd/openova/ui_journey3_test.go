package main

import (
	"encoding/json"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/dev/testenv"
	"github.com/openova-io/core/dev/testenv/browser"
)

// journey3Index adds the releases of PRODUCT.md's Journey 3 to the
// embedded catalog, as a platform's remote index would: Backstage v1.30.0,
// and Grafana v11.3.0 and v11.4.0 on the chart they shipped in (grafana/
// helm-charts, before the chart moved to grafana-community), so the
// platform can start at v1.30 and v11.3. Their notes and sources are the
// ones the catalog listed until issue 20 (catalog/checks/previous/); the
// Backstage chart pairing (2.2.0) is the test's, not upstream's, which is
// why it is test data and not in the catalog.
var journey3Index = []byte(`apiVersion: catalog.openova.io/v1
components:
  - name: backstage
    versions:
      - version: v1.30.0
        chartVersion: 2.2.0
        released: 2024-08-20
        changelog: |
          ## Backstage 1.30.0
          - The New Frontend System is ready for plugin adoption (blueprints, extension.override).
          - Breaking: sign-in resolvers from config now take precedence.
          [Release notes](https://backstage.io/docs/releases/v1.30.0)
  - name: grafana
    versions:
      - version: v11.4.0
        chartVersion: 8.8.2
        chart: {name: grafana, repository: https://grafana.github.io/helm-charts}
        released: 2024-12-16
        source: {repository: https://github.com/grafana/helm-charts, ref: grafana-8.8.2, path: charts/grafana/Chart.yaml}
        changelog: |
          ## Grafana 11.4.0
          - CloudWatch Logs Insights can be queried with OpenSearch PPL and OpenSearch SQL, besides Logs Insights QL.
          - The CloudWatch logs query editor gains syntax highlighting, suggestions and an updated cheat sheet.
          [Release notes](https://github.com/grafana/grafana/releases/tag/v11.4.0)
      - version: v11.3.0
        chartVersion: 8.6.0
        chart: {name: grafana, repository: https://grafana.github.io/helm-charts}
        released: 2024-11-10
        source: {repository: https://github.com/grafana/helm-charts, ref: grafana-8.6.0, path: charts/grafana/Chart.yaml}
        changelog: |
          ## Grafana 11.3.0
          - Scenes-powered dashboards are generally available: a new edit mode, and the time picker and variables stick to the top.
          - Users with Edit or Admin rights on a folder can create subfolders.
          [Release notes](https://github.com/grafana/grafana/releases/tag/v11.3.0)
`)

// journey3Release is a release of the index above, as the manager sees it
// (merged into the embedded catalog).
func journey3Release(t *testing.T, component, version string) catalog.Version {
	t.Helper()
	idx, err := catalog.ParseIndex(journey3Index)
	require.NoError(t, err)
	merged, err := catalog.Default().Merge(idx)
	require.NoError(t, err)
	v, ok := merged.Components[component].Find(version)
	require.True(t, ok, "%s %s", component, version)
	return v
}

// Journey 3 in a real browser: the dashboard says "2 upgrades available";
// the Upgrades page offers Backstage v1.31 and Grafana v11.4 (PRODUCT.md's
// pair, from the index) beside the catalog's newer releases, each with its
// changelog; the operator picks v1.31 and v11.4 and clicks Upgrade now on
// both: Backstage ends at v1.31, Grafana's rollout fails and the page
// shows it rolled back, with
// its reason and the alert a real HTTP receiver got. Then an upgrade is
// scheduled in the maintenance window, listed with its next run, and
// cancelled.
func TestJourney3Upgrades_Browser_TestPlaysCrossplane(t *testing.T) {
	t.Parallel()
	rcv := testenv.NewReceiver(t, http.StatusOK)
	e := startManagerEnv(t, 300*time.Millisecond, "--alertmanager-url", rcv.URL, "--alert-webhook-url", rcv.URL+"/hook")
	e.createPlatform(t, "acme", v1alpha1.PlatformSpec{CatalogIndexURL: serveIndex(t, journey3Index),
		Components: []v1alpha1.ComponentRef{{Name: "backstage", Version: "v1.30.0"}, {Name: "grafana", Version: "v11.3.0"}}})
	e.waitCondition(t, "acme", v1alpha1.ConditionReady, metav1.ConditionTrue, 2*time.Minute)
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		assert.EqualValues(ct, 2, e.platform(ct, "acme").Status.UpgradesAvailable)
	}, 2*time.Minute, 200*time.Millisecond, "the update check never found the two upgrades")
	grafana114 := journey3Release(t, "grafana", "v11.4.0")
	e.xp.FailChart("grafana", grafana114.HelmChartVersion(), "CrashLoopBackOff: grafana-7d9")

	ctx := signIn(t, e.proc)
	require.Equal(t, "2 upgrades available", strings.TrimSpace(browser.Text(t, ctx, `[data-testid="upgrades-available"]`)))
	browser.Screenshot(t, ctx, "dashboard-2-upgrades")

	browser.Do(t, ctx, chromedp.Click(chromedp.CSS(`[data-testid="tile-upgrades"] a`)), chromedp.WaitVisible(chromedp.CSS(`#upgrade-grafana`)))
	// The operator opens the changelogs of PRODUCT.md's pair (the newest
	// release's is open already).
	for _, c := range [][2]string{{"backstage", "v1.31.0"}, {"grafana", "v11.4.0"}} {
		browser.Do(t, ctx, chromedp.Evaluate[chromedp.Void](`[...document.querySelectorAll('#upgrade-`+c[0]+` summary')].find(s => s.textContent === 'Changelog of `+c[1]+`').click()`))
	}
	backstage := browser.Text(t, ctx, `#upgrade-backstage`)
	require.Contains(t, backstage, "v1.30.0 → "+catalog.Default().Components["backstage"].Latest().Version, "the newest is offered first")
	require.Contains(t, backstage, "v1.31.0")
	require.Contains(t, backstage, "The new backend system is declared stable", "Backstage v1.31's changelog, rendered")
	grafana := browser.Text(t, ctx, `#upgrade-grafana`)
	require.Contains(t, grafana, "v11.3.0 → "+catalog.Default().Components["grafana"].Latest().Version)
	require.Contains(t, grafana, "v11.4.0")
	require.Contains(t, grafana, grafana114.Changelog[strings.Index(grafana114.Changelog, "\n- ")+3:][:30], "Grafana v11.4's changelog, rendered")
	browser.Screenshot(t, ctx, "upgrades-with-changelogs")

	// On a phone, with the offers' forms: the page fits the screen, and
	// the time-zone field is there to type in.
	browser.Do(t, ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#upgrade-grafana`)))
	require.LessOrEqual(t, evalIn[int](t, ctx, `document.documentElement.scrollWidth`), 390, "the Upgrades page is wider than the phone")
	zone := evalIn[[]float64](t, ctx, `(() => { const r = document.querySelector('#upgrade-grafana [data-testid="zone"]').getBoundingClientRect(); return [r.left, r.right, r.width]; })()`)
	require.Greater(t, zone[2], 80.0, "the time-zone field is too narrow to use: %v", zone)
	require.GreaterOrEqual(t, zone[0], 0.0, "the time-zone field starts off the screen: %v", zone)
	require.LessOrEqual(t, zone[1], 390.0, "the time-zone field ends off the screen: %v", zone)
	browser.Screenshot(t, ctx, "phone-upgrades-with-offers")
	browser.Do(t, ctx, chromedp.EmulateViewport(browser.Width, browser.Height), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#upgrade-grafana`)))

	browser.Do(t, ctx, chromedp.Click(chromedp.CSS(`#upgrade-backstage input[name="to"][value="v1.31.0"]`)),
		chromedp.Click(chromedp.CSS(`#upgrade-backstage [data-testid="upgrade-now"]`)), browser.Present(`[data-testid="flash"]`))
	browser.Do(t, ctx, chromedp.Click(chromedp.CSS(`#upgrade-grafana input[name="to"][value="v11.4.0"]`)),
		chromedp.Click(chromedp.CSS(`#upgrade-grafana [data-testid="upgrade-now"]`)), browser.Present(`[data-testid="flash"]`))
	browser.Screenshot(t, ctx, "upgrades-running")

	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		comps := e.components(ct)
		assertHealthyAt(ct, comps, "backstage", "v1.31.0")
		assertRolledBack(ct, comps, "grafana", true)
	}, 3*time.Minute, 200*time.Millisecond, "backstage never reached v1.31.0 or grafana never rolled back")
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		_, err := chromedp.Run(ctx, chromedp.Reload())
		require.NoError(ct, err)
		rb, err := browser.TextNow(ctx, `#rollbacks`)
		require.NoError(ct, err)
		assert.Contains(ct, rb, "Grafana v11.3.0 → v11.4.0")
		assert.Contains(ct, rb, "CrashLoopBackOff: grafana-7d9", "the reason")
		assert.Contains(ct, rb, "Alert: sent to Alertmanager and the webhook")
	}, time.Minute, time.Second, "the page never showed the rollback")
	browser.Screenshot(t, ctx, "grafana-rolled-back")
	require.Len(t, rcv.Bodies("/api/v2/alerts"), 1, "one alert reached the receiver")
	var alerts []struct {
		Labels map[string]string `json:"labels"`
	}
	require.NoError(t, json.Unmarshal([]byte(rcv.Bodies("/api/v2/alerts")[0]), &alerts))
	require.Equal(t, "grafana", alerts[0].Labels["component"])

	t.Run("schedule in the maintenance window, then cancel", func(t *testing.T) {
		// The window opens three days from now at noon in Berlin: never
		// while the test runs, and never at a daylight saving switch.
		berlin, err := time.LoadLocation("Europe/Berlin")
		require.NoError(t, err)
		day := time.Now().In(berlin).AddDate(0, 0, 3)
		opens := time.Date(day.Year(), day.Month(), day.Day(), 12, 0, 0, 0, berlin)
		e.update(t, "acme", func(p *v1alpha1.Platform) {
			p.Spec.MaintenanceWindow = &v1alpha1.MaintenanceWindow{Days: []string{opens.Weekday().String()}, Start: "12:00", TimeZone: "Europe/Berlin"}
		})
		e.xp.LetGo("grafana", grafana114.HelmChartVersion())
		browser.Do(t, ctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#upgrade-grafana [data-testid="upgrade-window"]`)))
		browser.Do(t, ctx, chromedp.Click(chromedp.CSS(`#upgrade-grafana [data-testid="upgrade-window"]`)), browser.Present(`[data-testid="flash"]`))
		require.EventuallyWithT(t, func(ct *assert.CollectT) {
			_, err := chromedp.Run(ctx, chromedp.Reload())
			require.NoError(ct, err)
			next, err := browser.TextNow(ctx, `[data-testid="scheduled-row"][data-component="grafana"] [data-testid="next"]`)
			require.NoError(ct, err)
			assert.Equal(ct, opens.UTC().Format("Mon 2006-01-02 15:04 MST"), strings.TrimSpace(next), "next run: the window's day at noon in Berlin")
		}, time.Minute, time.Second, "the scheduled upgrade is not listed")
		browser.Screenshot(t, ctx, "scheduled-in-window")

		browser.Do(t, ctx, chromedp.Click(chromedp.CSS(`[data-testid="scheduled-row"][data-component="grafana"] [data-testid="cancel-scheduled"]`)),
			chromedp.WaitVisible(chromedp.CSS(`dialog#confirm[open]`)))
		browser.Screenshot(t, ctx, "cancel-confirm")
		browser.Do(t, ctx, chromedp.Click(chromedp.CSS(`[data-testid="confirm-ok"]`)), browser.Present(`[data-testid="flash"]`))
		require.EventuallyWithT(t, func(ct *assert.CollectT) {
			_, err := chromedp.Run(ctx, chromedp.Reload())
			require.NoError(ct, err)
			html, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS(`#scheduled`)))
			require.NoError(ct, err)
			assert.NotContains(ct, html, `data-component="grafana"`)
		}, time.Minute, time.Second, "the cancelled upgrade is still listed")
		browser.Screenshot(t, ctx, "scheduled-cancelled")
		comps := e.components(t)
		assertHealthyAt(t, comps, "grafana", "v11.3.0")

		// At a time (it goes before the window): the Platform holds the
		// time (spec upgradeAt) and the reconciler schedules it.
		at := time.Now().UTC().Add(72 * time.Hour).Truncate(time.Minute)
		browser.Do(t, ctx, chromedp.Reload(), browser.Present(`#upgrade-grafana [data-testid="at"]`),
			chromedp.Evaluate[chromedp.Void](`document.querySelector('#upgrade-grafana [data-testid="at"]').value = '`+at.Format("2006-01-02T15:04")+`'`),
			chromedp.Click(chromedp.CSS(`#upgrade-grafana [data-testid="schedule-at"]`)), browser.Present(`[data-testid="flash"]`))
		require.EventuallyWithT(t, func(ct *assert.CollectT) {
			_, err := chromedp.Run(ctx, chromedp.Reload())
			require.NoError(ct, err)
			next, err := browser.TextNow(ctx, `[data-testid="scheduled-row"][data-component="grafana"] [data-testid="next"]`)
			require.NoError(ct, err)
			assert.Equal(ct, at.Format("Mon 2006-01-02 15:04 MST"), strings.TrimSpace(next))
		}, time.Minute, time.Second, "the upgrade at a time is not listed with its time")
		ref := e.platform(t, "acme").Spec.Components[1]
		require.Equal(t, "grafana", ref.Name)
		require.NotNil(t, ref.UpgradeAt)
		require.True(t, at.Equal(ref.UpgradeAt.Time), "the Platform holds the time")
		browser.Screenshot(t, ctx, "scheduled-at-a-time")
		browser.Do(t, ctx, chromedp.Click(chromedp.CSS(`[data-testid="scheduled-row"][data-component="grafana"] [data-testid="cancel-scheduled"]`)),
			chromedp.WaitVisible(chromedp.CSS(`dialog#confirm[open]`)), chromedp.Click(chromedp.CSS(`[data-testid="confirm-ok"]`)), browser.Present(`[data-testid="flash"]`))
		require.EventuallyWithT(t, func(ct *assert.CollectT) {
			assert.Nil(ct, e.platform(ct, "acme").Spec.Components[1].UpgradeAt, "cancelling clears the time")
		}, 30*time.Second, 200*time.Millisecond)
	})

	t.Run("audit", func(t *testing.T) {
		grafanaID := "upgrade/acme/grafana/v11.4.0"
		browser.Do(t, ctx, chromedp.Click(chromedp.CSS(`nav a[href^="/audit"]`)), browser.Present(`[data-testid="audit-list"]`))
		list := browser.Text(t, ctx, `[data-testid="audit-list"]`)
		for _, id := range []string{grafanaID, "upgrade/acme/backstage/v1.31.0", "install/acme/grafana"} {
			require.Contains(t, list, id, "the audit list has the journey's operations")
		}
		browser.Screenshot(t, ctx, "audit-list")

		browser.Do(t, ctx, chromedp.SendKeys(chromedp.CSS(`[data-testid="filter-component"]`), "grafana"),
			chromedp.Click(chromedp.CSS(`[data-testid="filter-apply"]`)), browser.Present(`[data-testid="filter-component"][value="grafana"]`))
		filtered := browser.Text(t, ctx, `[data-testid="audit-list"]`)
		require.Contains(t, filtered, grafanaID)
		require.NotContains(t, filtered, "backstage", "filtering by component keeps grafana's operations only")
		browser.Screenshot(t, ctx, "audit-filtered-by-component")

		browser.Do(t, ctx, chromedp.Click(chromedp.CSS(`[data-testid="audit-row"][data-id="`+grafanaID+`"] a`)), browser.Present(`[data-testid="operation"]`))
		require.Equal(t, "admin", strings.TrimSpace(browser.Text(t, ctx, `[data-testid="operation-actor"]`)), "the signed-in user started it")
		require.Contains(t, browser.Text(t, ctx, `[data-testid="operation-failure"]`), "CrashLoopBackOff: grafana-7d9")
		require.Contains(t, browser.Text(t, ctx, `[data-testid="operation-failure"]`), "rolled back to v11.3.0")
		steps := browser.Text(t, ctx, `[data-testid="timeline"]`)
		require.Contains(t, steps, "roll back grafana to v11.3.0", "the rollback is a step")
		require.Contains(t, steps, "sent to Alertmanager and the webhook")
		events := browser.Text(t, ctx, `[data-testid="events"]`)
		require.Contains(t, events, "release/acme/grafana", "the child releases are linked")
		cli := browser.Text(t, ctx, `[data-testid="cli"]`)
		require.Contains(t, cli, "temporal workflow show --workflow-id '"+grafanaID+"'")
		browser.Screenshot(t, ctx, "audit-grafana-upgrade")

		// The commands on the page work as printed: the first shows the
		// history (failures encrypted), the second decodes them through the
		// codec endpoint with the data dir's token.
		cmds, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('[data-testid="cli"]')].map(e => e.textContent)`))
		require.NoError(t, err)
		require.Len(t, cmds, 2)
		for i, want := range []string{"WorkflowExecutionFailed", "rolled back to v11.3.0"} {
			sh := exec.Command("sh", "-c", strings.Replace(cmds[i], "temporal ", testenv.Bin(t, "temporal")+" ", 1))
			sh.Dir = e.dataDir
			out, err := sh.CombinedOutput()
			require.NoError(t, err, "%s", out)
			require.Contains(t, withPayloads(t, string(out)), want, "command %d", i)
		}
	})
}
