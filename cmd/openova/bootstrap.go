package main

import (
	"context"
	"fmt"
	"net/url"

	"github.com/spf13/cobra"

	"github.com/openova-io/core/terraform"
	"github.com/openova-io/core/web"
	"github.com/openova-io/core/worker"
)

func newBootstrapCmd() *cobra.Command {
	var o options
	var b bootstrapFlags
	c := &cobra.Command{
		Use:   "bootstrap",
		Short: "Run the bootstrap wizard and its durable workflows (outside any cluster)",
		Long: `Runs the bootstrap mode: the web wizard, the Bootstrap workflow's worker and,
unless --temporal-address names an existing cluster, an embedded Temporal
server on a SQLite file in --data-dir. Every flag can also be set with an
OPENOVA_<FLAG> environment variable (OPENOVA_DATA_DIR, OPENOVA_LISTEN, ...).`,
		RunE: func(c *cobra.Command, _ []string) error {
			if err := applyEnv(c.Flags()); err != nil {
				return err
			}
			cfg, err := o.validate(c.Flags(), worker.ModeBootstrap)
			if err != nil {
				return err
			}
			deps, err := b.deps(c.Context())
			if err != nil {
				return err
			}
			cfg.Bootstrap = deps
			level, _ := parseLevel(o.logLevel)
			log := newLogger(level)
			if deps.Terraform == "" {
				log.Warn(b.missing)
			}
			pages := wizardPages(cfg, deps, b.missing, b.tofu)
			return serve(c.Context(), cfg, &o, log, &sidecar{pages: func(ctx context.Context, eng *worker.Engine) ([]web.Pages, error) {
				// Said once openova has started: a run refused at start
				// prints its one line only.
				if deps.Terraform != "" {
					log.Info("the bootstrap runs OpenTofu", "tofu", b.tofu)
				}
				return pages(ctx, eng)
			}})
		},
	}
	o.register(c.Flags(), "127.0.0.1:8080")
	c.Flags().StringVar(&b.terraformBin, "terraform-bin", "", "tofu or terraform binary (default: tofu, else terraform, on PATH)")
	c.Flags().StringVar(&b.hetznerAPI, "hetzner-api-url", "", "Hetzner Cloud API URL (default the public API; for an API proxy)")
	return c
}

// bootstrapFlags are the bootstrap mode's own flags.
type bootstrapFlags struct {
	terraformBin string
	hetznerAPI   string
	// missing says, in one line, that no tofu or terraform was found and
	// what to install; tofu names the one found ("/usr/bin/tofu, OpenTofu
	// v1.10.6"), which the start log and the wizard's Review show.
	missing, tofu string
}

// deps checks the flags and builds the bootstrap's activity dependencies.
// A missing tofu is not fatal (the audit view works without it) but is
// said at start, before anyone types a credential; a --terraform-bin that
// cannot be run is an error.
func (b *bootstrapFlags) deps(ctx context.Context) (*worker.BootstrapDeps, error) {
	d := &worker.BootstrapDeps{TerraformEnv: map[string]string{}}
	bin, err := terraform.FindBinary(b.terraformBin)
	var version string
	if err == nil {
		// The state and the plans are encrypted (the CA keys and the k3s
		// token are in them): only OpenTofu can, so a Terraform found on
		// PATH is no substitute.
		version, err = terraform.OpenTofuVersion(ctx, bin)
	}
	switch {
	case err != nil && b.terraformBin != "":
		return nil, usageError{err}
	case err != nil:
		b.missing = err.Error()
	default:
		d.Terraform, b.tofu = bin, bin+", "+version
	}
	if b.hetznerAPI != "" {
		u, err := url.Parse(b.hetznerAPI)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
			return nil, usageError{fmt.Errorf("--hetzner-api-url %q: give an http(s) URL without credentials, e.g. https://api.hetzner.cloud/v1", b.hetznerAPI)}
		}
		d.Endpoints.Hetzner = b.hetznerAPI
		d.TerraformEnv["HCLOUD_ENDPOINT"] = b.hetznerAPI
	}
	return d, nil
}
