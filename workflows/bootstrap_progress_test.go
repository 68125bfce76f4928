package workflows

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// names are the steps' names and the region each is marked with.
func names(steps []ProgressStep) (out [][2]string) {
	for _, s := range steps {
		out = append(out, [2]string{s.Name, s.Region})
	}
	return out
}

// The progress query types each region's steps: every region lists its
// own, in order and marked with its name, its failure among them; the run's
// own steps carry no region. A reader never matches step names.
func TestBootstrapProgressListsEachRegionsSteps(t *testing.T) {
	f := &fakeClouds{failApply: map[string]int{"hel1": 1}}
	env := f.newEnv()
	signalAt(env, time.Hour, SignalApprove)
	regionSteps := func(r string) [][2]string {
		return [][2]string{{"generate the certificates of " + r, r}, {"plan " + r, r}, {"apply " + r, r},
			{"read the outputs of " + r, r}, {"wait for the API server of " + r, r}}
	}
	env.RegisterDelayedCallback(func() {
		p := queryProgress(t, env)
		require.Equal(t, SignalRetry, p.Awaiting)
		require.Len(t, p.Regions, 2)
		for _, r := range p.Regions {
			require.Equal(t, regionSteps(r.Name), names(r.Steps), r.Name)
		}
		require.Equal(t, StepFailed, p.Regions[1].Steps[2].State, "hel1's apply failed")
		require.Contains(t, p.Regions[1].Steps[2].Message, "server limit reached")
		for _, s := range p.Regions[0].Steps {
			require.NotEqual(t, StepFailed, s.State, s.Name)
		}
		var own [][2]string
		for _, s := range p.Steps {
			if s.Region == "" {
				own = append(own, [2]string{s.Name, ""})
			}
		}
		require.Equal(t, [][2]string{{"validate the request", ""}, {"check the hetzner credentials", ""},
			{"resolve the components", ""}, {"wait for approval of the plans", ""}}, own)
		require.Len(t, p.Steps, 4+2*5, "every step is also in the run's list")
		env.SignalWorkflow(SignalAbort, nil)
	}, 2*time.Hour)
	env.ExecuteWorkflow(Bootstrap, twoRegions())
	require.ErrorContains(t, env.GetWorkflowError(), "was destroyed")

	p := queryProgress(t, env)
	for _, r := range p.Regions {
		require.Equal(t, append(regionSteps(r.Name), [2]string{"destroy " + r.Name, r.Name}), names(r.Steps),
			"the destroy that abort added is the region's too")
		require.Equal(t, StepSucceeded, r.Steps[len(r.Steps)-1].State)
	}
}
