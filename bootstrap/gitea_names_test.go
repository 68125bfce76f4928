package bootstrap

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestGiteaNames: the names Gitea v1.26.0 accepts and refuses (the cases
// of its own tests, models/repo/repo_test.go TestIsUsableRepoName and
// models/user/user_test.go, plus the limits of its API).
func TestGiteaNames(t *testing.T) {
	for _, tc := range []struct {
		name      string
		org, repo bool // accepted as such
	}{
		{"acme", true, true},
		{"Acme-Corp.eu", true, true},
		{"a", true, true},
		{"9lives", true, true},
		{"a_b-c.d", true, true},
		{"", false, false},
		{"-1_.", false, true},
		{".profile", false, true},
		{"_acme", false, true},
		{"acme-", false, true},
		{"acme.", false, true},
		{"ac--me", false, true},
		{"ac._me", false, true},
		{"ac..me", false, false},
		{"-", false, false},
		{".", false, false},
		{"..", false, false},
		{"ac me", false, false},
		{"acmé", false, false},
		{"ac/me", false, false},
		{"api", false, true},
		{"API", false, true},
		{"explore", false, true},
		{"ghost", false, true},
		{"gitea-actions", false, true},
		{"swagger.v1.json", false, true},
		{"acme.keys", false, true},
		{"acme.PNG", false, true},
		{"platform.git", true, false},
		{"platform.wiki", true, false},
		{"platform.Atom", false, false},
		{"feed.rss", false, false},
		{strings.Repeat("a", 40), true, true},
		{strings.Repeat("a", 41), false, true},
		{strings.Repeat("a", 100), false, true},
		{strings.Repeat("a", 101), false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			orgErr, repoErr := GiteaOrgNameError(tc.name), GiteaRepoNameError(tc.name)
			require.Equal(t, tc.org, orgErr == nil, "organization %q: %v", tc.name, orgErr)
			require.Equal(t, tc.repo, repoErr == nil, "repository %q: %v", tc.name, repoErr)
		})
	}
}
