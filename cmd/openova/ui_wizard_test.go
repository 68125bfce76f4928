package main

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/openova-io/core/dev/fakehcloud"
)

// fieldErrors are the messages beside the fields of a page, by field.
func fieldErrors(t *testing.T, body string) map[string]string {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	require.NoError(t, err)
	out := map[string]string{}
	doc.Find(`[data-testid="field-error"]`).Each(func(_ int, s *goquery.Selection) {
		out[s.AttrOr("data-field", "")] = s.Text()
	})
	return out
}

// regionsForm is a valid regions step, edited by the case.
func regionsForm(port int) url.Values {
	v := url.Values{"api_port": {strconv.Itoa(port)}}
	for i, r := range []struct{ name, role, node, pod, svc string }{
		{"fsn1", "primary", "10.0.0.0/16", "10.42.0.0/16", "10.43.0.0/16"},
		{"hel1", "standby", "10.1.0.0/16", "10.44.0.0/16", "10.45.0.0/16"},
	} {
		p := "regions[" + strconv.Itoa(i) + "]."
		v.Set(p+"name", r.name)
		v.Set(p+"role", r.role)
		v.Set(p+"control_planes", "1")
		v.Set(p+"workers", "1")
		v.Set(p+"control_plane_size", "cpx31")
		v.Set(p+"worker_size", "cpx21")
		v.Set(p+"node_cidr", r.node)
		v.Set(p+"pod_cidr", r.pod)
		v.Set(p+"service_cidr", r.svc)
	}
	return v
}

