package browser

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/dev/testenv"
)

// axe-core (dev/dev.sh assets fetches it from npm, pinned by its
// integrity) checks every page a browser test pictures against WCAG 2 A
// and AA: Screenshot runs it on the page it captured, so every page the
// tests visit, in both modes and at both widths, is checked. The test
// injects it; the product never ships it.
var axeSource struct {
	once sync.Once
	js   string
	err  error
}

// failingImpacts are the violations that fail a test.
var failingImpacts = map[string]bool{"serious": true, "critical": true}

// axeRun runs axe on the document and returns its violations as JSON.
const axeRun = `axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}, resultTypes: ['violations']})
	.then(r => JSON.stringify(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
		nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary)}))))`

// Violation is one rule the page breaks, with where.
type Violation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// Accessible fails the test when axe finds a serious or critical WCAG 2
// A/AA violation on the tab's page, naming each and where; lesser ones
// are logged.
func Accessible(t testing.TB, ctx context.Context, page string) {
	t.Helper()
	axeSource.once.Do(func() {
		var b []byte
		if b, axeSource.err = os.ReadFile(testenv.Bin(t, "axe.min.js")); axeSource.err == nil {
			axeSource.js = string(b)
		}
	})
	require.NoError(t, axeSource.err, "read axe-core")
	if axeSource.js == "" {
		return // skipped by testenv.Bin on a laptop without it
	}
	vs, err := violations(ctx)
	require.NoError(t, err, "axe on %s", page)
	var failing []string
	for _, v := range vs {
		line := fmt.Sprintf("%s (%s): %s at %s", v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "; "))
		if failingImpacts[v.Impact] {
			failing = append(failing, line)
			continue
		}
		t.Logf("accessibility of %s, not failing: %s", page, line)
	}
	if len(failing) > 0 {
		t.Errorf("accessibility of %s: %d serious or critical WCAG 2 A/AA violations:\n%s", page, len(failing), strings.Join(failing, "\n"))
	}
}

// violations injects axe into the page (once per document) and runs it.
// A page may navigate by itself while axe runs (a live operation that ends
// loads its done URL): Chromium then ends the run with "Inspected target
// navigated or closed", so, as capture does for the picture, an attempt
// during which the top frame committed a new document is dropped and the
// new document is checked once it has loaded.
func violations(ctx context.Context) ([]Violation, error) {
	for {
		vs, navigated, err := violationsOnce(ctx)
		if !navigated {
			return vs, err
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("the page kept navigating during the accessibility check: %w", ctx.Err())
		}
		settled(ctx, 10*time.Second)
	}
}

// violationsOnce is one attempt of violations; navigated reports that the
// top frame committed a new document during it.
func violationsOnce(ctx context.Context) (vs []Violation, navigated bool, err error) {
	actx, cancel, nav, err := watchNavigation(ctx)
	if err != nil {
		return nil, false, err
	}
	defer cancel()
	vs, err = runAxe(actx)
	if nav.Load() || documentGone(err) {
		return nil, true, nil
	}
	return vs, false, err
}

// documentGone: Chromium ended the evaluation because the document it ran
// in was replaced. That answer can arrive before the event of the new
// document's commit does, so it counts as the navigation itself.
func documentGone(err error) bool {
	var ce *cdproto.Error
	return errors.As(err, &ce) && (strings.Contains(ce.Message, "Inspected target navigated or closed") ||
		strings.Contains(ce.Message, "Execution context was destroyed") || strings.Contains(ce.Message, "Cannot find context with specified id"))
}

// runAxe injects axe into the document unless it is there, and runs it.
func runAxe(ctx context.Context) ([]Violation, error) {
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof axe !== 'undefined'`))
	if err != nil {
		return nil, err
	}
	if !loaded {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](axeSource.js)); err != nil {
			return nil, fmt.Errorf("inject axe-core: %w", err)
		}
	}
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, err
	}
	var vs []Violation
	return vs, json.Unmarshal([]byte(out), &vs)
}
