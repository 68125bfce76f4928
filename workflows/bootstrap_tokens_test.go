package workflows

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/secret"
)

// Each region's module run gets the agent token apart from the join token:
// the one generated with the region's secrets, or, for a bootstrap whose
// history predates agent tokens, one derived from its join token that is
// the same on every call (replays and retries see one value) and never the
// join token itself.
func TestRegionInputPassesTheAgentToken(t *testing.T) {
	const join = "join-0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab"
	tests := []struct {
		name  string
		agent secret.Text
		want  string // "" when derived
	}{
		{name: "generated", agent: "agent-fedcba9876543210fedcba9876543210fedcba9876543210fedcba98765", want: "agent-fedcba9876543210fedcba9876543210fedcba9876543210fedcba98765"},
		{name: "history before agent tokens"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := twoRegions()
			r := &region{b: &bootstrapRun{in: in}, spec: in.Regions[0],
				secrets: activities.ClusterSecrets{JoinToken: join, AgentToken: tc.agent}}
			vars := r.input().Vars
			require.Equal(t, join, vars.JoinToken.Reveal())
			got := vars.AgentToken.Reveal()
			require.NotEqual(t, join, got)
			if tc.want != "" {
				require.Equal(t, tc.want, got)
				return
			}
			require.Regexp(t, `^[0-9a-f]{64}$`, got)
			require.Equal(t, got, r.input().Vars.AgentToken.Reveal(), "the same on every call")
			other := &region{b: r.b, spec: r.spec, secrets: activities.ClusterSecrets{JoinToken: join + "x"}}
			require.NotEqual(t, got, other.input().Vars.AgentToken.Reveal(), "derived from this region's join token")
		})
	}
}
