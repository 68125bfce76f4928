package main

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/dev/testenv"
	"github.com/openova-io/core/terraform"
	"github.com/openova-io/core/workflows"
)

var record = flag.Bool("record", false, "record the replay histories in workflows/testdata from a real openova run")

// TestRecordReplayHistories writes the histories that workflows' replay tests
// replay. It runs the real binary with the test-only codec key in
// workflows/testdata, so the histories are encrypted as in production. Run it
// (go test ./cmd/openova -run TestRecordReplayHistories -record) when a
// workflow changes on purpose, and commit the result next to the old ones.
func TestRecordReplayHistories(t *testing.T) {
	if !*record {
		t.Skip("records only with -record")
	}
	testdata := filepath.Join(testenv.RepoRoot(), "workflows", "testdata")
	p := startOpenova(t, "bootstrap", t.TempDir(), "--codec-key-file", filepath.Join(testdata, "codec.key"))
	c := p.client(t, "")
	cases := map[string]workflows.SelfCheckInput{
		"selfcheck-v1-ok":            {},
		"selfcheck-v1-retried":       {Steps: 2, Note: "recorded", FailFirstAttempt: true},
		"selfcheck-v1-invalid-input": {Steps: 1000},
	}
	save := func(name, id string) {
		out, err := temporalCLI(t, "workflow", "show", "-w", id, "--address", p.temporalAddr, "-o", "json")
		require.NoError(t, err, out)
		require.NoError(t, os.WriteFile(filepath.Join(testdata, name+".json"), []byte(out), 0o644))
	}
	for name, in := range cases {
		run := startSelfCheck(t, c, name, in)
		_ = run.Get(t.Context(), nil)
		save(name, workflows.SelfCheckID(name))
	}
	run, err := c.ExecuteWorkflow(t.Context(), client.StartWorkflowOptions{
		ID: workflows.BootstrapID("acme"), TaskQueue: workflows.TaskQueueBootstrap,
	}, workflows.BootstrapWorkflow, badTokenBootstrap())
	require.NoError(t, err)
	_ = run.Get(t.Context(), nil)
	save("bootstrap-v1-badtoken", workflows.BootstrapID("acme"))
}

// badTokenBootstrap is a Bootstrap whose Hetzner token the credential check
// refuses, before any plan.
func badTokenBootstrap() workflows.BootstrapInput {
	return workflows.BootstrapInput{
		Organization: "acme", Domain: "acme.example", Provider: terraform.Hetzner,
		Credentials: map[string]string{"token": "not-a-hetzner-token"},
		Regions: []workflows.BootstrapRegion{{Name: "fsn1", Role: workflows.RolePrimary, ControlPlanes: 1, Workers: 1,
			ControlPlaneSize: "cpx22", WorkerSize: "cpx22", NodeCIDR: "10.0.0.0/16", PodCIDR: "10.42.0.0/16", ServiceCIDR: "10.43.0.0/16"}},
	}
}

// The real binary refuses a malformed token at the credential check, with
// a message that names the provider and the field and not the value.
func TestBootstrapRefusesABadTokenBeforeAnyPlan(t *testing.T) {
	p := startOpenova(t, "bootstrap", t.TempDir())
	run, err := p.client(t, "").ExecuteWorkflow(t.Context(), client.StartWorkflowOptions{
		ID: workflows.BootstrapID("acme"), TaskQueue: workflows.TaskQueueBootstrap,
	}, workflows.BootstrapWorkflow, badTokenBootstrap())
	require.NoError(t, err)
	err = run.Get(t.Context(), nil)
	var app *temporal.ApplicationError
	require.ErrorAs(t, err, &app)
	require.Equal(t, activities.ErrInvalidCredentials, app.Type())
	require.Contains(t, app.Error(), "hetzner token: a Hetzner Cloud API token is 64 letters and digits")
	require.NotContains(t, app.Error(), "not-a-hetzner-token")
}
