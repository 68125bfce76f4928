package activities

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/bootstrap"
	"github.com/openova-io/core/secret"
)

// Every cluster gets a join token, a separate agent token and its Gitea
// admin's password, each 32 random bytes in hex, new on every call.
func TestGenerateClusterSecretsMakesAnAgentTokenApart(t *testing.T) {
	c := &Clusters{}
	a, err := c.GenerateClusterSecrets(context.Background(), ClusterSecretsInput{Cluster: "acme-fsn1"})
	require.NoError(t, err)
	b, err := c.GenerateClusterSecrets(context.Background(), ClusterSecretsInput{Cluster: "acme-fsn1"})
	require.NoError(t, err)
	for _, tok := range []secret.Text{a.JoinToken, a.AgentToken, a.GiteaAdminPassword, b.JoinToken, b.AgentToken, b.GiteaAdminPassword} {
		require.Regexp(t, `^[0-9a-f]{64}$`, tok.Reveal())
	}
	require.NotEqual(t, a.JoinToken, a.AgentToken)
	require.NotEqual(t, a.GiteaAdminPassword, a.JoinToken)
	require.NotEqual(t, a.GiteaAdminPassword, b.GiteaAdminPassword)
	require.NotEqual(t, a.AgentToken, b.AgentToken)
}

// Every sensitive variable of the contract is redacted from tofu's output,
// a PEM key also line by line.
func TestRunnerRedactsTheSensitiveVariables(t *testing.T) {
	const ca, join, agent = "-----BEGIN EC PRIVATE KEY-----\nca-key-0123456789abcdef\n-----END EC PRIVATE KEY-----\n", "join-0123456789abcdef", "agent-0123456789abcdef"
	tf := &Terraform{Dir: t.TempDir()}
	r, _, err := tf.runner(context.Background(), TerraformInput{Organization: "acme", Provider: "hetzner", Region: "fsn1",
		Vars: bootstrap.ModuleVars{ClusterCA: bootstrap.ClusterCA{ServerCACert: "public", ServerCAKey: ca, ClientCAKey: "client-ca-key-0123456789"},
			JoinToken: join, AgentToken: agent}})
	require.NoError(t, err)
	require.Subset(t, r.Secrets, []string{ca, "ca-key-0123456789abcdef", "client-ca-key-0123456789", join, agent})
	require.NotContains(t, r.Secrets, "public")
}
