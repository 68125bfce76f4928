package activities

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"

	"code.gitea.io/sdk/gitea"
	"go.temporal.io/sdk/temporal"

	"github.com/openova-io/core/catalog"
)

// CommitSubstrateInput names the platform repository to write a region's
// substrate into and the catalog's Crossplane chart.
type CommitSubstrateInput struct {
	// Gitea is the writer's Gitea: the primary's (the standby's repository
	// is its push mirror, which a direct commit would fork).
	Gitea     GiteaEndpoint
	Org, Repo string
	// Region is the region whose folders are written (clusters/<region>/,
	// substrate/<region>/).
	Region string
	// Crossplane is catalog.Catalog.HelmChart("crossplane", version).
	Crossplane catalog.HelmChartRef
	// Wait is the substrate Kustomizations' spec.wait, as ApplyFluxSync's.
	Wait bool `json:",omitempty"`
}

// CommitSubstrateResult is the head of main after the call; Changed says
// whether this call made the commit; Files are the paths written.
type CommitSubstrateResult struct {
	Commit  string
	Changed bool
	Files   []string
}

// CommitSubstrate makes the platform repository hold the region's
// substrate (SubstrateFiles: Crossplane's HelmChart, the XRD, Composition,
// provider-helm and its config): one commit through Gitea's API with every
// file that differs, and any other file in the folders the substrate owns
// removed. It compares git blob hashes before it writes, so a second run
// finds the same content and makes no commit (Changed=false, the current
// head). A commit that races another writer is refused by Gitea (a file's
// hash moved) and retried by Temporal, which then compares again.
func (g *Gitea) CommitSubstrate(ctx context.Context, in CommitSubstrateInput) (CommitSubstrateResult, error) {
	if err := in.validate(); err != nil {
		return CommitSubstrateResult{}, temporal.NewNonRetryableApplicationError("substrate of "+in.Region+": "+err.Error(), ErrInvalidSubstrate, nil)
	}
	files, err := SubstrateFiles(in.Region, in.Crossplane, in.Wait)
	if err != nil {
		return CommitSubstrateResult{}, temporal.NewNonRetryableApplicationError("render the substrate of "+in.Region+": "+err.Error(), ErrInvalidSubstrate, nil)
	}
	return g.commitFiles(ctx, repoFiles{Gitea: in.Gitea, Org: in.Org, Repo: in.Repo, Files: files, Owned: substrateDirs(in.Region),
		Message: fmt.Sprintf("openova: substrate of %s (Crossplane chart %s, deploy/crossplane)", in.Region, in.Crossplane.Version)})
}

func (in CommitSubstrateInput) validate() error {
	switch {
	case in.Region == "" || strings.ContainsAny(in.Region, "/\\. "):
		return fmt.Errorf("region %q is not a plain name", in.Region)
	case in.Org == "" || in.Repo == "":
		return fmt.Errorf("no organization or repository")
	case in.Crossplane.Name == "" || in.Crossplane.Repository == "" || in.Crossplane.Version == "":
		return fmt.Errorf("the catalog's Crossplane chart (name, repository, version) is required")
	}
	return nil
}

// blobSHA is the git blob hash of a file on main ("" when there is none).
func (g *Gitea) blobSHA(c *gitea.Client, in repoFiles, path string) (string, error) {
	got, resp, err := c.GetContents(in.Org, in.Repo, defaultBranch, path)
	switch {
	case status(resp) == http.StatusNotFound:
		return "", nil
	case err != nil:
		return "", g.fail(in.Gitea, "read "+path+" of "+in.Org+"/"+in.Repo, resp, err)
	case got.Type != "file":
		return "", temporal.NewNonRetryableApplicationError(fmt.Sprintf(
			"gitea %s: %s of %s/%s is a %s, not a file: move it away, then Retry", in.Gitea.Region, path, in.Org, in.Repo, got.Type), ErrInvalidSubstrate, nil)
	}
	return got.SHA, nil
}

// gitBlobSHA is git's object hash of a blob (what Gitea reports as a
// file's sha): sha1 of "blob <size>\x00" and the content.
func gitBlobSHA(content []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(content))
	h.Write(content)
	return hex.EncodeToString(h.Sum(nil))
}
