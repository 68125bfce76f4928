package main

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/fluxcd/pkg/gittestserver"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/web/audit"
)

// The UI shows no secret: with a canary Git password in the platform's
// repository Secret (GitOps mode) and a canary in a component's Helm values
// (so in the install workflow's input), a signed-in crawl of every page,
// fragment and event stream finds neither, and neither is in the log. The
// same platform then takes bad input on every form and bad URLs.
func TestUIShowsNoSecretAndRefusesBadInput_TestPlaysFluxAndCrossplane(t *testing.T) {
	t.Parallel()
	// playFlux clones with gitAuth, whose password is the Git canary.
	gitCanary, valueCanary := gitAuth.Password, "value-canary-93ab7d"
	srv, err := gittestserver.NewTempGitServer()
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(srv.Root()) })
	srv.Auth(gitAuth.Username, gitCanary).AutoCreate()
	require.NoError(t, srv.StartHTTP())
	t.Cleanup(srv.StopHTTP)
	repoURL := srv.HTTPAddress() + "/acme/platform.git"

	e := startManagerEnv(t, 300*time.Millisecond)
	require.NoError(t, e.c.Create(context.Background(), &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "platform-git", Namespace: e.ns},
		Data:       map[string][]byte{"username": []byte(gitAuth.Username), "password": []byte(gitCanary), "url": []byte(repoURL)},
	}))
	playFlux(t, e.c, e.ns, repoURL)
	e.createPlatform(t, "acme", v1alpha1.PlatformSpec{
		Delivery: v1alpha1.DeliveryGitOps,
		Git:      &v1alpha1.GitRepository{URL: repoURL, Branch: "main", Path: "platform", SecretRef: "platform-git"},
		Components: []v1alpha1.ComponentRef{{Name: "cnpg", Version: "v1.29.1",
			Values: &apiextensionsv1.JSON{Raw: []byte(`{"superuser":{"password":"` + valueCanary + `"}}`)}}},
	})
	e.waitCondition(t, "acme", v1alpha1.ConditionReady, metav1.ConditionTrue, 2*time.Minute)

	ui := signInHTTP(t, e.proc)
	pages := ui.crawl(400, "/", "/platforms/acme/components?installed=0")
	for _, p := range []string{"/platforms/acme/settings", "/platforms/acme/components/mongodb/install",
		"/audit/operation?id=install%2Facme%2Fcnpg&run=", "/audit/operation?id=release%2Facme%2Fcnpg"} {
		require.True(t, strings.Contains(strings.Join(keys(pages), " "), p), "the crawl reached %s", p)
	}
	var sawInput bool
	for path, body := range pages {
		if !strings.HasPrefix(path, "/operations/stream") {
			requireNoInline(t, path, body)
		}
		require.NotContains(t, body, gitCanary, "the Git password is on %s", path)
		require.NotContains(t, body, valueCanary, "the Helm value is on %s", path)
		if doc, err := goquery.NewDocumentFromReader(strings.NewReader(body)); err == nil {
			sawInput = sawInput || strings.Contains(doc.Find(`[data-testid="operation-input"]`).Text(), `"Values": "`+audit.Masked+`"`)
		}
	}
	require.True(t, sawInput, "an install's input was shown (with its values masked)")
	for _, frag := range []string{"component-list", "install-dialog"} {
		_, body := ui.get("/platforms/acme/components?installed=0", "HX-Request", "true", "HX-Target", frag)
		require.NotContains(t, body, gitCanary)
		require.NotContains(t, body, valueCanary)
	}
	require.NotContains(t, e.proc.log(), gitCanary)
	require.NotContains(t, e.proc.log(), valueCanary)

	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		assert.EqualValues(ct, 1, e.platform(ct, "acme").Status.UpgradesAvailable)
	}, time.Minute, 200*time.Millisecond, "cnpg v1.30.0 is never offered")
	t.Run("bad input", func(t *testing.T) { badInput(t, ui) })
}

