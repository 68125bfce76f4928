package bootstrap

import (
	"time"

	"github.com/openova-io/core/secret"
)

// ClusterSecretsInput names the cluster.
type ClusterSecretsInput struct {
	Cluster string
}

// ClusterSecrets are a cluster's CAs, admin certificate and tokens; they
// travel only in encoded payloads. JoinToken joins servers (and is k3s's
// server token); AgentToken (k3s agent-token) joins workers only, so a
// worker's cloud-init, which anything on that node can read from the
// cloud's metadata service, cannot join a server to the cluster.
type ClusterSecrets struct {
	PKI        ClusterPKI
	JoinToken  secret.Text
	AgentToken secret.Text
	// GiteaAdminPassword is the password of the region's Gitea site
	// admin (GiteaAdmin), which the bootstrap signs in as to set Gitea
	// up. Empty in a history recorded before Gitea was installed.
	GiteaAdminPassword secret.Text `json:",omitempty"`
}

// RecoverSecretsInput is a built cluster's name and its join output
// (ClusterJoin): RecoverClusterSecrets makes its secrets from them.
type RecoverSecretsInput struct {
	Cluster string
	Join    ClusterJoin
}

// GiteaAdmin is the user name of every region's Gitea site admin.
const GiteaAdmin = "openova-admin"

// ClusterPKI is what a new region's cluster trusts, generated before any
// server exists: k3s takes pre-created CAs instead of making its own
// (k3s-io/k3s#1868), so openova can build the admin kubeconfig itself from
// the API endpoint, without SSH. The keys travel only in encoded payloads.
type ClusterPKI struct {
	// ServerCA signs the API server's serving certificate; ClientCA the
	// client certificates it accepts.
	ServerCA    string
	ServerCAKey secret.Text
	ClientCA    string
	ClientCAKey secret.Text
	// Admin is the cluster-admin client certificate (system:masters).
	Admin    string
	AdminKey secret.Text
}

// ConnectInput is the cluster's API endpoint (a module output), its
// generated certificates and the absolute deadline of the wait.
type ConnectInput struct {
	Cluster  string
	Endpoint string
	PKI      ClusterPKI
	Deadline time.Time
}

// ConnectResult is the kubeconfig that reached the API server and the
// version it reports.
type ConnectResult struct {
	Kubeconfig secret.Bytes
	Version    string
}
