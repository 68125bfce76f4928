package bootstrap

// Gitea's own rules for organization and repository names, so a name it
// would refuse is answered beside the wizard's field before any plan
// instead of failing the bootstrap's Gitea phase. Copied from Gitea
// v1.26.0 (the version dev/tools/gitea pins): an organization is a user
// name (modules/validation/helpers.go IsValidUsername, models/user/user.go
// reservedUsernames and reservedUserPatterns, the API's MaxSize(40)); a
// repository name is models/repo/repo.go IsUsableRepoName (and the API's
// AlphaDashDot and MaxSize(100)). Both go through models/db/name.go
// IsUsableName, which compares lower-cased. They live in the contract
// package, so the wizard, Input.Validate and the Gitea activities refuse
// the same names.

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

var (
	giteaUsernameValid   = regexp.MustCompile(`^[\da-zA-Z][-.\w]*$`)
	giteaUsernameInvalid = regexp.MustCompile(`[-._]{2,}|[-._]$`)
	giteaRepoValid       = regexp.MustCompile(`^[-.\w]+$`)
	giteaRepoInvalid     = regexp.MustCompile(`[.]{2,}`)

	giteaReservedUsernames = []string{
		".", "..", ".well-known", "api", "metrics", "v2", "assets", "attachments",
		"avatar", "avatars", "repo-avatars", "captcha", "login", "org", "repo", "user",
		"explore", "issues", "pulls", "milestones", "notifications", "favicon.ico",
		"manifest.json", "robots.txt", "sitemap.xml", "ssh_info", "swagger.v1.json",
		"ghost", "gitea-actions",
	}
	giteaReservedUserSuffixes = []string{".keys", ".gpg", ".rss", ".atom", ".png"}
	giteaReservedRepoNames    = []string{".", "..", "-"}
	giteaReservedRepoSuffixes = []string{".wiki", ".git", ".rss", ".atom"}
)

// GiteaOrgNameError is nil if Gitea accepts name as an organization's
// name, else it says why not in words for the user.
func GiteaOrgNameError(name string) error {
	switch {
	case name == "":
		return errors.New("the organization name is empty")
	case utf8.RuneCountInString(name) > 40:
		return errors.New("gitea takes organization names of at most 40 characters")
	case !giteaUsernameValid.MatchString(name) || giteaUsernameInvalid.MatchString(name):
		return errors.New("gitea takes organization names of letters, digits, '-', '_' and '.', starting with a letter or digit, without two of '-', '_', '.' in a row or one at the end")
	}
	return giteaReserved("organization", name, giteaReservedUsernames, giteaReservedUserSuffixes)
}

// GiteaRepoNameError is nil if Gitea accepts name as a repository's name,
// else it says why not in words for the user.
func GiteaRepoNameError(name string) error {
	switch {
	case name == "":
		return errors.New("the repository name is empty")
	case utf8.RuneCountInString(name) > 100:
		return errors.New("gitea takes repository names of at most 100 characters")
	case !giteaRepoValid.MatchString(name) || giteaRepoInvalid.MatchString(name):
		return errors.New("gitea takes repository names of letters, digits, '-', '_' and '.', without '..'")
	}
	return giteaReserved("repository", name, giteaReservedRepoNames, giteaReservedRepoSuffixes)
}

func giteaReserved(kind, name string, names, suffixes []string) error {
	lower := strings.ToLower(name)
	if slices.Contains(names, lower) {
		return fmt.Errorf("%q is reserved by gitea: choose another %s name", name, kind)
	}
	for _, s := range suffixes {
		if strings.HasSuffix(lower, s) {
			return fmt.Errorf("gitea refuses %s names ending in %q", kind, s)
		}
	}
	return nil
}
