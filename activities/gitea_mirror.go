package activities

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"code.gitea.io/sdk/gitea"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
)

// EnsureGiteaPushMirrorInput is a push mirror from Source's repository to
// Target's repository of the same organization and name.
type EnsureGiteaPushMirrorInput struct {
	Source, Target GiteaEndpoint
	Org, Repo      string
	// TargetAddress is the target repository's clone URL as the source
	// reaches it (over the WireGuard link); default Target.URL/Org/Repo.git.
	TargetAddress string `json:",omitempty"`
	// Interval is the periodic sync besides sync on commit (default 8h;
	// Gitea's minimum is 10 min).
	Interval time.Duration `json:",omitempty"`
}

// EnsureGiteaPushMirrorResult is the mirror in place (Gitea's remote name),
// whether this call made it, the mirrors it removed (a mismatched,
// failing or duplicate one to the same address), and the commit of main
// that the verifying sync carried.
type EnsureGiteaPushMirrorResult struct {
	// Address is the target address the mirror pushes to.
	Address    string
	RemoteName string
	Created    bool
	Removed    []string `json:",omitempty"`
	Commit     string
}

// mirrorTokenName is the token, held by the target's site admin, with
// which source pushes. One per source: Promote revokes it to fence off the
// old primary.
func mirrorTokenName(source string) string { return "openova-mirror-from-" + source }

// EnsureGiteaPushMirror makes exactly one push mirror from the source's
// repository to the target's address, with sync on commit, that works.
// The mirror's credentials cannot be read back from Gitea, so "works" is
// proven, not assumed: a mirror of the right address and settings is
// synced and kept only if that sync succeeds. A mirror with other
// settings, an earlier error, a failed sync, or a duplicate is removed
// before a new one is made (a crash between Gitea's steps, or one made
// by hand with wrong credentials, is cleaned up this way). A new mirror
// gets a fresh token of the target's site admin (write:repository), which
// goes from one Gitea to the other and never into the history; it too is
// synced at once, and removed again if that fails, so a retry starts clean.
// Push mirrors need no migration (POST /repos/migrate), so no half-made
// repository is left behind by a failure.
func (g *Gitea) EnsureGiteaPushMirror(ctx context.Context, in EnsureGiteaPushMirrorInput) (EnsureGiteaPushMirrorResult, error) {
	src, err := g.client(ctx, in.Source)
	if err != nil {
		return EnsureGiteaPushMirrorResult{}, err
	}
	dst, err := g.client(ctx, in.Target)
	if err != nil {
		return EnsureGiteaPushMirrorResult{}, err
	}
	return g.ensurePushMirror(ctx, src, dst, in)
}

