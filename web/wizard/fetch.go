package wizard

import "github.com/openova-io/core/netguard"

// checkFetch refuses, on the state step, an S3 endpoint the fetch policy
// refuses: OpenTofu sends the bucket's keys there and keeps the cluster's
// secrets in what answers, so plain http needs --allow-http-fetch (for
// development against a server on loopback). A link-local or metadata
// address the workflow's validation refuses already, under any policy.
func checkFetch(step string, d *Draft, fetch netguard.Policy, errs Errors) {
	if step != StepState || d.State.Local || d.State.Endpoint == "" || errs["state.endpoint"] != "" {
		return
	}
	if err := fetch.CheckURL(d.State.Endpoint); err != nil {
		errs["state.endpoint"] = "the S3 endpoint is refused: " + err.Error()
	}
}
