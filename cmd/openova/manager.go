package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/openova-io/core/controllers"
	"github.com/openova-io/core/worker"
)

func newManagerCmd() *cobra.Command {
	var (
		o          options
		kubeconfig string
		namespace  string
	)
	c := &cobra.Command{
		Use:   "manager",
		Short: "Run the Lifecycle Manager inside the platform's cluster",
		Long: `Runs the manager mode: day-2 workflows on Platform and Component resources,
the dashboard and, unless --temporal-address names an existing cluster, an
embedded Temporal server on a SQLite file in --data-dir (a PVC in the
cluster). Every flag can also be set with an OPENOVA_<FLAG> environment
variable.`,
		RunE: func(c *cobra.Command, _ []string) error {
			if err := applyEnv(c.Flags()); err != nil {
				return err
			}
			cfg, err := o.validate(c.Flags(), worker.ModeManager)
			if err != nil {
				return err
			}
			if namespace == "" {
				return usageError{fmt.Errorf("--namespace is empty: name the namespace that holds the Platform resources")}
			}
			level, _ := parseLevel(o.logLevel)
			log := newLogger(level)
			ctx, cancel := context.WithTimeout(c.Context(), controllers.ConnectTimeout)
			info, err := controllers.CheckCluster(ctx, kubeconfig)
			cancel()
			if err != nil {
				return err
			}
			log.Info("kubernetes cluster reachable", "host", info.Host, "version", info.Version, "namespace", namespace)
			return serve(c.Context(), cfg, o.listen, o.pprofListen, log)
		},
	}
	o.register(c.Flags(), ":8080")
	c.Flags().StringVar(&kubeconfig, "kubeconfig", "", "kubeconfig file (default: in-cluster config, then $KUBECONFIG, then ~/.kube/config)")
	c.Flags().StringVar(&namespace, "namespace", "openova-system", "namespace of the Platform and Component resources")
	return c
}
