package bootstrap

import (
	"github.com/openova-io/core/cloud"
	"github.com/openova-io/core/secret"
)

// TerraformInput is one region's module run (the Terraform activities'
// input).
type TerraformInput struct {
	Organization string
	Provider     cloud.Provider
	Region       string
	// Credentials are the provider's environment variables
	// (cloud.CredentialEnv); they travel only in encoded payloads.
	Credentials map[string]string
	// Vars are the contract's variables (terraform/modules/contract).
	Vars  ModuleVars
	State StateBackend
	// Approved is the plan the user approved: Apply refuses to create or
	// change anything outside it.
	Approved *PlanSummary `json:",omitempty"`
	// Targets limit a Plan or Apply to these resource addresses (and what
	// they need): the gateways' addresses are created before the rest.
	Targets []string `json:",omitempty"`
}

// GatewayResources are, per provider module, the resources that fix the
// link gateways' public addresses: with two regions they are applied first
// (TerraformInput.Targets), so both gateways' wg0.conf name their peer
// before any server boots.
var GatewayResources = map[cloud.Provider][]string{cloud.Hetzner: {"hcloud_primary_ip.gateway"}}

// StateBackend is where the state lives: an S3-compatible bucket, or the
// working directory when Bucket is empty (development only).
type StateBackend struct {
	Bucket    string      `json:",omitempty"`
	Region    string      `json:",omitempty"`
	Endpoint  string      `json:",omitempty"`
	KeyPrefix string      `json:",omitempty"`
	AccessKey secret.Text `json:",omitempty"`
	SecretKey secret.Text `json:",omitempty"`
}

// PlanResult is what a region's plan will do.
type PlanResult struct {
	Summary PlanSummary
}

// PlanSummary is what a plan will do, resource by resource: what the
// wizard's Review shows before anyone approves (package terraform makes
// it from tofu's JSON plan).
type PlanSummary struct {
	Add, Change, Destroy int
	Resources            []PlanChange
}

// PlanChange is one resource of a plan.
type PlanChange struct {
	Address string
	Type    string
	Name    string
	// Action is create, update, delete, replace or read.
	Action string
}

// ClusterOutputs are a region's module outputs (the shared contract).
type ClusterOutputs struct {
	APIEndpoint      string
	APIHost          string
	LoadBalancerIPv4 string
	Nodes            []Node
	// GatewayIPv4 is the link's gateway address ("" with one region).
	GatewayIPv4 string `json:",omitempty"`
	// GiteaEndpoint is where the region's Gitea answers, <address>:<port>.
	GiteaEndpoint string `json:",omitempty"`
	// ManagerEndpoint is where the region's manager answers, <address>:443.
	ManagerEndpoint string `json:",omitempty"`
}

// Node is one server of a cluster.
type Node struct {
	Name        string `json:"name"`
	Role        string `json:"role"`
	PublicIPv4  string `json:"public_ipv4"`
	PrivateIPv4 string `json:"private_ipv4"`
}

// ClusterJoin is a region's join output (terraform/modules/contract):
// what a node added later needs, kept in the region's encrypted state. A
// bootstrap started again reads it back (Recovered) instead of generating
// new CAs and tokens, which would leave the new node unable to join. It
// travels only in encoded payloads.
type ClusterJoin struct {
	ClusterCA  ClusterCA   `json:"cluster_ca"`
	JoinToken  secret.Text `json:"join_token"`
	AgentToken secret.Text `json:"agent_token"`
	LinkWGConf secret.Text `json:"link_wg_conf"`
	// The k3s release and the CNI the cluster's nodes run: a node added
	// by a newer openova must not run a newer kubelet than the API server
	// or install another Cilium.
	K3sVersion    string  `json:"k3s_version"`
	K3sReleaseURL string  `json:"k3s_release_url"`
	Cilium        *Cilium `json:"cilium"`
}

// Recovered is a built region read back from its state: its outputs and
// what its nodes joined with.
type Recovered struct {
	Outputs ClusterOutputs
	Join    ClusterJoin
}
