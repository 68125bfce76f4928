package settings

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/netguard"
)

// Days of a maintenance window, as the Platform spec names them.
var Days = []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}

var (
	startRE = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
	nameRE  = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	gitRE   = regexp.MustCompile(`^(https?|ssh)://`)
)

// Form is the settings form: what was typed and what was wrong, by field.
type Form struct {
	IndexURL                         string
	Upstream                         bool
	WindowOn                         bool
	Days                             []string
	Start, TimeZone                  string
	Delivery                         string
	GitURL, Branch, Path, SecretName string
	Errors                           map[string]string
}

// formOf is the platform's current settings.
func formOf(p *v1alpha1.Platform) Form {
	f := Form{IndexURL: p.Spec.CatalogIndexURL, Upstream: p.Spec.CheckUpstreamCharts, Delivery: p.Spec.Delivery, Errors: map[string]string{}}
	if f.Delivery == "" {
		f.Delivery = "Direct"
	}
	if w := p.Spec.MaintenanceWindow; w != nil {
		f.WindowOn, f.Days, f.Start, f.TimeZone = true, w.Days, w.Start, w.TimeZone
	}
	if g := p.Spec.Git; g != nil {
		f.GitURL, f.Branch, f.Path, f.SecretName = g.URL, g.Branch, g.Path, g.SecretRef
	}
	return f
}

func readForm(c echo.Context) Form {
	v := func(k string) string { return strings.TrimSpace(c.FormValue(k)) }
	form, _ := c.FormParams()
	return Form{IndexURL: v("indexURL"), Upstream: v("upstream") == "on", WindowOn: v("window") == "on", Days: form["day"], Start: v("start"), TimeZone: v("timeZone"),
		Delivery: v("delivery"), GitURL: v("gitURL"), Branch: v("branch"), Path: v("path"), SecretName: v("secretName"),
		Errors: map[string]string{}}
}

// check applies the Platform CRD's rules (and what the CRD cannot check:
// the time zone, a URL that parses) field by field.
func (f *Form) check() {
	if f.IndexURL != "" {
		if u, err := url.Parse(f.IndexURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(f.IndexURL) > 2048 {
			f.Errors["indexURL"] = "Give an http(s) URL of a catalog index, e.g. https://catalog.example.com/index.yaml, or leave it empty."
		}
	}
	if f.WindowOn {
		if len(f.Days) == 0 {
			f.Errors["days"] = "Choose at least one day."
		}
		for i, d := range f.Days {
			if !contains(Days, d) {
				f.Errors["days"] = fmt.Sprintf("%q is not a day of the week.", d)
			} else if contains(f.Days[:i], d) { // the CRD's list is a set
				f.Errors["days"] = fmt.Sprintf("%s is chosen twice.", d)
			}
		}
		if !startRE.MatchString(f.Start) {
			f.Errors["start"] = "Give the time the window opens as HH:MM (24 h), e.g. 02:00."
		}
		if _, err := time.LoadLocation(f.TimeZone); err != nil || len(f.TimeZone) > 64 {
			f.Errors["timeZone"] = fmt.Sprintf("%q is not a time zone: use an IANA name such as Europe/Berlin, or UTC.", f.TimeZone)
		}
	}
	switch f.Delivery {
	case "Direct", "GitOps":
	default:
		f.Errors["delivery"] = "Choose Direct or GitOps."
	}
	// A repository given with Direct delivery is kept in the spec too, so
	// it is checked the same way.
	if f.Delivery == "GitOps" || f.GitURL != "" {
		if !gitRE.MatchString(f.GitURL) {
			f.Errors["gitURL"] = "GitOps needs the platform repository's URL: https://, http:// or ssh://."
		} else if u, err := url.Parse(f.GitURL); err != nil || u.User != nil {
			f.Errors["gitURL"] = "Give the URL without credentials: name the Secret that holds them below."
		} else if len(f.GitURL) > 2048 {
			f.Errors["gitURL"] = "The repository URL is longer than 2048 characters (the Platform's limit): give a shorter one."
		}
		if f.SecretName != "" && (!nameRE.MatchString(f.SecretName) || len(f.SecretName) > 253) {
			f.Errors["secretName"] = fmt.Sprintf("%q is not a Secret name (lower-case letters, digits and '-').", f.SecretName)
		}
		if strings.ContainsAny(f.Branch, " ~^:?*[\\") {
			f.Errors["branch"] = fmt.Sprintf("%q is not a branch name.", f.Branch)
		}
		if strings.HasPrefix(f.Path, "/") || strings.Contains(f.Path, "..") {
			f.Errors["path"] = "Give a path inside the repository, e.g. platform."
		}
	}
}

// checkFetch refuses, on fields check found well-formed, a catalog index
// or a repository the manager would not fetch from under its fetch
// policy (plain http without --allow-http-fetch, a link-local or cloud
// metadata address): better said here than as a stalled platform later.
func (f *Form) checkFetch(fetch netguard.Policy) {
	if f.IndexURL != "" && f.Errors["indexURL"] == "" {
		if err := fetch.CheckURL(f.IndexURL); err != nil {
			f.Errors["indexURL"] = "The manager will not fetch this catalog index: " + err.Error() + "."
		}
	}
	if (f.Delivery == "GitOps" || f.GitURL != "") && f.Errors["gitURL"] == "" {
		if err := fetch.CheckURL(f.GitURL, "ssh"); err != nil {
			f.Errors["gitURL"] = "The manager will not use this repository: " + err.Error() + "."
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
