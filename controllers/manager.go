package controllers

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	crclient "sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/openova-io/core/kube"
)

// LeaderElectionID names the Lease that elects the one replica whose
// reconcilers start workflows.
const LeaderElectionID = "openova-manager.openova.io"

// ManagerOptions configures the controller manager.
type ManagerOptions struct {
	Namespace      string
	LeaderElection bool
	Workflows      Workflows
	DataConverter  converter.DataConverter
	ReadyTimeout   time.Duration
	// Schedules, when set, gets each platform a CheckUpdates Schedule
	// running every CheckEvery (DefaultCheckEvery when 0).
	Schedules  client.ScheduleClient
	CheckEvery time.Duration
	// SkipNameValidation allows a second manager in one process (benchmarks).
	SkipNameValidation bool
}

// NewManager builds a controller manager watching one namespace (so the
// manager needs no cluster-wide read), with leader election and the
// Platform and Component reconcilers. Its own metrics and probe servers are
// off: openova serves /metrics, /healthz and /readyz itself.
func NewManager(cfg *rest.Config, o ManagerOptions) (ctrl.Manager, error) {
	scheme, err := kube.Scheme()
	if err != nil {
		return nil, err
	}
	cfg = kube.WithRate(cfg)
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme: scheme,
		Cache:  cache.Options{DefaultNamespaces: map[string]cache.Config{o.Namespace: {}}},
		// Composite resources are read as unstructured objects; serve those
		// reads from the watch cache too, not with a GET per reconcile.
		Client:                        crclient.Options{Cache: &crclient.CacheOptions{Unstructured: true}},
		Metrics:                       metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress:        "0",
		LeaderElection:                o.LeaderElection,
		LeaderElectionID:              LeaderElectionID,
		LeaderElectionNamespace:       o.Namespace,
		LeaderElectionReleaseOnCancel: true,
		Controller:                    config.Controller{SkipNameValidation: &o.SkipNameValidation},
	})
	if err != nil {
		return nil, fmt.Errorf("controller manager: %w", err)
	}
	if err := (&PlatformReconciler{
		Client: mgr.GetClient(), Workflows: o.Workflows, DataConverter: o.DataConverter, ReadyTimeout: o.ReadyTimeout,
		Checks: &checkSchedules{Schedules: o.Schedules, Every: o.CheckEvery},
	}).SetupWithManager(mgr); err != nil {
		return nil, fmt.Errorf("platform controller: %w", err)
	}
	if err := (&ComponentReconciler{Client: mgr.GetClient(), Workloads: mgr.GetAPIReader()}).SetupWithManager(mgr); err != nil {
		return nil, fmt.Errorf("component controller: %w", err)
	}
	return mgr, nil
}
