package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/openova-io/core/activities"
)

// PromoteInput makes Standby's Gitea the writer of the organization's
// platform repository, in place of Primary's (Journey 1's bidirectional
// mirroring: the direction turns when the standby takes over).
type PromoteInput struct {
	Organization     string
	Primary, Standby activities.GiteaEndpoint
	// Repo is the repository (default PlatformRepository).
	Repo string `json:",omitempty"`
	// StandbyAddress and PrimaryAddress are each repository's clone URL
	// as the other region reaches it over the link (the gateways' private
	// addresses and the Gitea NodePort); default each endpoint's URL.
	StandbyAddress string `json:",omitempty"`
	PrimaryAddress string `json:",omitempty"`
	// LookAgain is how often a promotion whose old primary did not
	// answer looks for it again (default 1 min), and GiveUp how long it
	// keeps looking (default 6 h); the fence holds meanwhile.
	LookAgain time.Duration `json:",omitempty"`
	GiveUp    time.Duration `json:",omitempty"`
}

// PromoteResult is the turned mirror: the standby's push mirror to the
// old primary and the old primary's mirrors it removed.
type PromoteResult struct {
	Mirror  activities.EnsureGiteaPushMirrorResult
	Removed []string `json:",omitempty"`
	// Looks is how many times the old primary was looked for.
	Looks int
}

// Defaults of PromoteInput.
const (
	defaultPromoteLookAgain = time.Minute
	defaultPromoteGiveUp    = 6 * time.Hour
)

// Promote turns the push mirror around. Its first step fences the old
// primary off at once (the standby revokes the token it pushed with), so
// a primary that comes back cannot overwrite what is written on the
// standby from now on; while the old primary does not answer, it looks
// again every LookAgain, and once it answers its mirrors to the standby
// are removed and the standby's mirror to it is made and proven by a
// sync (activities.PromoteGitea, idempotent). Its input holds both
// Giteas' admin credentials, so it is started by code that encrypts
// payloads (openova's client), never with them typed into a command line;
// the manager will start it once it holds them (issue 19).
func Promote(ctx workflow.Context, in PromoteInput) (PromoteResult, error) {
	p, err := newPromote(in)
	if err != nil {
		return PromoteResult{}, err
	}
	if err := p.progress.serve(ctx); err != nil {
		return PromoteResult{}, err
	}
	return p.run(cancellable(ctx))
}

type promote struct {
	in       PromoteInput
	progress Progress
	turn     step
}

func newPromote(in PromoteInput) (*promote, error) {
	if in.Repo == "" {
		in.Repo = PlatformRepository
	}
	in.LookAgain = orDefault(in.LookAgain, defaultPromoteLookAgain)
	in.GiveUp = orDefault(in.GiveUp, defaultPromoteGiveUp)
	switch {
	case in.Organization == "":
		return nil, invalidPromote("the organization is required")
	case in.Primary.Region == "" || in.Standby.Region == "" || in.Primary.URL == "" || in.Standby.URL == "":
		return nil, invalidPromote("both regions' Gitea (region and URL) are required")
	case in.Primary.Region == in.Standby.Region:
		return nil, invalidPromote("the standby must be another region than the primary " + in.Primary.Region)
	}
	p := &promote{in: in}
	p.turn = p.progress.add(fmt.Sprintf("make %s the writer and mirror it to %s", in.Standby.Region, in.Primary.Region))
	return p, nil
}

func invalidPromote(msg string) error {
	return temporal.NewNonRetryableApplicationError("promote: "+msg, ErrInvalidInput, nil)
}

func (p *promote) run(ctx workflow.Context) (PromoteResult, error) {
	var res PromoteResult
	err := p.progress.run(ctx, p.turn, func(ctx workflow.Context) error {
		var err error
		res, err = p.turnMirror(ctx)
		return err
	})
	return res, err
}

// turnMirror fences and, once the old primary answers, turns the mirror.
func (p *promote) turnMirror(ctx workflow.Context) (PromoteResult, error) {
	var g *activities.Gitea
	var res PromoteResult
	deadline := workflow.Now(ctx).Add(p.in.GiveUp)
	for {
		res.Looks++
		var out activities.PromoteGiteaResult
		err := workflow.ExecuteActivity(gitCall(ctx), g.PromoteGitea, activities.PromoteGiteaInput{
			Primary: p.in.Primary, Standby: p.in.Standby, Org: p.in.Organization, Repo: p.in.Repo,
			StandbyAddress: p.in.StandbyAddress, PrimaryAddress: p.in.PrimaryAddress,
		}).Get(ctx, &out)
		if err != nil {
			return res, err
		}
		if out.PrimaryReached {
			res.Mirror, res.Removed = out.Mirror, out.RemovedFromPrimary
			p.progress.note(p.turn, fmt.Sprintf("%s pushes to %s, at %.12s; %d old mirror(s) removed",
				p.in.Standby.Region, res.Mirror.Address, res.Mirror.Commit, len(res.Removed)))
			return res, nil
		}
		if !workflow.Now(ctx).Add(p.in.LookAgain).Before(deadline) {
			return res, temporal.NewNonRetryableApplicationError(fmt.Sprintf(
				"%s did not answer for %s: it is fenced off (it cannot push to %s), but the mirror was not turned; start Promote again once it is back",
				p.in.Primary.Region, p.in.GiveUp, p.in.Standby.Region), ErrPrimaryNotReached, nil)
		}
		p.progress.note(p.turn, fmt.Sprintf("%s is fenced off; it does not answer, looking again every %s (look %d)",
			p.in.Primary.Region, p.in.LookAgain, res.Looks))
		if err := workflow.Sleep(ctx, p.in.LookAgain); err != nil {
			return res, err
		}
	}
}
