package activities

import "github.com/openova-io/core/bootstrap"

// The bootstrap activities' payloads are the Bootstrap workflow's contract
// (package bootstrap, which the wizard imports without these activities'
// clients); these names keep the activities' code reading as before.
type (
	TerraformInput      = bootstrap.TerraformInput
	StateBackend        = bootstrap.StateBackend
	PlanResult          = bootstrap.PlanResult
	ClusterOutputs      = bootstrap.ClusterOutputs
	Node                = bootstrap.Node
	ClusterSecretsInput = bootstrap.ClusterSecretsInput
	RecoverSecretsInput = bootstrap.RecoverSecretsInput
	ClusterSecrets      = bootstrap.ClusterSecrets
	ClusterPKI          = bootstrap.ClusterPKI
	ConnectInput        = bootstrap.ConnectInput
	ConnectResult       = bootstrap.ConnectResult
	SelectedComponent   = bootstrap.SelectedComponent
)
