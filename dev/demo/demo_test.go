package main

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/security"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/dev/testenv"
	"github.com/openova-io/core/dev/testenv/browser"
)

// banner is what the demo printed for the user.
type banner struct{ url, password, token, s3 string }

// The banner's lines the test reads, as a newcomer reads them.
var (
	openRe     = regexp.MustCompile(`(?m)^\s+Open\s+(\S+)$`)
	passwordRe = regexp.MustCompile(`(?m)^\s+Sign in\s+user admin, password (\S+)$`)
	tokenRe    = regexp.MustCompile(`(?m)^\s+Hetzner token\s+(\S+)$`)
	s3Re       = regexp.MustCompile(`(?m)^\s+State bucket\s+endpoint (\S+), bucket openova-demo,`)
)

// startDemo runs `./dev/dev.sh demo` as a newcomer would (it builds what
// it needs; the tests' assets are there already), on free ports for
// openova itself, and reads its banner. The demo stops with the test.
func startDemo(t *testing.T) banner {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command("bash", filepath.Join(testenv.RepoRoot(), "dev", "dev.sh"), "demo",
		"--dir", dir, "--listen", testenv.FreeAddr(t), "--temporal-listen", testenv.FreeAddr(t))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	logFile, err := os.Create(filepath.Join(t.TempDir(), "demo.log"))
	require.NoError(t, err)
	cmd.Stderr = logFile
	require.NoError(t, cmd.Start())
	exited := make(chan struct{})
	t.Cleanup(func() {
		if t.Failed() { // what openova and the played manager said
			logs, _ := filepath.Glob(filepath.Join(dir, "standins", "*", "manager.log"))
			for _, f := range append(logs, filepath.Join(dir, "openova.log")) {
				t.Logf("%s ends:\n%s", f, tail(f))
			}
			dumpClusters(t, dir)
		}
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
	})
	lines := make(chan string)
	go func() {
		defer close(exited)
		sc := bufio.NewScanner(out)
		var text strings.Builder
		for sc.Scan() {
			text.WriteString(sc.Text() + "\n")
			if strings.HasPrefix(sc.Text(), "Stop with Ctrl-C.") {
				lines <- text.String()
			}
		}
		_, _ = io.Copy(io.Discard, out)
		_ = cmd.Wait()
	}()
	var text string
	select {
	case text = <-lines:
	case <-exited:
		log, _ := os.ReadFile(logFile.Name())
		t.Fatalf("./dev/dev.sh demo stopped before its banner; its log:\n%s", log)
	case <-time.After(30 * time.Minute):
		t.Fatal("./dev/dev.sh demo printed no banner in 30 minutes")
	}
	t.Logf("the demo's banner:\n%s", text)
	var b banner
	for re, dst := range map[*regexp.Regexp]*string{openRe: &b.url, passwordRe: &b.password, tokenRe: &b.token, s3Re: &b.s3} {
		m := re.FindStringSubmatch(text)
		require.Len(t, m, 2, "the banner has %s", re)
		*dst = m[1]
	}
	return b
}

