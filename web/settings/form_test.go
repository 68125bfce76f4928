package settings

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/netguard"
)

func TestSettingsFormChecksEveryField(t *testing.T) {
	ok := Form{Delivery: "Direct"}
	cases := []struct {
		name  string
		edit  func(*Form)
		field string
		msg   string
	}{
		{"index URL not http", func(f *Form) { f.IndexURL = "ftp://x" }, "indexURL", "http(s) URL"},
		{"index URL without host", func(f *Form) { f.IndexURL = "https://" }, "indexURL", "http(s) URL"},
		{"window without days", func(f *Form) { f.WindowOn, f.Start, f.TimeZone = true, "02:00", "UTC" }, "days", "at least one day"},
		{"window day unknown", func(f *Form) { f.WindowOn, f.Days, f.Start, f.TimeZone = true, []string{"Caturday"}, "02:00", "UTC" }, "days", "not a day"},
		{"window start not HH:MM", func(f *Form) { f.WindowOn, f.Days, f.Start, f.TimeZone = true, []string{"Saturday"}, "25:00", "UTC" }, "start", "HH:MM"},
		{"window time zone unknown", func(f *Form) {
			f.WindowOn, f.Days, f.Start, f.TimeZone = true, []string{"Saturday"}, "02:00", "Mars/Olympus"
		}, "timeZone", "not a time zone"},
		{"delivery unknown", func(f *Form) { f.Delivery = "Carrier pigeon" }, "delivery", "Direct or GitOps"},
		{"GitOps without repository", func(f *Form) { f.Delivery = "GitOps" }, "gitURL", "repository's URL"},
		{"GitOps URL with credentials", func(f *Form) { f.Delivery, f.GitURL = "GitOps", "https://u:p@git.example.com/p.git" }, "gitURL", "without credentials"},
		{"Secret name not a name", func(f *Form) {
			f.Delivery, f.GitURL, f.SecretName = "GitOps", "https://git.example.com/p.git", "Git Creds"
		}, "secretName", "not a Secret name"},
		{"branch not a branch", func(f *Form) { f.Delivery, f.GitURL, f.Branch = "GitOps", "https://git.example.com/p.git", "a b" }, "branch", "not a branch"},
		{"path escapes", func(f *Form) { f.Delivery, f.GitURL, f.Path = "GitOps", "https://git.example.com/p.git", "../x" }, "path", "inside the repository"},
		{"index over plain http", func(f *Form) { f.IndexURL = "http://catalog.example.com/index.yaml" }, "indexURL", "give an https URL (openova allows http only with --allow-http-fetch"},
		{"index at the metadata address", func(f *Form) { f.IndexURL = "https://169.254.169.254/latest/meta-data/" }, "indexURL",
			"The manager will not fetch this catalog index: 169.254.169.254 is a link-local address"},
		{"index naming the metadata service", func(f *Form) { f.IndexURL = "https://metadata.google.internal/" }, "indexURL", "names a cloud metadata service"},
		{"repository over plain http", func(f *Form) { f.Delivery, f.GitURL = "GitOps", "http://git.example.com/p.git" }, "gitURL", "give an https URL"},
		{"repository at the metadata address", func(f *Form) { f.Delivery, f.GitURL = "GitOps", "ssh://[fd00:ec2::254]/p.git" }, "gitURL",
			"The manager will not use this repository: fd00:ec2::254 is a cloud metadata address"},
		{"repository URL too long", func(f *Form) { f.Delivery, f.GitURL = "GitOps", "https://git.example.com/"+strings.Repeat("a", 2048) }, "gitURL", "longer than 2048"},
		{"repository kept with Direct delivery", func(f *Form) { f.GitURL = "https://169.254.169.254/p.git" }, "gitURL", "169.254.169.254 is a link-local address"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := ok
			f.Errors = map[string]string{}
			tc.edit(&f)
			f.check()
			f.checkFetch(netguard.Policy{})
			require.Contains(t, f.Errors[tc.field], tc.msg)
			require.Len(t, f.Errors, 1, "only the wrong field is marked: %v", f.Errors)
		})
	}
	good := Form{IndexURL: "https://catalog.example.com/index.yaml", WindowOn: true, Days: []string{"Saturday"}, Start: "02:00",
		TimeZone: "Europe/Berlin", Delivery: "GitOps", GitURL: "https://git.example.com/p.git", Branch: "main", Path: "platform",
		SecretName: "git-creds", Errors: map[string]string{}}
	good.check()
	good.checkFetch(netguard.Policy{})
	require.Empty(t, good.Errors)

	// In development (--allow-http-fetch) servers on loopback over http are fine.
	dev := Form{IndexURL: "http://127.0.0.1:8080/index.yaml", Delivery: "GitOps", GitURL: "http://127.0.0.1:3000/acme/platform.git", Errors: map[string]string{}}
	dev.check()
	dev.checkFetch(netguard.Policy{AllowHTTP: true})
	require.Empty(t, dev.Errors)
}
