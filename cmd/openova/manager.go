package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/controllers"
	"github.com/openova-io/core/kube"
	"github.com/openova-io/core/worker"
)

// managerFlags are the flags only manager mode has.
type managerFlags struct {
	kubeconfig   string
	namespace    string
	leaderElect  bool
	readyTimeout time.Duration
	alertmanager string
	webhook      string
	checkEvery   time.Duration
}

// validate checks the manager-only flags.
func (m managerFlags) validate() error {
	if m.namespace == "" {
		return usageError{fmt.Errorf("--namespace is empty: name the namespace that holds the Platform resources")}
	}
	if m.readyTimeout <= 0 {
		return usageError{fmt.Errorf("--ready-timeout %s must be positive, e.g. 15m", m.readyTimeout)}
	}
	if m.checkEvery < time.Minute {
		return usageError{fmt.Errorf("--check-updates-every %s is too short: check at most once a minute, e.g. 6h", m.checkEvery)}
	}
	for flag, v := range map[string]string{"--alertmanager-url": m.alertmanager, "--alert-webhook-url": m.webhook} {
		if v == "" {
			continue
		}
		if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usageError{fmt.Errorf("%s %q is not an http(s) URL, e.g. http://alertmanager:9093", flag, v)}
		}
	}
	return nil
}

func newManagerCmd() *cobra.Command {
	var (
		o options
		m managerFlags
	)
	c := &cobra.Command{
		Use:   "manager",
		Short: "Run the Lifecycle Manager inside the platform's cluster",
		Long: `Runs the manager mode: the Platform and Component controllers (with leader
election), the worker of the day-2 workflows, the dashboard and, unless
--temporal-address names an existing cluster, an embedded Temporal server on
a SQLite file in --data-dir (a PVC in the cluster). Every flag can also be
set with an OPENOVA_<FLAG> environment variable.`,
		RunE: func(c *cobra.Command, _ []string) error {
			if err := applyEnv(c.Flags()); err != nil {
				return err
			}
			cfg, err := o.validate(c.Flags(), worker.ModeManager)
			if err != nil {
				return err
			}
			if err := m.validate(); err != nil {
				return err
			}
			level, _ := parseLevel(o.logLevel)
			log := newLogger(level)
			ctx, cancel := context.WithTimeout(c.Context(), controllers.ConnectTimeout)
			info, err := controllers.CheckCluster(ctx, m.kubeconfig)
			cancel()
			if err != nil {
				return err
			}
			log.Info("kubernetes cluster reachable", "host", info.Host, "version", info.Version, "namespace", m.namespace)
			// Watches are long requests: no client-side timeout beyond the check.
			rc := controllers.Instrument(info.Config)
			rc.Timeout = 0
			if cfg.Manager, err = managerDeps(c.Context(), rc, m); err != nil {
				return err
			}
			return serve(c.Context(), cfg, &o, log, &sidecar{
				run: runControllers(rc, m, log), metrics: []prometheus.Gatherer{ctrlmetrics.Registry},
				pages: managerPages(rc, m, cfg.Fetch),
			})
		},
	}
	o.register(c.Flags(), ":8080")
	c.Flags().StringVar(&m.kubeconfig, "kubeconfig", "", "kubeconfig file (default: in-cluster config, then $KUBECONFIG, then ~/.kube/config)")
	c.Flags().StringVar(&m.namespace, "namespace", "openova-system", "namespace of the Platform and Component resources")
	c.Flags().BoolVar(&m.leaderElect, "leader-elect", true, "elect one active controller through a Lease in --namespace")
	c.Flags().DurationVar(&m.readyTimeout, "ready-timeout", 15*time.Minute, "how long a component may take to become Ready before its install is undone or its upgrade rolled back")
	c.Flags().DurationVar(&m.checkEvery, "check-updates-every", controllers.DefaultCheckEvery, "how often each platform's components are checked for newer versions (a Temporal Schedule per platform)")
	c.Flags().StringVar(&m.alertmanager, "alertmanager-url", "", "Alertmanager base URL that receives rollback alerts (POST /api/v2/alerts), e.g. http://alertmanager:9093")
	c.Flags().StringVar(&m.webhook, "alert-webhook-url", "", "URL that receives a JSON document per rollback alert")
	return c
}

// managerDeps turns the manager's flags into what its activities are built
// from: a direct (uncached) client, and a watch on the namespace's releases
// (until ctx ends) that wakes the waits on changes.
func managerDeps(ctx context.Context, rc *rest.Config, m managerFlags) (*worker.ManagerDeps, error) {
	kc, err := kube.NewClient(rc)
	if err != nil {
		return nil, err
	}
	releases, err := activities.NewReleaseWatch(rc, m.namespace)
	if err != nil {
		return nil, err
	}
	go releases.Run(ctx)
	return &worker.ManagerDeps{Kube: kc, Releases: releases, Namespace: m.namespace,
		AlertmanagerURL: m.alertmanager, WebhookURL: m.webhook}, nil
}

// runControllers starts the controller manager once the engine is up: the
// reconcilers start workflows through the engine's client.
func runControllers(rc *rest.Config, m managerFlags, log *slog.Logger) func(context.Context, *worker.Engine) error {
	return func(ctx context.Context, eng *worker.Engine) error {
		ctrl.SetLogger(logr.FromSlogHandler(log.With("logger", "controllers").Handler()))
		mgr, err := controllers.NewManager(rc, controllers.ManagerOptions{
			Namespace: m.namespace, LeaderElection: m.leaderElect,
			Workflows: eng.Client(), DataConverter: eng.DataConverter(), ReadyTimeout: m.readyTimeout,
			Schedules: eng.Client().ScheduleClient(), CheckEvery: m.checkEvery,
		})
		if err != nil {
			return err
		}
		log.Info("controllers starting", "namespace", m.namespace, "leaderElection", m.leaderElect)
		if err := mgr.Start(ctx); err != nil {
			return fmt.Errorf("controllers: %w", err)
		}
		return nil
	}
}
