package activities

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/secret"
)

// Every cluster gets a join token and a separate agent token, both 32
// random bytes in hex, new on every call.
func TestGenerateClusterSecretsMakesAnAgentTokenApart(t *testing.T) {
	c := &Clusters{}
	a, err := c.GenerateClusterSecrets(context.Background(), ClusterSecretsInput{Cluster: "acme-fsn1"})
	require.NoError(t, err)
	b, err := c.GenerateClusterSecrets(context.Background(), ClusterSecretsInput{Cluster: "acme-fsn1"})
	require.NoError(t, err)
	for _, tok := range []secret.Text{a.JoinToken, a.AgentToken, b.JoinToken, b.AgentToken} {
		require.Regexp(t, `^[0-9a-f]{64}$`, tok.Reveal())
	}
	require.NotEqual(t, a.JoinToken, a.AgentToken)
	require.NotEqual(t, a.AgentToken, b.AgentToken)
}

// Every sensitive variable of the contract is redacted from tofu's output,
// whether the caller passed it as a string or as a secret.Text.
func TestRunnerRedactsTheSensitiveVariables(t *testing.T) {
	const ca, join, agent = "ca-key-0123456789abcdef", "join-0123456789abcdef", "agent-0123456789abcdef"
	tests := []struct {
		name string
		vars map[string]any
	}{
		{"strings", map[string]any{"cluster_ca": map[string]any{"server_ca_key": ca}, "join_token": join, "agent_token": agent}},
		{"secret.Text", map[string]any{"cluster_ca": map[string]any{"server_ca_key": secret.Text(ca)},
			"join_token": secret.Text(join), "agent_token": secret.Text(agent)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tf := &Terraform{Dir: t.TempDir()}
			r, _, err := tf.runner(context.Background(), TerraformInput{Organization: "acme", Provider: "hetzner", Region: "fsn1", Vars: tc.vars})
			require.NoError(t, err)
			require.Subset(t, r.Secrets, []string{ca, join, agent})
		})
	}
}
