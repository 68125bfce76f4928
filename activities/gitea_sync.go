package activities

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"code.gitea.io/sdk/gitea"
	"go.temporal.io/sdk/temporal"

	"github.com/openova-io/core/secret"
)

// SyncGiteaPushMirrorInput names the repository whose push mirror to
// TargetAddress (EnsureGiteaPushMirrorResult.Address) should push now.
type SyncGiteaPushMirrorInput struct {
	Source        GiteaEndpoint
	Org, Repo     string
	TargetAddress string
}

// SyncGiteaPushMirrorResult is the mirror that synced and the commit of
// main it carried.
type SyncGiteaPushMirrorResult struct {
	RemoteName string
	Commit     string
}

// SyncGiteaPushMirror pushes the repository to its mirror now (Gitea's
// periodic sync is 10 min at the least) and waits, within MirrorWait, for
// the outcome: a failed push is ErrGiteaMirrorFailed (retryable), no mirror
// at all is ErrGiteaMirrorMissing. Running it twice pushes twice, which
// changes nothing the second time.
func (g *Gitea) SyncGiteaPushMirror(ctx context.Context, in SyncGiteaPushMirrorInput) (SyncGiteaPushMirrorResult, error) {
	c, err := g.client(ctx, in.Source)
	if err != nil {
		return SyncGiteaPushMirrorResult{}, err
	}
	mirrors, err := g.mirrorsTo(c, in.Source, in.Org, in.Repo, in.TargetAddress)
	if err != nil {
		return SyncGiteaPushMirrorResult{}, err
	}
	if len(mirrors) == 0 {
		return SyncGiteaPushMirrorResult{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("gitea %s: %s/%s has no push mirror to %s", in.Source.Region, in.Org, in.Repo, redactURL(in.TargetAddress)), ErrGiteaMirrorMissing, nil)
	}
	if err := g.syncMirror(ctx, c, in.Source, in.Org, in.Repo, mirrors[0].RemoteName); err != nil {
		return SyncGiteaPushMirrorResult{}, err
	}
	head, err := g.head(c, in.Source, in.Org, in.Repo, defaultBranch)
	return SyncGiteaPushMirrorResult{RemoteName: mirrors[0].RemoteName, Commit: head}, err
}

// syncMirror asks Gitea to push the repository's mirrors and waits until
// this mirror records a sync newer than the one it had, then reports its
// error if it has one. Gitea records the time to the second, so the
// trigger waits until Gitea's own clock (its answers' Date header) has
// passed the previous sync's second: a newer time can then only be this
// sync's (or a concurrent one's, equally telling). Gitea's clock, not
// this machine's: the bootstrap's laptop may be minutes off the cluster's,
// which would make the wait endless (behind) or miss a sync in the same
// second (ahead).
func (g *Gitea) syncMirror(ctx context.Context, c *gitea.Client, ep GiteaEndpoint, org, repo, remote string, secrets ...secret.Text) error {
	m, resp, err := c.GetPushMirrorByRemoteName(org, repo, remote)
	if err != nil {
		return g.fail(ep, "read push mirror "+remote, resp, err, secrets...)
	}
	prev := lastSync(m)
	tick := time.NewTicker(g.poll())
	defer tick.Stop()
	deadline := time.Now().Add(g.mirrorWait())
	for !prev.IsZero() && !serverTime(resp).After(prev) {
		if time.Now().After(deadline) {
			return temporal.NewApplicationError(fmt.Sprintf("gitea %s: its clock did not pass the last sync of push mirror %s (%s) within %s",
				ep.Region, remote, prev.Format(time.RFC3339), g.mirrorWait()), ErrGiteaMirrorFailed)
		}
		heartbeat(ctx, "waiting for gitea's clock to pass the last sync of push mirror "+remote)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
		if _, resp, err = c.ServerVersion(); err != nil {
			return g.fail(ep, "read the version", resp, err, secrets...)
		}
	}
	// Gitea (1.26) pushes every mirror of the repository within this call
	// and answers 500 at the first that fails, leaving the rest unsynced;
	// a call that times out may still be pushing. So the answer only
	// tells when to look: the mirror's own record tells the outcome.
	resp, trigger := c.TriggerPushMirrorsSync(org, repo)
	answered := status(resp) != 0
	if trigger != nil && answered && status(resp) != http.StatusInternalServerError {
		return g.fail(ep, "trigger the push mirrors of "+org+"/"+repo, resp, trigger, secrets...)
	}
	deadline = time.Now().Add(g.mirrorWait())
	for {
		heartbeat(ctx, "waiting for push mirror "+remote)
		m, resp, err := c.GetPushMirrorByRemoteName(org, repo, remote)
		if err != nil {
			return g.fail(ep, "read push mirror "+remote, resp, err, secrets...)
		}
		where := fmt.Sprintf("gitea %s: push mirror %s of %s/%s to %s", ep.Region, remote, org, repo, redactURL(m.RemoteAddress))
		switch {
		case lastSync(m).After(prev) && m.LastError == "":
			return nil
		case lastSync(m).After(prev):
			msg := g.scrub(errors.New(m.LastError), append(secrets, ep.Password)...)
			return temporal.NewApplicationError(where+" failed: "+msg, ErrGiteaMirrorFailed)
		case trigger != nil && answered:
			return temporal.NewApplicationError(where+" was not pushed: "+g.scrub(trigger, append(secrets, ep.Password)...), ErrGiteaMirrorFailed)
		case time.Now().After(deadline):
			return temporal.NewApplicationError(fmt.Sprintf("%s did not sync within %s", where, g.mirrorWait()), ErrGiteaMirrorFailed)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// serverTime is Gitea's clock when it answered (the Date header, to the
// second). An answer without one (a proxy that drops it) falls back to
// this machine's clock, which is right unless the two clocks differ.
func serverTime(resp *gitea.Response) time.Time {
	if resp != nil && resp.Response != nil {
		if t, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
			return t
		}
	}
	return time.Now()
}

// lastSync is when the mirror last pushed (with or without success); zero if never.
func lastSync(m *gitea.PushMirrorResponse) time.Time {
	t, err := time.Parse(time.RFC3339, m.LastUpdate)
	if err != nil {
		return time.Time{}
	}
	return t
}
