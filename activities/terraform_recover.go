package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/openova-io/core/bootstrap"
	"github.com/openova-io/core/terraform"
)

// Error types of a change to a built platform.
const (
	// ErrNotBuilt: the region's state holds no platform (nothing built,
	// another organization's bucket or prefix); non-retryable.
	ErrNotBuilt = "NotBuilt"
	// ErrNoJoinOutput: the region's state was written by a module before
	// its join output existed, so a node added now could not join;
	// non-retryable.
	ErrNoJoinOutput = "NoJoinOutput"
)

// Recover reads a built region back from its state: the outputs and the
// join output (the CAs and tokens its nodes joined with), so a change to
// the platform plans with the very secrets its servers booted with and a
// node added later joins the same cluster. Nothing is planned or written.
func (t *Terraform) Recover(ctx context.Context, in TerraformInput) (bootstrap.Recovered, error) {
	var rec bootstrap.Recovered
	err := t.run(ctx, in, func(r *terraform.Runner) error {
		raw, err := r.Outputs(ctx)
		if err != nil {
			return err
		}
		if len(raw) == 0 {
			return temporal.NewNonRetryableApplicationError(fmt.Sprintf(
				"the state of %s holds no cluster of %s: check the state bucket, its key prefix and the organization's name, which must be the ones the bootstrap used",
				in.Region, in.Organization), ErrNotBuilt, nil)
		}
		join, ok := raw["join"]
		if !ok {
			return temporal.NewNonRetryableApplicationError(fmt.Sprintf(
				"the state of %s was written before openova kept what new nodes join with: a node added now could not join; change it with the openova release that built it",
				in.Region), ErrNoJoinOutput, nil)
		}
		if err := json.Unmarshal(join, &rec.Join); err != nil {
			return temporal.NewNonRetryableApplicationError("the join output of "+in.Region+" is malformed", ErrInvalidBootstrap, nil)
		}
		if rec.Join.ClusterCA.ClientCAKey == "" || rec.Join.AgentToken == "" {
			return temporal.NewNonRetryableApplicationError("the join output of "+in.Region+" has no CA key or agent token", ErrInvalidBootstrap, nil)
		}
		return decodeOutputs(raw, &rec.Outputs, false)
	})
	return rec, err
}

// RecoverClusterSecrets are the secrets of a built cluster from its join
// output, with a new admin certificate signed by its client CA (the one
// the bootstrap made may have expired, and its key was never kept).
func (c *Clusters) RecoverClusterSecrets(_ context.Context, in RecoverSecretsInput) (ClusterSecrets, error) {
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	ca := in.Join.ClusterCA
	pki := ClusterPKI{ServerCA: ca.ServerCACert, ServerCAKey: ca.ServerCAKey, ClientCA: ca.ClientCACert, ClientCAKey: ca.ClientCAKey}
	admin, key, err := adminCert(pki, now())
	if err != nil {
		return ClusterSecrets{}, temporal.NewNonRetryableApplicationError("the CAs of "+in.Cluster+" in its state: "+err.Error(), ErrInvalidBootstrap, nil)
	}
	pki.Admin, pki.AdminKey = admin, key
	return ClusterSecrets{PKI: pki, JoinToken: in.Join.JoinToken, AgentToken: in.Join.AgentToken}, nil
}
