package settings

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"
	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"

	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/netguard"
	"github.com/openova-io/core/worker/schedules"
)

// platformSpecSchema is the Platform CRD's spec schema as generated into
// deploy/base/crds (what the API server checks an apply against).
func platformSpecSchema(t testing.TB) apiextv1.JSONSchemaProps {
	b, err := os.ReadFile("../../deploy/base/crds/openova.io_platforms.yaml")
	require.NoError(t, err)
	var crd apiextv1.CustomResourceDefinition
	require.NoError(t, yaml.Unmarshal(b, &crd))
	return crd.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["spec"]
}

// schemaProblems checks v against the parts of an OpenAPI schema the
// settings touch (type, pattern, length, enum, items, set, required), as
// the API server's validation does; one line per problem.
func schemaProblems(path string, s apiextv1.JSONSchemaProps, v any) []string {
	var out []string
	bad := func(format string, args ...any) { out = append(out, path+": "+fmt.Sprintf(format, args...)) }
	if len(s.Enum) > 0 {
		found := false
		for _, e := range s.Enum {
			var ev any
			_ = json.Unmarshal(e.Raw, &ev)
			found = found || ev == v
		}
		if !found {
			bad("%v is not in the enum", v)
		}
	}
	switch s.Type {
	case "string":
		str, ok := v.(string)
		if !ok {
			bad("not a string")
			break
		}
		if s.MaxLength != nil && int64(utf8.RuneCountInString(str)) > *s.MaxLength {
			bad("longer than %d", *s.MaxLength)
		}
		if s.Pattern != "" && !regexp.MustCompile(s.Pattern).MatchString(str) {
			bad("%q does not match %s", str, s.Pattern)
		}
	case "array":
		list, ok := v.([]any)
		if !ok {
			bad("not an array")
			break
		}
		if s.MaxItems != nil && int64(len(list)) > *s.MaxItems {
			bad("more than %d items", *s.MaxItems)
		}
		if s.MinItems != nil && int64(len(list)) < *s.MinItems {
			bad("fewer than %d items", *s.MinItems)
		}
		seen := map[string]bool{}
		for i, e := range list {
			if s.XListType != nil && *s.XListType == "set" {
				k := fmt.Sprint(e)
				if seen[k] {
					bad("duplicate item %q in a set", k)
				}
				seen[k] = true
			}
			out = append(out, schemaProblems(fmt.Sprintf("%s[%d]", path, i), *s.Items.Schema, e)...)
		}
	case "object":
		obj, ok := v.(map[string]any)
		if !ok {
			bad("not an object")
			break
		}
		for _, r := range s.Required {
			if _, ok := obj[r]; !ok {
				bad("%s is required", r)
			}
		}
		for k, e := range obj {
			if ps, ok := s.Properties[k]; ok {
				out = append(out, schemaProblems(path+"."+k, ps, e)...)
			} else if s.XPreserveUnknownFields == nil {
				bad("unknown field %s", k)
			}
		}
	}
	return out
}