// Bad input is refused before any plan, each with a message beside the
// field it names, the rest of the form kept: a bad token, an organization
// Gitea would refuse, an unknown region, a location the API offers no
// Primary IP in (the fake, standing in for Hetzner's API, offers none in
// sin), two regions with one name, two primaries, an invalid domain,
// networks that overlap each other or the link's tunnel (with a free one
// suggested). The fake API sees no mutating request and no Bootstrap
// workflow starts.
func TestWizardRefusesBadInputBeforeAnyPlan_FakeHetznerAPI(t *testing.T) {
	cloud := newCloudStandIn(t, fakehcloud.Options{NoPrimaryIPs: []string{"sin"}})
	p := cloud.start(t, t.TempDir())
	c := signInHTTP(t, p)
	refused := func(path string, form url.Values, field, msg string) {
		t.Helper()
		resp, body := c.post(path, form)
		require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode, body)
		errs := fieldErrors(t, body)
		require.Contains(t, errs[field], msg, "beside %s: %v", field, errs)
	}
	accepted := func(path string, form url.Values) {
		t.Helper()
		resp, body := c.post(path, form)
		require.Equal(t, http.StatusOK, resp.StatusCode, body)
		require.Empty(t, fieldErrors(t, body), body)
	}

	refused("/wizard/organization", url.Values{"organization": {"acme"}, "domain": {"acme"}}, "domain", "at least two labels")
	refused("/wizard/organization", url.Values{"organization": {"explore"}, "domain": {"acme.example"}}, "organization", `Gitea would refuse this organization: "explore" is reserved`)
	accepted("/wizard/organization", url.Values{"organization": {"acme"}, "domain": {"acme.example"}})
	accepted("/wizard/provider", url.Values{"provider": {"hetzner"}})
	refused("/wizard/credentials", url.Values{"token": {"short"}}, "token", "64 letters and digits")
	refused("/wizard/credentials", url.Values{"token": {strings.Repeat("x", 64)}}, "token", "refused this token")
	accepted("/wizard/credentials", url.Values{"token": {canaryHetznerToken}})

	cases := []struct {
		name, field, msg string
		edit             func(url.Values)
	}{
		{"unknown region", "regions[1].name", `"ams9" is not a hetzner location`, func(v url.Values) { v.Set("regions[1].name", "ams9") }},
		{"two regions with one name", "regions[1].name", "region fsn1 is chosen twice", func(v url.Values) { v.Set("regions[1].name", "fsn1") }},
		{"two primaries", "regions[1].role", "only one region can be the primary", func(v url.Values) { v.Set("regions[1].role", "primary") }},
		{"no Primary IP in the location", "regions[1].name", "Hetzner offers no Primary IP in sin: pick another location", func(v url.Values) { v.Set("regions[1].name", "sin") }},
		{"overlapping networks", "regions[1].pod_cidr", "region hel1's pod network 10.42.0.0/17 overlaps region fsn1's pod network 10.42.0.0/16", func(v url.Values) { v.Set("regions[1].pod_cidr", "10.42.0.0/17") }},
		{"a free network suggested", "regions[1].pod_cidr", "give hel1 another pod network, such as 10.2.0.0/17", func(v url.Values) { v.Set("regions[1].pod_cidr", "10.42.0.0/17") }},
		{"network over the link's tunnel", "regions[1].service_cidr", "overlaps the link's tunnel network 100.64.255.0/30", func(v url.Values) { v.Set("regions[1].service_cidr", "100.64.0.0/10") }},
		{"size not offered there", "regions[0].worker_size", `size "cx99" cannot be created in fsn1`, func(v url.Values) { v.Set("regions[0].worker_size", "cx99") }},
		{"bad port", "api_port", "between 1 and 65535", func(v url.Values) { v.Set("api_port", "70000") }},
		{"the manager's port", "api_port", "other than 443, where the manager is served", func(v url.Values) { v.Set("api_port", "443") }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			form := regionsForm(cloud.Port)
			tc.edit(form)
			refused("/wizard/regions", form, tc.field, tc.msg)
		})
	}
	accepted("/wizard/regions", regionsForm(cloud.Port))
	refused("/wizard/state", url.Values{"state.bucket": {"acme-state"}, "state.region": {"us-east-1"}, "state.endpoint": {"https://key:secret@s3.example"},
		"state.access_key": {"k"}, "state.secret_key": {"s"}}, "state.endpoint", "without credentials")
	// The bucket is asked on Next (S3 on loopback): one that is not there
	// is refused beside its field, before any plan.
	refused("/wizard/state", url.Values{"state.bucket": {"acme-nope"}, "state.region": {"us-east-1"}, "state.endpoint": {cloud.S3URL},
		"state.access_key": {"k"}, "state.secret_key": {"s"}}, "state.bucket", "has no bucket")

	// The one change that reached the cloud is the credentials check's
	// harmless write: an SSH key labelled for it, made and deleted.
	for _, r := range cloud.API.Requests() {
		require.Equal(t, fakehcloud.KindSSHKey, r.Kind, "no other change reached the cloud: %v", r)
		require.True(t, strings.HasPrefix(r.Name, "openova-credentials-check-"), "%v", r)
	}
	require.NotEmpty(t, cloud.API.Requests(), "the token was checked with a write")
	require.Empty(t, cloud.API.Live(), "nothing is left in the cloud")
	_, body := c.get("/wizard")
	require.NotContains(t, body, `data-testid="run"`, "no bootstrap started")
	runs, err := p.client(t, "").ListWorkflow(t.Context(), &workflowservice.ListWorkflowExecutionsRequest{Query: "WorkflowType = 'Bootstrap'"})
	require.NoError(t, err)
	require.Empty(t, runs.GetExecutions(), "no Bootstrap workflow was started")
	require.NotContains(t, p.log(), canaryHetznerToken)
}

// Without tofu or terraform, openova bootstrap says so in one line at
// start, with what to install, and the wizard shows it before anyone types
// a credential.
func TestBootstrapSaysAtStartWhenNoTofuIsFound(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	p := startOpenova(t, "bootstrap", t.TempDir())
	const want = "neither tofu nor terraform is on PATH: install OpenTofu"
	require.Equal(t, 1, strings.Count(p.log(), want), p.log())
	c := signInHTTP(t, p)
	_, body := c.get("/wizard/organization")
	require.Contains(t, body, want)
}
