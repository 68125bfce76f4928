package wizard

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/bootstrap"
	"github.com/openova-io/core/cloud"
)

// fuzzLocations stand in for what the credentials check returns (each
// provider's API): the regions step is checked against them.
var fuzzLocations = map[cloud.Provider][]cloud.Location{
	cloud.Hetzner: {
		{Name: "fsn1", City: "Falkenstein", Country: "DE", NetworkZone: "eu-central", Sizes: []string{"cpx31", "cx22"}},
		{Name: "hel1", City: "Helsinki", Country: "FI", NetworkZone: "eu-central", Sizes: []string{"cpx31"}},
		{Name: "ash", City: "Ashburn", Country: "US", NetworkZone: "us-east", NoPrimaryIPs: true},
	},
	cloud.Huawei: {{Name: "eu-west-101", City: "Dublin", Country: "IE", Sizes: []string{"s6.large.2"}}},
	cloud.OCI:    {{Name: "eu-frankfurt-1", City: "Frankfurt", Country: "DE"}},
}

// postForm is the echo context of a form POST with these fields.
func postForm(form url.Values) echo.Context {
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(form.Encode()))
	req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationForm)
	return echo.New().NewContext(req, httptest.NewRecorder())
}

// fields splits a fuzzed string into n fields at '|' (missing ones empty).
func fields(s string, n int) []string {
	f := strings.SplitN(s, "|", n)
	for len(f) < n {
		f = append(f, "")
	}
	return f
}

// stepForm is the form a browser posts for a step, from the fuzzed values.
func stepForm(step, org, domain, provider, creds, apiPort string, regions [2]string, state, components string) url.Values {
	v := url.Values{}
	switch step {
	case StepOrganization:
		v.Set("organization", org)
		v.Set("domain", domain)
	case StepProvider:
		v.Set("provider", provider) // one of the fuzzed ones, in turn
	case StepCredentials:
		// Every provider's fields, as a browser sends only the shown ones.
		for _, p := range cloud.Providers {
			for i, f := range cloud.Credentials[p] {
				v.Set(f.Name, fields(creds, 4)[i])
			}
		}
	case StepRegions:
		v.Set("api_port", apiPort)
		for i, r := range regions {
			f := fields(r, 9)
			p := "regions[" + string(rune('0'+i)) + "]."
			for j, name := range []string{"name", "role", "control_planes", "workers", "control_plane_size", "worker_size", "node_cidr", "pod_cidr", "service_cidr"} {
				v.Set(p+name, f[j])
			}
		}
	case StepState:
		f := fields(state, 7)
		for j, name := range []string{"state.local", "state.bucket", "state.region", "state.endpoint", "state.key_prefix", "state.access_key", "state.secret_key"} {
			v.Set(name, f[j])
		}
	case StepComponents:
		for _, c := range strings.Split(components, ",") {
			v.Add("component", c)
		}
	}
	return v
}

