package settings

import (
	"testing"

	"github.com/stretchr/testify/require"
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
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := ok
			f.Errors = map[string]string{}
			tc.edit(&f)
			f.check()
			require.Contains(t, f.Errors[tc.field], tc.msg)
			require.Len(t, f.Errors, 1, "only the wrong field is marked: %v", f.Errors)
		})
	}
	good := Form{IndexURL: "https://catalog.example.com/index.yaml", WindowOn: true, Days: []string{"Saturday"}, Start: "02:00",
		TimeZone: "Europe/Berlin", Delivery: "GitOps", GitURL: "https://git.example.com/p.git", Branch: "main", Path: "platform",
		SecretName: "git-creds", Errors: map[string]string{}}
	good.check()
	require.Empty(t, good.Errors)
}
