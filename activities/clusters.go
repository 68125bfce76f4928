package activities

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/openova-io/core/secret"
)

// Clusters generates what a new cluster is born with and waits for it to
// answer. Nothing is read back from a node: the workflow generated the CAs
// and the admin certificate, the nodes' cloud-init installs them, and the
// kubeconfig is built from the API endpoint the module outputs.
type Clusters struct {
	// Now is the clock certificates are dated by (time.Now when nil).
	Now func() time.Time
}

// GenerateClusterSecrets makes new CAs, an admin certificate, a join token
// and an agent token. The workflow calls it once per cluster and keeps the
// result in its (encrypted) history, so a retry of a later step reuses the
// same ones.
func (c *Clusters) GenerateClusterSecrets(_ context.Context, in ClusterSecretsInput) (ClusterSecrets, error) {
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	pki, err := NewClusterPKI(in.Cluster, now())
	if err != nil {
		return ClusterSecrets{}, err
	}
	join, err := newToken()
	if err != nil {
		return ClusterSecrets{}, fmt.Errorf("join token: %w", err)
	}
	agent, err := newToken()
	if err != nil {
		return ClusterSecrets{}, fmt.Errorf("agent token: %w", err)
	}
	gitea, err := newToken()
	if err != nil {
		return ClusterSecrets{}, fmt.Errorf("gitea admin password: %w", err)
	}
	return ClusterSecrets{PKI: pki, JoinToken: join, AgentToken: agent, GiteaAdminPassword: gitea}, nil
}

// newToken is 32 random bytes in hex.
func newToken() (secret.Text, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return secret.Text(hex.EncodeToString(b)), nil
}

// Connect builds the admin kubeconfig from the endpoint and the generated
// certificates and asks the API server for its version with it until it
// answers or the deadline passes, heartbeating what it last saw: k3s takes
// minutes to install and start on a new server.
func (c *Clusters) Connect(ctx context.Context, in ConnectInput) (ConnectResult, error) {
	kubeconfig, err := Kubeconfig(in.PKI, in.Cluster, in.Endpoint)
	if err != nil {
		return ConnectResult{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrInvalidBootstrap, nil)
	}
	cfg, err := clientcmd.RESTConfigFromKubeConfig(kubeconfig)
	if err != nil {
		return ConnectResult{}, temporal.NewNonRetryableApplicationError("kubeconfig of "+in.Cluster+": "+err.Error(), ErrInvalidBootstrap, nil)
	}
	cfg.Timeout = 10 * time.Second
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return ConnectResult{}, fmt.Errorf("client for %s: %w", in.Cluster, err)
	}
	for {
		v, err := dc.ServerVersion()
		if err == nil {
			return ConnectResult{Kubeconfig: kubeconfig, Version: v.GitVersion}, nil
		}
		last := err.Error()
		activity.RecordHeartbeat(ctx, last)
		if !time.Now().Before(in.Deadline) {
			return ConnectResult{}, temporal.NewNonRetryableApplicationError(fmt.Sprintf(
				"the API server of %s at %s did not answer by %s (last: %s): check the nodes' console in the cloud's UI, then Retry",
				in.Cluster, in.Endpoint, in.Deadline.UTC().Format(time.RFC3339), last), ErrAPIServerUnreachable, nil)
		}
		select {
		case <-ctx.Done():
			return ConnectResult{}, ctx.Err()
		case <-time.After(2 * time.Second):
		}
	}
}
