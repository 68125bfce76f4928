package main

import (
	"github.com/spf13/cobra"

	"github.com/openova-io/core/worker"
)

func newBootstrapCmd() *cobra.Command {
	var o options
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
			level, _ := parseLevel(o.logLevel)
			return serve(c.Context(), cfg, &o, newLogger(level), nil)
		},
	}
	o.register(c.Flags(), "127.0.0.1:8080")
	return c
}
