package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"path"
	"path/filepath"
	"slices"

	"go.temporal.io/sdk/temporal"

	"github.com/openova-io/core/cloud"
	"github.com/openova-io/core/terraform"
)

// runner builds the region's runner and its backend configuration. The
// provider's credentials and the bucket's keys go into the environment of
// the tofu process only; every secret is also redacted from its output.
func (t *Terraform) runner(ctx context.Context, in TerraformInput) (*terraform.Runner, map[string]string, error) {
	module := terraform.Module
	if in.State.Bucket != "" {
		module = terraform.ModuleS3
	}
	mod, err := module(in.Provider)
	if err != nil {
		return nil, nil, temporal.NewNonRetryableApplicationError(err.Error(), ErrInvalidBootstrap, nil)
	}
	var allowed []string
	for _, f := range cloud.Credentials[in.Provider] {
		allowed = append(allowed, f.Env)
	}
	env := maps.Clone(t.Env)
	if env == nil {
		env = map[string]string{}
	}
	var secrets []string
	for k, v := range in.Credentials {
		if !slices.Contains(allowed, k) {
			return nil, nil, temporal.NewNonRetryableApplicationError(fmt.Sprintf(
				"%s credentials have no %s: give %v", in.Provider, k, allowed), ErrInvalidBootstrap, nil)
		}
		env[k] = v
		secrets = append(secrets, v)
	}
	vars, err := in.Vars.Values()
	if err != nil {
		return nil, nil, temporal.NewNonRetryableApplicationError(err.Error(), ErrInvalidBootstrap, nil)
	}
	maps.Copy(vars, t.Vars)
	secrets = append(secrets, in.Vars.Secrets()...)

	var backend map[string]string
	if s := in.State; s.Bucket != "" {
		key := path.Join(s.KeyPrefix, in.Organization, in.Region, "terraform.tfstate")
		backend = terraform.S3Backend{Bucket: s.Bucket, Key: key, Region: s.Region}.Config()
		env["AWS_ACCESS_KEY_ID"] = s.AccessKey.Reveal()
		env["AWS_SECRET_ACCESS_KEY"] = s.SecretKey.Reveal()
		if s.Endpoint != "" {
			env["AWS_ENDPOINT_URL_S3"] = s.Endpoint
		}
		secrets = append(secrets, s.SecretKey.Reveal())
	}
	r := &terraform.Runner{
		Bin: t.Bin, Dir: t.workDir(in), Module: mod,
		PluginCache: filepath.Join(t.Dir, "plugins"),
		Env:         env, Vars: vars, Secrets: secrets, Targets: in.Targets,
	}
	if t.StateKeyFile != "" {
		if r.Encryption, err = terraform.NewEncryption(t.StateKeyFile, in.Organization); err != nil {
			return nil, nil, temporal.NewNonRetryableApplicationError(err.Error(), ErrInvalidBootstrap, nil)
		}
	}
	return r, backend, nil
}

// terraformError turns a classified tofu failure into what the workflow
// needs: bad credentials and an exhausted quota cannot get better by
// retrying (they park the bootstrap until the user acts); a cloud API
// error may, so it stays retryable; any other failure (a module the cloud
// refuses) is permanent.
func terraformError(in TerraformInput, err error) error {
	var te *terraform.Error
	if err == nil || !errors.As(err, &te) {
		return err
	}
	msg := fmt.Sprintf("%s in %s: %s", in.Provider, in.Region, te.Error())
	switch te.Kind {
	case terraform.ErrInvalidCredentials:
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf(
			"%s refused the credentials: check the %s credentials (%s)", in.Provider, in.Provider, msg), ErrInvalidCredentials, nil)
	case terraform.ErrAPI:
		return temporal.NewApplicationError(msg, te.Kind)
	case terraform.ErrLockHeld:
		return temporal.NewNonRetryableApplicationError(msg+": another run holds the state lock; when it has ended, Retry", te.Kind, nil, te.LockID)
	default:
		return temporal.NewNonRetryableApplicationError(msg, te.Kind, nil)
	}
}

// decodeOutputs reads the contract's outputs.
func decodeOutputs(raw map[string][]byte, out *ClusterOutputs, partial bool) error {
	fields := map[string]any{
		"api_endpoint": &out.APIEndpoint, "api_host": &out.APIHost,
		"load_balancer_ipv4": &out.LoadBalancerIPv4, "nodes": &out.Nodes,
	}
	// Outputs a state written by an older module does not hold.
	for name, dst := range map[string]any{"gateway_ipv4": &out.GatewayIPv4, "gitea_endpoint": &out.GiteaEndpoint, "manager_endpoint": &out.ManagerEndpoint} {
		if b, ok := raw[name]; ok {
			if err := json.Unmarshal(b, dst); err != nil {
				return fmt.Errorf("output %s: %w", name, err)
			}
		}
	}
	for name, dst := range fields {
		b, ok := raw[name]
		if !ok && partial {
			continue
		}
		if !ok {
			return temporal.NewNonRetryableApplicationError("the module has no output "+name, ErrInvalidBootstrap, nil)
		}
		if err := json.Unmarshal(b, dst); err != nil {
			return fmt.Errorf("output %s: %w", name, err)
		}
	}
	return nil
}
