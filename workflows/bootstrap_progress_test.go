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
		out := [][2]string{{"generate the certificates of " + r, r}, {"plan " + r, r}, {"reserve the gateway address of " + r, r}}
		if r == "fsn1" {
			out = append(out, [2]string{"make the WireGuard link between fsn1 and hel1", r})
		}
		out = append(out, [][2]string{{"apply " + r, r}, {"read the outputs of " + r, r}, {"wait for the API server of " + r, r},
			{"start Cilium in " + r, r}, {"install Gitea in " + r, r}, {"install Flux in " + r, r}}...)
		if r == "fsn1" {
			out = append(out, [2]string{"commit the substrate to the platform repository", r}, [2]string{"mirror the platform repository from fsn1 to hel1", r})
		}
		out = append(out, [2]string{"wait for Crossplane in " + r, r}, [2]string{"push the manager's image to " + r, r})
		if r == "fsn1" {
			out = append(out, [2]string{"deploy the manager in fsn1", r}, [2]string{"hand acme over to the manager", r})
		}
		return out
	}
	env.RegisterDelayedCallback(func() {
		p := queryProgress(t, env)
		require.Equal(t, SignalRetry, p.Awaiting)
		require.Len(t, p.Regions, 2)
		for _, r := range p.Regions {
			require.Equal(t, regionSteps(r.Name), names(r.Steps), r.Name)
		}
		require.Equal(t, "apply hel1", p.Regions[1].Steps[3].Name)
		require.Equal(t, StepFailed, p.Regions[1].Steps[3].State, "hel1's apply failed")
		require.Contains(t, p.Regions[1].Steps[3].Message, "server limit reached")
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
			{"resolve the components", ""}, {"check the manager's image", ""}, {"wait for approval of the plans", ""}, {"substrate ready", ""},
			{"manager ready", ""}}, own)
		require.Len(t, p.Steps, 7+16+11, "every step is also in the run's list")
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
