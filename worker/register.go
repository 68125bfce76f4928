package worker

import (
	"path/filepath"
	"sort"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/workflow"
	crclient "sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/catalogindex"
	"github.com/openova-io/core/cloud"
	"github.com/openova-io/core/workflows"
)

// ManagerDeps are the typed dependencies the manager's activities are built
// from; cmd turns flags into them, and nothing else builds an activity.
type ManagerDeps struct {
	// Kube is a direct (uncached) client (kube.NewClient): an activity must
	// act on what the API server holds now.
	Kube crclient.Client
	// Releases, when set, wakes the wait activities as soon as a release
	// changes (activities.ReleaseWatch); they then poll only as a fallback.
	Releases activities.ReleaseChanges
	// Namespace holds the Platform, its Components and the Git credentials
	// Secrets.
	Namespace string
	// AlertmanagerURL and WebhookURL receive rollback alerts ("" for none).
	AlertmanagerURL string
	WebhookURL      string
}

// BootstrapDeps are what the bootstrap's activities are built from.
type BootstrapDeps struct {
	// Terraform is the OpenTofu binary (terraform.FindBinary, then
	// terraform.CheckOpenTofu: the state is encrypted, which Terraform
	// cannot do).
	Terraform string
	// TerraformEnv is added to every tofu run (a provider mirror's
	// TF_CLI_CONFIG_FILE; HCLOUD_ENDPOINT for a Hetzner API proxy).
	TerraformEnv map[string]string
	// Endpoints override the providers' API URLs.
	Endpoints cloud.Endpoints
}

// registry is the part of an SDK worker that registration needs; tests pass
// a replayer or a test environment.
type registry interface {
	RegisterWorkflowWithOptions(w any, options workflow.RegisterOptions)
	RegisterActivity(a any)
}

func taskQueue(m Mode) string {
	if m == ModeManager {
		return workflows.TaskQueueManager
	}
	return workflows.TaskQueueBootstrap
}

// Workflows are the workflows a mode hosts, by name.
func Workflows(m Mode) map[string]any {
	if m == ModeManager {
		return workflows.ManagerWorkflows()
	}
	return workflows.BootstrapWorkflows()
}

// Activities builds the activity structs a mode hosts. Both modes host the
// self-check's; the manager's Rollouts asks this engine's Temporal client c
// which operations run, and its Schedules deletes the schedules of
// scheduled upgrades that have run.
func Activities(cfg Config, c client.Client) []any {
	out := []any{&activities.SelfCheck{Dir: filepath.Join(cfg.DataDir, "selfcheck")}}
	if cfg.Mode == ModeBootstrap && cfg.Bootstrap != nil {
		d := cfg.Bootstrap
		return append(out,
			&activities.Terraform{Bin: d.Terraform, Dir: filepath.Join(cfg.DataDir, "terraform"), Env: d.TerraformEnv,
				StateKeyFile: cfg.CodecKeyFile},
			&activities.Cloud{Endpoints: d.Endpoints},
			&activities.Clusters{},
			&activities.WireGuard{},
			&activities.Gitea{},
			&activities.Flux{},
			&activities.Selection{},
		)
	}
	if cfg.Mode != ModeManager || cfg.Manager == nil {
		return out
	}
	d := cfg.Manager
	return append(out,
		&activities.Rollouts{Workflows: c},
		&activities.Schedules{Temporal: c},
		&activities.Crossplane{Client: d.Kube, Changes: d.Releases},
		&activities.Kubernetes{Client: d.Kube},
		&activities.Catalog{Client: d.Kube, HTTP: cfg.Fetch.Client(catalogindex.IndexTimeout)},
		&activities.Git{
			Dir:    filepath.Join(cfg.DataDir, "git"),
			Author: "openova", Email: "openova@localhost",
			Credentials: activities.SecretCredentials(d.Kube, d.Namespace),
			Fetch:       cfg.Fetch,
		},
		&activities.Alerts{AlertmanagerURL: d.AlertmanagerURL, WebhookURL: d.WebhookURL},
	)
}

// Register adds a mode's workflows, under their constant names, and its
// activities to r (a worker, a replayer, a test environment).
func Register(r registry, cfg Config, c client.Client) {
	wfs := Workflows(cfg.Mode)
	names := make([]string, 0, len(wfs))
	for name := range wfs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		r.RegisterWorkflowWithOptions(wfs[name], workflow.RegisterOptions{Name: name})
	}
	for _, a := range Activities(cfg, c) {
		r.RegisterActivity(a)
	}
}
