package activities

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	"go.temporal.io/sdk/activity"
)

// PromoteGiteaInput turns the mirror of Org/Repo around: Standby becomes
// the writer and pushes to Primary.
type PromoteGiteaInput struct {
	Primary, Standby GiteaEndpoint
	Org, Repo        string
	// StandbyAddress is the standby repository's clone URL as the primary
	// reaches it (the mirror to remove); default Standby.URL/Org/Repo.git.
	StandbyAddress string `json:",omitempty"`
	// PrimaryAddress is the primary repository's clone URL as the standby
	// reaches it (the new mirror); default Primary.URL/Org/Repo.git.
	PrimaryAddress string `json:",omitempty"`
}

// PromoteGiteaResult says what the promotion did. With the primary
// unreachable only the fence is up: PrimaryReached is false, no mirror
// was removed or made, and the workflow runs EnsureGiteaPushMirror
// (standby to primary) once the old primary answers again.
type PromoteGiteaResult struct {
	// Fenced: the token the primary pushed with is revoked on the standby.
	Fenced         bool
	PrimaryReached bool
	// RemovedFromPrimary are the primary's push mirrors to the standby it removed.
	RemovedFromPrimary []string `json:",omitempty"`
	// Mirror is the standby's push mirror to the primary (if reached).
	Mirror EnsureGiteaPushMirrorResult
}

// primaryProbe bounds how long Promote waits for the old primary to
// answer before it goes on without it.
const primaryProbe = 10 * time.Second

// PromoteGitea makes the standby the writer. A push mirror pushes with
// --mirror --force, so an old primary that kept its mirror would overwrite
// what is written on the standby after the promotion. Hence, in order:
//  1. Fence: on the standby, delete the token the primary's mirror pushes
//     with (openova-mirror-from-<primary>). This needs only the standby,
//     so it holds even when the primary is down now and comes back later
//     with its mirror still configured: its pushes are refused.
//  2. If the primary answers (within 10 s; a transport error or a 5xx
//     counts as not answering), remove its push mirrors to the standby.
//  3. Then ensure the standby's push mirror to the primary (as
//     EnsureGiteaPushMirror does: verified by a sync, which also carries
//     the standby's state to the primary).
//
// An unreachable primary does not fail the promotion (a region that is
// down is the reason to promote): the result says so. Commits written on
// the old primary after the fence (by users who still reach it) are not
// carried anywhere, and the reversed mirror, once made, overwrites them:
// the standby's history is the one that counts from the promotion on. Every step is
// idempotent, so running it twice changes nothing the second time.
// Refused credentials on either side are non-retryable.
func (g *Gitea) PromoteGitea(ctx context.Context, in PromoteGiteaInput) (PromoteGiteaResult, error) {
	var res PromoteGiteaResult
	standby, err := g.client(ctx, in.Standby)
	if err != nil {
		return res, err
	}
	if err := g.deleteToken(standby, in.Standby, mirrorTokenName(in.Primary.Region)); err != nil {
		return res, err
	}
	res.Fenced = true

	probeCtx, cancel := context.WithTimeout(ctx, primaryProbe)
	probe, err := g.client(probeCtx, in.Primary)
	if err != nil {
		cancel()
		return res, err
	}
	_, resp, err := probe.ServerVersion()
	cancel()
	if err != nil && (resp == nil || resp.StatusCode >= http.StatusInternalServerError || isUnreachable(err)) {
		if activity.IsActivity(ctx) {
			activity.GetLogger(ctx).Warn("promoting without the old primary: it does not answer; its pushes are fenced off",
				"primary", in.Primary.Region, "error", g.scrub(err, in.Primary.Password))
		}
		return res, nil
	}
	if err != nil {
		return res, g.fail(in.Primary, "read the version", resp, err)
	}
	res.PrimaryReached = true

	primary, err := g.client(ctx, in.Primary)
	if err != nil {
		return res, err
	}
	toStandby := EnsureGiteaPushMirrorInput{Source: in.Primary, Target: in.Standby, Org: in.Org, Repo: in.Repo, TargetAddress: in.StandbyAddress}
	old, err := g.mirrorsTo(primary, in.Primary, in.Org, in.Repo, mirrorAddress(toStandby))
	if err != nil {
		return res, err
	}
	for _, m := range old {
		if err := g.removeMirror(primary, in.Primary, in.Org, in.Repo, m.RemoteName); err != nil {
			return res, err
		}
		res.RemovedFromPrimary = append(res.RemovedFromPrimary, m.RemoteName)
	}

	res.Mirror, err = g.ensurePushMirror(ctx, standby, primary, EnsureGiteaPushMirrorInput{
		Source: in.Standby, Target: in.Primary, Org: in.Org, Repo: in.Repo, TargetAddress: in.PrimaryAddress})
	return res, err
}

// isUnreachable: the request never got an answer (refused, timed out,
// no route, no such host).
func isUnreachable(err error) bool {
	var ne net.Error
	var oe *net.OpError
	return errors.As(err, &ne) || errors.As(err, &oe) || errors.Is(err, context.DeadlineExceeded)
}