// FuzzWizardSteps posts the wizard's step forms, in the order the fuzzer
// picks (going back to a step, choosing another provider), the way the
// save handler does (read, check, mark done), and renders every step and
// the run page after each post. It holds:
//   - a step's errors name only that step's fields;
//   - no draft a form can produce panics a page (the step, Review's summary);
//   - once every step is done, the Bootstrap workflow's own validation
//     refuses nothing: the wizard lets through only what the workflow runs;
//   - an accepted region is one of the provider's locations, in a size it
//     offers.
func FuzzWizardSteps(f *testing.F) {
	primary := "fsn1|primary|1|2|cpx31|cpx31|10.0.0.0/16|10.42.0.0/16|10.43.0.0/16"
	standby := "hel1|standby|1|2|cpx31|cpx31|10.1.0.0/16|10.44.0.0/16|10.45.0.0/16"
	all := []byte{0, 1, 2, 3, 4, 5}
	f.Add(all, "acme", "acme.example", "hetzner", "tok", "6443", primary, standby, "on||||openova||", "debezium")
	f.Add(all, "acme", "acme.example", "hetzner", "tok", "", primary, "", "|state|us-east-1|https://s3.example.com:9000|openova|AK|SK", "")
	f.Add(all, "Acme ", " ACME.Example", "hetzner", "tok", "6443", primary, primary, "on", "grafana,grafana")
	f.Add([]byte{0, 1, 2, 3, 1, 2, 4, 5}, "acme", "acme.example", "oci", "o|u|f|k", "0", standby, primary, "", "nope")
	f.Add(all, "a", "a.b", "huawei", "", "99999", "ash|primary|3|50|x|y|10.0.0.0/8|10.0.0.0/16|192.168.0.0/16", "", "on", "")
	// Back to another provider after the regions were accepted.
	f.Add([]byte{0, 1, 2, 3, 4, 5, 1, 2, 5}, "acme", "acme.example", "oci,hetzner", "o|u|f|k", "", "eu-frankfurt-1|primary|1|0|a|b|10.0.0.0/16|10.42.0.0/16|10.43.0.0/16", "", "on", "debezium")
	// An empty role: Review's summary upper-cased its first letter.
	f.Add(all, "acme", "acme.example", "hetzner", "tok", "6443", "fsn1||1|2|cpx31|cpx31|10.0.0.0/16|10.42.0.0/16|10.43.0.0/16", standby, "on", "")
	f.Fuzz(func(t *testing.T, ops []byte, org, domain, provider, creds, apiPort, region0, region1, state, components string) {
		if len(ops) > 16 {
			ops = ops[:16]
		}
		d := newDraft()
		providers := strings.Split(provider, ",") // a later post of the step may choose another
		posted := 0
		for _, op := range ops {
			step := steps[int(op)%len(steps)].ID
			if !d.reachable(step) {
				continue // the handler redirects to the first step not done
			}
			p := providers[0]
			if step == StepProvider {
				p = providers[posted%len(providers)]
				posted++
			}
			read(postForm(stepForm(step, org, domain, p, creds, apiPort, [2]string{region0, region1}, state, components)), step, d)
			errs := check(step, d)
			if step == StepCredentials && len(errs) == 0 {
				d.Locations = fuzzLocations[d.Provider] // what the provider's API answered
			}
			for field := range errs {
				require.True(t, stepOf(field) == step || step == StepComponents && field == "component",
					"step %s reports field %s of another step: %v", step, field, errs)
			}
			d.Done[step] = len(errs) == 0
			render(t, step, d, errs)
		}
		if d.next() != "" {
			return
		}
		in := d.input()
		require.Empty(t, in.Validate(), "every step is done, yet the Bootstrap workflow refuses the input")
		require.True(t, orgRE(in.Organization) && in.Organization == strings.ToLower(in.Organization), "organization %q", in.Organization)
		for _, r := range in.Regions {
			require.Empty(t, cloud.CheckRegion(d.Provider, d.Locations, r.Name,
				cloud.Size{Field: "control_plane_size", Name: r.ControlPlaneSize}, cloud.Size{Field: "worker_size", Name: r.WorkerSize}))
			if len(in.Regions) == 2 {
				require.Empty(t, cloud.CheckLinkRegion(d.Provider, d.Locations, r.Name), "a two-region bootstrap's link needs a Primary IP in %s", r.Name)
			}
			for _, c := range []string{r.NodeCIDR, r.PodCIDR, r.ServiceCIDR} {
				_, n, err := net.ParseCIDR(c)
				require.NoError(t, err)
				require.NotNil(t, n.IP.To4())
			}
		}
		_, err := resolve(d.Chosen)
		require.NoError(t, err, "chosen components %v", d.Chosen)
	})
}

// orgRE is the organization rule as the Platform CRD states it for a name.
func orgRE(s string) bool {
	if s == "" || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	return strings.Trim(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == ""
}

// render draws the step's page and the run page with Review's summary,
// as a browser would ask for them next.
func render(t *testing.T, step string, d *Draft, errs Errors) {
	t.Helper()
	vm := stepVM(step, d, errs)
	require.NoError(t, stepPage(vm).Render(context.Background(), io.Discard))
	run := Run{Organization: d.Organization, State: "running", Progress: bootstrap.Progress{Awaiting: bootstrap.SignalApprove}}
	require.NoError(t, runPage(runVM(run, d)).Render(context.Background(), io.Discard))
}