// FuzzSettingsForm posts the settings form and checks it as the handler
// does (the CRD's rules, then the fetch policy). An accepted form must be one the API server accepts when the
// handler applies it (the generated CRD schema, and its CEL rule that
// GitOps needs spec.git), and one the reconciler can schedule upgrades in
// (its maintenance window turns into a Temporal schedule's calendar).
func FuzzSettingsForm(f *testing.F) {
	f.Add("https://catalog.example.com/index.yaml", "on", "Saturday", "02:00", "Europe/Berlin", "GitOps", "https://git.example.com/p.git", "main", "platform", "git-creds")
	f.Add("", "", "", "", "", "Direct", "", "", "", "")
	f.Add("ftp://x", "on", "Caturday,Monday", "25:00", "Mars/Olympus", "Carrier pigeon", "", "a b", "../x", "Git Creds")
	f.Add("https://", "on", "Monday,Monday", "02:00", "UTC", "GitOps", "https://u:p@git.example.com/p.git", "", "/abs", "")
	f.Add("http://index.local/i.yaml", "on", "", "23:59", "", "Direct", "not a url", "", "", "")
	f.Add("", "on", "Monday,Monday", "02:00", "UTC", "Direct", "", "", "", "") // the days are a set in the CRD
	f.Add("https://catalog.example.com/index.yaml", "on", "Sunday", "00:00", "Local", "GitOps", "ssh://git@git.example.com/p.git", "release/1.x", "clusters/eu", "")
	schema := platformSpecSchema(f)
	fieldsOf := map[string]bool{"indexURL": true, "days": true, "start": true, "timeZone": true, "delivery": true, "gitURL": true, "secretName": true, "branch": true, "path": true}
	f.Fuzz(func(t *testing.T, indexURL, window, days, start, timeZone, delivery, gitURL, branch, path, secretName string) {
		allowHTTP := strings.HasPrefix(indexURL, "http://") // as --allow-http-fetch would, for development
		form := url.Values{"indexURL": {indexURL}, "window": {window}, "start": {start}, "timeZone": {timeZone}, "delivery": {delivery},
			"gitURL": {gitURL}, "branch": {branch}, "path": {path}, "secretName": {secretName}}
		if days != "" {
			form["day"] = strings.Split(days, ",")
		}
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(form.Encode()))
		req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationForm)
		fm := readForm(echo.New().NewContext(req, httptest.NewRecorder()))
		fm.check()
		fm.checkFetch(netguard.Policy{AllowHTTP: allowHTTP})
		for field := range fm.Errors {
			require.True(t, fieldsOf[field], "unknown field %q marked: %v", field, fm.Errors)
		}
		if len(fm.Errors) > 0 {
			return
		}
		// What save applies (web/platforms.ApplySettings's spec).
		spec := v1alpha1.PlatformSpec{CatalogIndexURL: fm.IndexURL, Delivery: fm.Delivery}
		if fm.WindowOn {
			spec.MaintenanceWindow = &v1alpha1.MaintenanceWindow{Days: fm.Days, Start: fm.Start, TimeZone: fm.TimeZone}
		}
		if fm.GitURL != "" {
			spec.Git = &v1alpha1.GitRepository{URL: fm.GitURL, Branch: fm.Branch, Path: fm.Path, SecretRef: fm.SecretName}
		}
		b, err := json.Marshal(map[string]any{"catalogIndexURL": spec.CatalogIndexURL, "delivery": spec.Delivery,
			"maintenanceWindow": spec.MaintenanceWindow, "git": spec.Git})
		require.NoError(t, err)
		var applied map[string]any
		require.NoError(t, json.Unmarshal(b, &applied))
		for k, v := range applied {
			if v == nil || v == "" && k == "catalogIndexURL" {
				delete(applied, k) // cleared, not applied
			}
		}
		// Only the fields the settings write are checked.
		sub := apiextv1.JSONSchemaProps{Type: "object", Properties: map[string]apiextv1.JSONSchemaProps{
			"catalogIndexURL": schema.Properties["catalogIndexURL"], "delivery": schema.Properties["delivery"],
			"maintenanceWindow": schema.Properties["maintenanceWindow"], "git": schema.Properties["git"]}}
		require.Empty(t, schemaProblems("spec", sub, applied), "the form accepted what the Platform CRD refuses: %s", b)
		if spec.Delivery == "GitOps" {
			require.NotNil(t, spec.Git, "the CRD's rule: spec.git is required when spec.delivery is GitOps")
		}
		if w := spec.MaintenanceWindow; w != nil {
			sw := schedules.Window{Start: w.Start, TimeZone: w.TimeZone}
			for _, d := range w.Days {
				wd, ok := schedules.Weekday(d)
				require.True(t, ok, "day %q", d)
				sw.Days = append(sw.Days, wd)
			}
			require.NoError(t, sw.Validate(), "the window cannot be scheduled")
		}
	})
}