func (g *Gitea) ensurePushMirror(ctx context.Context, src, dst *gitea.Client, in EnsureGiteaPushMirrorInput) (EnsureGiteaPushMirrorResult, error) {
	address := mirrorAddress(in)
	res := EnsureGiteaPushMirrorResult{Address: address}
	interval := in.Interval
	if interval == 0 {
		interval = 8 * time.Hour
	}
	mirrors, err := g.mirrorsTo(src, in.Source, in.Org, in.Repo, address)
	if err != nil {
		return res, err
	}
	var keep *gitea.PushMirrorResponse
	for _, m := range mirrors {
		d, _ := time.ParseDuration(m.Interval)
		if keep == nil && m.SyncONCommit && d == interval && m.LastError == "" {
			keep = m
			continue
		}
		if err := g.removeMirror(src, in.Source, in.Org, in.Repo, m.RemoteName); err != nil {
			return res, err
		}
		res.Removed = append(res.Removed, m.RemoteName)
	}
	if keep != nil {
		heartbeat(ctx, "verifying push mirror "+keep.RemoteName)
		// Twice before giving up on it: one push can fail for a passing
		// reason (the target busy with another push); wrong credentials
		// fail every time.
		var err error
		for range 2 {
			if err = g.syncMirror(ctx, src, in.Source, in.Org, in.Repo, keep.RemoteName); err == nil || !isMirrorFailure(err) {
				break
			}
		}
		if err == nil {
			res.RemoteName = keep.RemoteName
			res.Commit, err = g.head(src, in.Source, in.Org, in.Repo, defaultBranch)
			return res, err
		} else if !isMirrorFailure(err) {
			return res, err
		}
		if activity.IsActivity(ctx) {
			activity.GetLogger(ctx).Warn("replacing a push mirror that does not push", "mirror", keep.RemoteName, "error", err.Error())
		}
		if err := g.removeMirror(src, in.Source, in.Org, in.Repo, keep.RemoteName); err != nil {
			return res, err
		}
		res.Removed = append(res.Removed, keep.RemoteName)
	}

	token, err := g.issueToken(dst, in.Target, mirrorTokenName(in.Source.Region), []string{"write:repository"})
	if err != nil {
		return res, err
	}
	m, resp, err := src.PushMirrors(in.Org, in.Repo, gitea.CreatePushMirrorOption{RemoteAddress: address,
		RemoteUsername: in.Target.Username, RemotePassword: token.Reveal(), SyncONCommit: true, Interval: interval.String()})
	if err != nil {
		if status(resp) == http.StatusBadRequest || status(resp) == http.StatusUnprocessableEntity {
			return res, temporal.NewNonRetryableApplicationError(fmt.Sprintf("gitea %s refuses a push mirror to %s: %s",
				in.Source.Region, redactURL(address), g.scrub(err, in.Source.Password, in.Target.Password, token)), ErrGiteaInvalidInput, nil)
		}
		return res, g.fail(in.Source, "create push mirror to "+redactURL(address), resp, err, in.Target.Password, token)
	}
	heartbeat(ctx, "verifying new push mirror "+m.RemoteName)
	if err := g.syncMirror(ctx, src, in.Source, in.Org, in.Repo, m.RemoteName, in.Target.Password, token); err != nil {
		if rmErr := g.removeMirror(src, in.Source, in.Org, in.Repo, m.RemoteName); rmErr != nil {
			return res, rmErr
		}
		return res, err
	}
	res.RemoteName, res.Created = m.RemoteName, true
	res.Commit, err = g.head(src, in.Source, in.Org, in.Repo, defaultBranch)
	return res, err
}

func mirrorAddress(in EnsureGiteaPushMirrorInput) string {
	if in.TargetAddress != "" {
		return in.TargetAddress
	}
	return strings.TrimSuffix(in.Target.URL, "/") + "/" + in.Org + "/" + in.Repo + ".git"
}

// mirrorsTo lists the repository's push mirrors to address (others, a
// user's own mirror elsewhere, are not this activity's business).
func (g *Gitea) mirrorsTo(c *gitea.Client, ep GiteaEndpoint, org, repo, address string) ([]*gitea.PushMirrorResponse, error) {
	var out []*gitea.PushMirrorResponse
	for page := 1; ; page++ {
		ms, resp, err := c.ListPushMirrors(org, repo, gitea.ListOptions{Page: page, PageSize: 50})
		if err != nil {
			return nil, g.fail(ep, "list push mirrors of "+org+"/"+repo, resp, err)
		}
		for _, m := range ms {
			if sameAddress(m.RemoteAddress, address) {
				out = append(out, m)
			}
		}
		if len(ms) < 50 {
			return out, nil
		}
	}
}

func sameAddress(a, b string) bool {
	norm := func(s string) string { return strings.TrimSuffix(strings.TrimSuffix(s, "/"), ".git") }
	return norm(a) == norm(b)
}

func (g *Gitea) removeMirror(c *gitea.Client, ep GiteaEndpoint, org, repo, remote string) error {
	if resp, err := c.DeletePushMirror(org, repo, remote); err != nil && status(resp) != http.StatusNotFound {
		return g.fail(ep, "delete push mirror "+remote+" of "+org+"/"+repo, resp, err)
	}
	return nil
}

func isMirrorFailure(err error) bool {
	var app *temporal.ApplicationError
	return errors.As(err, &app) && app.Type() == ErrGiteaMirrorFailed
}