// requireNoInline: no inline script, style or event handler, which the
// Content-Security-Policy would block.
func requireNoInline(t *testing.T, path, html string) {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(html))
	require.NoError(t, err)
	require.Zero(t, doc.Find("style").Length(), "<style> on %s", path)
	require.Zero(t, doc.Find("[style]").Length(), "a style attribute on %s", path)
	doc.Find("script").Each(func(_ int, s *goquery.Selection) {
		_, ok := s.Attr("src")
		require.True(t, ok, "an inline <script> on %s", path)
	})
	doc.Find("*").Each(func(_ int, s *goquery.Selection) {
		for _, a := range s.Nodes[0].Attr {
			require.False(t, strings.HasPrefix(a.Key, "on") || strings.HasPrefix(a.Key, "hx-on"), "inline handler %s on %s", a.Key, path)
		}
	})
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// badInput sends every form a bad value: each answers 422 with the
// message beside the field and what was typed kept, and bad URLs are 404
// pages.
func badInput(t *testing.T, ui *uiClient) {
	forms := []struct {
		name, path string
		form       url.Values
		field      string // the input that must keep its value
		kept       string
		msg        string
	}{
		{"settings: index URL", "/platforms/acme/settings", url.Values{"indexURL": {"ftp://nope"}, "delivery": {"Direct"}}, "indexURL", "ftp://nope", "http(s) URL"},
		{"settings: time zone", "/platforms/acme/settings", url.Values{"window": {"on"}, "day": {"Saturday"}, "start": {"02:00"}, "timeZone": {"Mars/Olympus"}, "delivery": {"Direct"}}, "timeZone", "Mars/Olympus", "not a time zone"},
		{"settings: start", "/platforms/acme/settings", url.Values{"window": {"on"}, "day": {"Saturday"}, "start": {"2am"}, "timeZone": {"UTC"}, "delivery": {"Direct"}}, "start", "2am", "HH:MM"},
		{"settings: GitOps URL", "/platforms/acme/settings", url.Values{"delivery": {"GitOps"}, "gitURL": {"git@host:x"}}, "gitURL", "git@host:x", "repository's URL"},
		{"settings: Secret name", "/platforms/acme/settings", url.Values{"delivery": {"GitOps"}, "gitURL": {"https://git.example.com/p.git"}, "secretName": {"Bad Name"}}, "secretName", "Bad Name", "not a Secret name"},
		{"upgrade: time in the past", "/platforms/acme/upgrades/cnpg", url.Values{"to": {"v1.30.0"}, "action": {"at"}, "at": {"2020-01-01T02:00"}, "zone": {"UTC"}}, "at", "2020-01-01T02:00", "has passed"},
		{"upgrade: time zone", "/platforms/acme/upgrades/cnpg", url.Values{"to": {"v1.30.0"}, "action": {"at"}, "at": {"2030-01-01T02:00"}, "zone": {"Atlantis"}}, "zone", "Atlantis", "not a time zone"},
		{"upgrade: unknown version", "/platforms/acme/upgrades/cnpg", url.Values{"to": {"v9.9.9"}, "action": {"now"}}, "at", "", "not in the catalog"},
		{"login: wrong password", "/login", url.Values{"user": {"admin"}, "password": {"nope"}}, "user", "admin", "Wrong user name or password"},
	}
	for _, f := range forms {
		t.Run(f.name, func(t *testing.T) {
			resp, body := ui.post(f.path, f.form)
			if f.path == "/login" {
				require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
			} else {
				require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode, body)
			}
			doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
			require.NoError(t, err)
			in := doc.Find(`input[name="` + f.field + `"]`)
			require.Equal(t, 1, in.Length(), "the field %s is on the page", f.field)
			v, _ := in.Attr("value")
			require.Equal(t, f.kept, v, "what was typed is kept")
			errs := doc.Find(`[data-testid="field-error"]`)
			require.Equal(t, 1, errs.Length(), "one message, for the wrong field")
			if f.msg != "" {
				require.Contains(t, errs.Text(), f.msg)
			}
			require.NotContains(t, body, "goroutine")
		})
	}
	for _, path := range []string{"/platforms/nope/", "/platforms/nope/components", "/platforms/acme/components/nope/install",
		"/audit/operation?id=nope/nope", "/platforms/acme/nope"} {
		t.Run("404 "+path, func(t *testing.T) {
			resp, body := ui.get(path)
			require.Equal(t, http.StatusNotFound, resp.StatusCode, body)
			require.Contains(t, body, `data-testid="problem"`)
			require.NotContains(t, body, "goroutine")
		})
	}
	resp, body := ui.post("/platforms/acme/upgrades/nope", url.Values{"to": {"v1.0.0"}, "action": {"now"}})
	require.Equal(t, http.StatusNotFound, resp.StatusCode, body)
	resp, body = ui.post("/platforms/acme/components/mongodb/install", url.Values{"optional": {"grafana"}})
	require.Equal(t, http.StatusBadRequest, resp.StatusCode, "an optional the component does not offer is refused: %s", body)
	resp, _ = ui.get("/audit?component=Not+A+Name&since=yesterday")
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
}