// `./dev/dev.sh demo` on its own, then a browser following its banner:
// sign in, the wizard with one region (organization demo, so nothing in
// the stand-ins assumes the tests' acme), approve, the run to "clusters
// ready" and its final page, and the manager it links answering the
// password shown there, with its components Healthy.
func TestDemoScript_Browser_ReachesClustersReadyAndTheManager(t *testing.T) {
	testenv.HoldDefaultPorts(t)
	b := startDemo(t)
	tid := func(id string) string { return `[data-testid="` + id + `"]` }
	ctx := browser.Tab(t)
	browser.Do(t, ctx, chromedp.Navigate(b.url+"/"), browser.Present(tid("login")),
		chromedp.SendKeys(chromedp.CSS(`input[name="user"]`), "admin"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), b.password),
		chromedp.Click(chromedp.CSS(tid("sign-in"))), browser.Present(tid("user")))
	next := func(present string) {
		t.Helper()
		browser.Do(t, ctx, chromedp.Click(chromedp.CSS(tid("next"))), browser.Present(present))
	}
	browser.Do(t, ctx, chromedp.Navigate(b.url+"/wizard/organization"), browser.Present(tid("step-organization")),
		chromedp.SendKeys(chromedp.CSS(tid("organization")), "demo"), chromedp.SendKeys(chromedp.CSS(tid("domain")), "demo.example"))
	next(tid("step-provider"))
	browser.Do(t, ctx, chromedp.Click(chromedp.CSS(tid("provider-hetzner"))))
	next(tid("step-credentials"))
	browser.Do(t, ctx, chromedp.SendKeys(chromedp.CSS(tid("token")), b.token))
	next(tid("step-regions"))
	browser.Do(t, ctx, chromedp.SetValue(chromedp.CSS(tid("regions[0].name")), "fsn1"),
		chromedp.SetValue(chromedp.CSS(tid("regions[0].workers")), "1"),
		chromedp.SetValue(chromedp.CSS(tid("regions[1].name")), ""))
	next(tid("step-state"))
	browser.Do(t, ctx, chromedp.SendKeys(chromedp.CSS(tid("state.bucket")), "openova-demo"),
		chromedp.SendKeys(chromedp.CSS(tid("state.region")), "us-east-1"),
		chromedp.SendKeys(chromedp.CSS(tid("state.endpoint")), b.s3),
		chromedp.SendKeys(chromedp.CSS(tid("state.access_key")), "demo"),
		chromedp.SendKeys(chromedp.CSS(tid("state.secret_key")), "demo-secret"))
	next(tid("step-components"))
	browser.Do(t, ctx, chromedp.Click(chromedp.CSS(tid("next"))), browser.Present(`[data-testid="run"][data-awaiting="approve"]`))
	browser.Screenshot(t, ctx, "review")
	browser.Do(t, ctx, chromedp.Click(chromedp.CSS(tid("approve"))), browser.Present(`[data-testid="run"][data-state="running"]`))
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		state, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('[data-testid="run"]').dataset.state`))
		assert.NoError(ct, err)
		assert.Equal(ct, "succeeded", state)
	}, 15*time.Minute, time.Second, "the run reaches its end: clusters ready, the manager answering")
	require.Contains(t, browser.Text(t, ctx, "main"), "The clusters of demo are ready")
	password := browser.Text(t, ctx, tid("manager-password"))
	address := browser.Text(t, ctx, tid("manager-address"))
	require.Equal(t, "https://127.0.0.1", address, "fsn1's load balancer on 443")
	browser.Screenshot(t, ctx, "clusters-ready")

	mctx := browser.Tab(t)
	_, err := chromedp.Call(mctx, security.SetIgnoreCertificateErrors, security.SetIgnoreCertificateErrorsParams{Ignore: true})
	require.NoError(t, err)
	browser.Do(t, mctx, chromedp.Navigate(address+"/"), browser.Present(tid("login")),
		chromedp.SendKeys(chromedp.CSS(`input[name="user"]`), "admin"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), password),
		chromedp.Click(chromedp.CSS(tid("sign-in"))), browser.Present(tid("user")))
	browser.Screenshot(t, mctx, "manager-signed-in")
	// The manager's Components page: Gitea adopted from the bootstrap,
	// Grafana (mandatory, not substrate) released through Git, Flux and
	// the played Crossplane; both end Healthy. The page is loaded again
	// as a user would: a card follows an install once it has started, and
	// the page may have been read before the manager started it.
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		_, err := chromedp.Run(mctx, chromedp.Navigate(address+"/platforms/demo/components"))
		assert.NoError(ct, err)
		for _, name := range []string{"gitea", "grafana"} {
			s, err := chromedp.Run(mctx, chromedp.Evaluate[string](`document.querySelector('#component-`+name+` [data-testid="status"]')?.textContent.trim() ?? ""`))
			assert.NoError(ct, err)
			assert.Equal(ct, "Healthy", s, name)
		}
	}, 5*time.Minute, 2*time.Second, "the demo's manager installs as a real one would")
	browser.Screenshot(t, mctx, "manager-components")
}
