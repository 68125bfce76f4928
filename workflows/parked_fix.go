package workflows

import (
	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/terraform"
)

// parkedFixes say, per typed error of a bootstrap step, what the operator
// can do before Retry: the step's own message says what failed, this says
// what fixes it (the page offers Abort beside it). Retry runs the step again with the same input, so a fix
// is made outside openova (in the cloud project, the bucket, the cluster),
// or the run is aborted and started again with other input.
var parkedFixes = map[string]string{
	terraform.ErrQuota: "The cloud project's limits are reached. Delete servers you do not need, or ask Hetzner " +
		"for higher limits (Console → Limits), then Retry.",
	terraform.ErrInvalidCredentials: "The cloud refused the API token: it was deleted or lost its write access. " +
		"Give it Read & Write access in the cloud console, then Retry; or Abort and start again with a new token.",
	terraform.ErrAPI: "The cloud's API refused the request or did not answer. If its message names an outage or " +
		"a rate limit, wait and Retry; if it names a setting, Abort and start again with another one.",
	terraform.ErrFailed: "OpenTofu stopped on the error above. If it names the state bucket (NoSuchBucket, " +
		"AccessDenied), create the bucket or give the key write access at the state's endpoint; then Retry.",
	terraform.ErrLockHeld: "Another OpenTofu run holds the state's lock (its holder is named above). When that " +
		"run has ended, Retry; if it died, release its lock with tofu force-unlock first.",
	terraform.ErrStateEncrypted: "Run openova with the data directory (or --codec-key-file) that created the " +
		"state, then Retry.",
	activities.ErrAPIServerUnreachable: "The new cluster's API server did not answer in time. In the cloud console, " +
		"check that its servers run and that the firewall lets this machine reach port 6443, then Retry.",
	activities.ErrCNINotReady: "Cilium did not run on every node in time. Look at the nodes' Cilium pods " +
		"(kubectl -n kube-system get pods with the kubeconfig above), then Retry.",
	activities.ErrGiteaNotReady: "The region's Gitea did not answer in time. Look at its pod in namespace gitea " +
		"(kubectl -n gitea get pods), then Retry.",
	activities.ErrFluxNotReady: "Flux's controllers did not become ready in time. Look at namespace flux-system " +
		"(kubectl -n flux-system get pods), then Retry.",
	activities.ErrFluxStalled: "Flux could not apply the platform's repository: its message above names the " +
		"object. Fix it in the region's Gitea repository, then Retry.",
	activities.ErrCrossplaneNotReady: "Crossplane did not become ready in time. Look at namespace crossplane-system " +
		"(kubectl -n crossplane-system get pods), then Retry.",
	activities.ErrManagerNotReady: "The Lifecycle Manager did not answer in time. Look at its pod in namespace " +
		"openova-system (kubectl -n openova-system get pods), then Retry.",
}

// ParkedFix says what fixes a parked step's failure of the given typed
// name, and the general rule when its type has no advice of its own.
func ParkedFix(errType string) string {
	if fix, ok := parkedFixes[errType]; ok {
		return fix
	}
	return "Fix what the message names, then Retry."
}
