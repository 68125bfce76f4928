package workflows

import "github.com/openova-io/core/bootstrap"

// The Bootstrap's contract lives in package bootstrap, which the wizard
// imports without this package's activity references; these names keep
// the workflow code and its callers reading as before.
type (
	// BootstrapInput is everything the wizard collected.
	BootstrapInput = bootstrap.Input
	// BootstrapRegion is one region: a cluster of its own.
	BootstrapRegion = bootstrap.Region
	// StateBackend is where a bootstrap keeps its Terraform state.
	StateBackend = bootstrap.StateBackend
	// FieldError is one refused field, named as the wizard's form names it.
	FieldError = bootstrap.FieldError
	// BootstrapResult is each region's reachable cluster.
	BootstrapResult = bootstrap.Result
	// BootstrapCluster is one region's cluster and how to reach it.
	BootstrapCluster = bootstrap.Cluster
	// BootstrapProgress is the Bootstrap's progress query.
	BootstrapProgress = bootstrap.Progress
	// RegionProgress is one region as the wizard shows it.
	RegionProgress = bootstrap.RegionProgress
)

// Region roles.
const (
	RolePrimary = bootstrap.RolePrimary
	RoleStandby = bootstrap.RoleStandby
)
