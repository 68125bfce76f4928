package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/openova-io/core/crds/v1alpha1"
)

// The running manager's Settings page refuses a catalog index or a Git
// repository at the cloud metadata address (over http, over https, by
// name), with the reason beside the field and nothing saved; kubectl is
// refused by the CRD, and a Platform that names one in a spelling the CRD
// does not know stalls with the reason instead of being fetched. The manager runs with --allow-http-fetch (the test's
// servers are http on loopback): the metadata refusal holds even so.
func TestSettingsRefuseMetadataAddresses(t *testing.T) {
	t.Parallel() // its own processes, ports, data dir and namespace
	e := startManagerEnv(t, 0)
	e.createPlatform(t, "acme", v1alpha1.PlatformSpec{})
	ui := signInHTTP(t, e.proc)

	cases := []struct {
		name, field string
		form        url.Values
		want        string
	}{
		{"index over http", "indexURL", url.Values{"indexURL": {"http://169.254.169.254/"}, "delivery": {"Direct"}}, "169.254.169.254 is a link-local address"},
		{"index over https", "indexURL", url.Values{"indexURL": {"https://169.254.169.254/latest/meta-data/"}, "delivery": {"Direct"}}, "169.254.169.254 is a link-local address"},
		{"index by metadata name", "indexURL", url.Values{"indexURL": {"https://metadata.google.internal/computeMetadata/v1/"}, "delivery": {"Direct"}}, "names a cloud metadata service"},
		{"index at Alibaba's metadata", "indexURL", url.Values{"indexURL": {"https://100.100.100.200/latest/meta-data/"}, "delivery": {"Direct"}}, "cloud metadata address"},
		{"Git repository", "gitURL", url.Values{"delivery": {"GitOps"}, "gitURL": {"https://169.254.169.254/acme/platform.git"}}, "169.254.169.254 is a link-local address"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := ui.post("/platforms/acme/settings", tc.form)
			require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode, body)
			doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
			require.NoError(t, err)
			errs := doc.Find(`[data-testid="field-error"]`)
			require.Equal(t, 1, errs.Length(), "one message, for the wrong field")
			require.Contains(t, errs.Text(), tc.want)
			v, _ := doc.Find(`input[name="` + tc.field + `"]`).Attr("value")
			require.Equal(t, tc.form.Get(tc.field), v, "what was typed is kept")
			p := e.platform(t, "acme")
			require.Empty(t, p.Spec.CatalogIndexURL, "nothing saved")
			require.Nil(t, p.Spec.Git, "nothing saved")
		})
	}

	// Through kubectl the API server refuses the metadata address (the
	// CRD's rule); a spelling the rule does not know (the metadata address
	// inside a NAT64 address) reaches the manager, which refuses to fetch
	// it and says why on the Platform.
	p := e.platform(t, "acme")
	p.Spec.CatalogIndexURL = "https://169.254.169.254/latest/meta-data/"
	require.ErrorContains(t, e.c.Update(context.Background(), &p), "points at a link-local or cloud metadata address")
	e.update(t, "acme", func(p *v1alpha1.Platform) {
		p.Spec.CatalogIndexURL = "https://[64:ff9b::a9fe:a9fe]/latest/meta-data/"
		p.Spec.Components = []v1alpha1.ComponentRef{{Name: "cnpg"}}
	})
	stalled := e.waitCondition(t, "acme", v1alpha1.ConditionStalled, metav1.ConditionTrue, time.Minute)
	require.Contains(t, stalled.Message, "169.254.169.254 is a link-local address")
}
