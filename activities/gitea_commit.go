package activities

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"

	"code.gitea.io/sdk/gitea"
)

// repoFiles is one commit's worth of rendered files for the platform
// repository: Owned are the folders the writer owns, whose other files it
// removes.
type repoFiles struct {
	Gitea     GiteaEndpoint
	Org, Repo string
	Files     []SubstrateFile
	Owned     []string
	Message   string
}

// commitFiles makes main hold exactly in.Files (and nothing else in
// in.Owned) in one commit through Gitea's API. It compares git blob
// hashes before it writes, so a second run finds the same content and
// makes no commit (Changed=false, the current head). A commit that races
// another writer is refused by Gitea (a file's hash moved) and retried by
// Temporal, which then compares again.
func (g *Gitea) commitFiles(ctx context.Context, in repoFiles) (CommitSubstrateResult, error) {
	c, err := g.client(ctx, in.Gitea)
	if err != nil {
		return CommitSubstrateResult{}, err
	}
	var res CommitSubstrateResult
	var ops []*gitea.ChangeFileOperation
	for _, f := range in.Files {
		res.Files = append(res.Files, f.Path)
		have, err := g.blobSHA(c, in, f.Path)
		if err != nil {
			return CommitSubstrateResult{}, err
		}
		switch {
		case have == "":
			ops = append(ops, &gitea.ChangeFileOperation{Operation: "create", Path: f.Path, Content: base64.StdEncoding.EncodeToString(f.Content)})
		case have != gitBlobSHA(f.Content):
			ops = append(ops, &gitea.ChangeFileOperation{Operation: "update", Path: f.Path, SHA: have, Content: base64.StdEncoding.EncodeToString(f.Content)})
		}
	}
	for _, dir := range in.Owned {
		entries, resp, err := c.ListContents(in.Org, in.Repo, defaultBranch, dir)
		if status(resp) == http.StatusNotFound {
			continue
		}
		if err != nil {
			return CommitSubstrateResult{}, g.fail(in.Gitea, "list "+dir+" of "+in.Org+"/"+in.Repo, resp, err)
		}
		for _, e := range entries {
			if e.Type == "file" && !slices.Contains(res.Files, e.Path) {
				ops = append(ops, &gitea.ChangeFileOperation{Operation: "delete", Path: e.Path, SHA: e.SHA})
			}
		}
	}
	if len(ops) == 0 {
		res.Commit, err = g.head(c, in.Gitea, in.Org, in.Repo, defaultBranch)
		return res, err
	}
	who := gitea.Identity{Name: "OpenOva", Email: "openova@localhost"}
	out, resp, err := c.ChangeFiles(in.Org, in.Repo, gitea.ChangeFilesOptions{
		Files: ops, Branch: defaultBranch, Author: who, Committer: who, Message: in.Message,
	})
	if err != nil {
		return CommitSubstrateResult{}, g.fail(in.Gitea, "commit to "+in.Org+"/"+in.Repo+" ("+in.Message+")", resp, err)
	}
	if out == nil || out.Commit == nil || out.Commit.SHA == "" {
		return CommitSubstrateResult{}, fmt.Errorf("gitea %s: the commit %q returned no commit", in.Gitea.Region, in.Message)
	}
	res.Commit, res.Changed = out.Commit.SHA, true
	return res, nil
}
