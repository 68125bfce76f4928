package audit

import (
	"encoding/json"
	"net/url"
	"strings"

	"github.com/openova-io/core/workflows"
)

// CommitVM links the commit a UI change to a Platform kept in Git made
// (an EditPlatform run): where the change went.
type CommitVM struct {
	Commit, URL, File string
}

// commitOf reads the commit from an EditPlatform run's decoded input and
// result; zero for any other run, or one without a commit. The link is the
// repository's web page of the commit (Gitea, GitHub and GitLab all serve
// <repository>/commit/<hash>), for an http(s) repository only.
func commitOf(typ string, run Run) CommitVM {
	if typ != workflows.EditPlatformWorkflow || run.Result == "" {
		return CommitVM{}
	}
	var in workflows.EditPlatformInput
	var res workflows.EditPlatformResult
	if json.Unmarshal([]byte(run.Input), &in) != nil || json.Unmarshal([]byte(run.Result), &res) != nil || res.Commit == "" {
		return CommitVM{}
	}
	vm := CommitVM{Commit: res.Commit, File: in.File}
	if u, err := url.Parse(in.Git.URL); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.User == nil {
		vm.URL = strings.TrimSuffix(strings.TrimSuffix(u.String(), "/"), ".git") + "/commit/" + url.PathEscape(res.Commit)
	}
	return vm
}

// shortCommit is a commit hash as Git abbreviates it.
func shortCommit(c string) string { return c[:min(len(c), 7)] }
