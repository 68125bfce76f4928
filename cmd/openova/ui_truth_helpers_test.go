package main

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/dev/testenv/browser"
)

// truthIndex is the platform index of the manager's truth test: five
// components of the test's own (the embedded catalog changes with each
// release; these do not), all charted in one Helm repository that is
// down. Kit App needs Kit Base and may add Kit Extra, whose hint is long
// enough to wrap; Kit CLI needs Kit Base too; Kit Web has an upgrade whose
// changelog is Markdown as the catalog writes it (a heading, a list, a
// link).
func truthIndex(repo string) []byte {
	comp := func(name, title, extra, versions string) string {
		return "  - name: " + name + "\n    title: " + title + "\n    description: " + title + ", a component of the test's index\n" +
			"    category: a-la-carte\n    chart: {name: " + name + ", repository: \"" + repo + "\"}\n" + extra + "    versions:\n" + versions
	}
	v100 := "      - {version: v1.0.0, chartVersion: 1.0.0, released: 2025-01-01, changelog: first}\n"
	return []byte("apiVersion: catalog.openova.io/v1\ncomponents:\n" +
		comp("kit-web", "Kit Web", "", v100+
			"      - version: v1.1.0\n        chartVersion: 1.1.0\n        released: 2025-02-01\n        changelog: |\n"+
			"          ## Kit Web 1.1.0\n          - Pages load twice as fast.\n          - A dark theme.\n"+
			"          [Release notes](https://kit.example/releases/v1.1.0)\n") +
		comp("kit-base", "Kit Base", "", v100) +
		comp("kit-extra", "Kit Extra", "", v100) +
		comp("kit-app", "Kit App", "    requires:\n      - {name: kit-base, why: \"keeps the app's state\"}\n"+
			"    optional:\n      - {name: kit-extra, why: \"adds weekly reports to the app, mailed to its owners, with charts of what changed\"}\n", v100) +
		comp("kit-cli", "Kit CLI", "    requires:\n      - {name: kit-base, why: \"reads the app's state\"}\n", v100))
}

// deadHelmRepository answers every request 503 until the test changes its
// answer: a chart repository that is down, as every one is on a machine
// without internet.
func deadHelmRepository(t *testing.T) *helmRepository {
	h := newHelmRepository(t)
	h.answer(http.StatusServiceUnavailable, "maintenance")
	return h
}

// optionalOverlaps lists, for each optional component of the open
// dialog, the parts (checkbox, title, hint) whose boxes overlap by more
// than a pixel; a part that wraps is each of its lines' boxes.
const optionalOverlaps = `[...document.querySelectorAll('dialog[open] [data-testid="optional"]')].flatMap(l => {
	const parts = [l.querySelector('input'), l.querySelector('span'), ...l.querySelectorAll('small')].filter(Boolean)
		.map(e => [e.tagName + ' ' + (e.textContent.trim() || e.value), [...e.getClientRects()]]);
	const hit = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
	const out = [];
	for (let i = 0; i < parts.length; i++) for (let j = i + 1; j < parts.length; j++) {
		if (parts[i][1].some(a => parts[j][1].some(b => hit(a, b)))) out.push(parts[i][0] + ' / ' + parts[j][0]);
	}
	return out;
})`

// planPicture measures the open dialog's plan picture: its drawn width,
// the width it asks for, its column headings and boxes, and the dialog's
// width.
const planPicture = `(() => {
	const s = document.querySelector('dialog[open] svg.plan');
	return {drawn: s.getBoundingClientRect().width, asked: +s.getAttribute('width'), headings: s.querySelectorAll('text.layer').length,
		boxes: s.querySelectorAll('rect').length, dialog: document.querySelector('dialog[open] article').getBoundingClientRect().width};
})()`

var healthLine = regexp.MustCompile(`^\((\d+) of (\d+) components healthy\)$`)

// dashboardCounts reads the dashboard as it is now: healthy and counted
// components of the health line, and the number on the Components tile.
func dashboardCounts(ctx context.Context) (healthy, counted, installed int, err error) {
	line, err := browser.TextNow(ctx, `[data-testid="health"] small`)
	if err != nil {
		return 0, 0, 0, err
	}
	m := healthLine.FindStringSubmatch(strings.TrimSpace(line))
	if m == nil {
		return 0, 0, 0, fmt.Errorf("health line %q", line)
	}
	tile, err := browser.TextNow(ctx, `[data-testid="tile-components"] .num`)
	if err != nil {
		return 0, 0, 0, err
	}
	healthy, _ = strconv.Atoi(m[1])
	counted, _ = strconv.Atoi(m[2])
	installed, err = strconv.Atoi(strings.TrimSpace(tile))
	return healthy, counted, installed, err
}

// openDialog opens a component's install dialog from the Components page
// and waits for it to show that component.
func openDialog(t *testing.T, ctx context.Context, name, title string) {
	t.Helper()
	browser.Do(t, ctx, chromedp.Click(chromedp.CSS(`#component-`+name+` [data-testid="install"]`)),
		chromedp.WaitVisible(chromedp.CSS(`dialog[open] [data-testid="install-dialog"]`)))
	require.Contains(t, browser.Text(t, ctx, `dialog[open] #dialog-title`), "Install: "+title)
}

// closeDialog closes the open install dialog with its Cancel.
func closeDialog(t *testing.T, ctx context.Context) {
	t.Helper()
	browser.Do(t, ctx, chromedp.Click(chromedp.CSS(`dialog[open] [data-close-dialog]`)), browser.Present(`dialog#dialog:not([open])`))
}
