package main

import (
	"encoding/base64"
	"encoding/json"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/bootstrap"
	"github.com/openova-io/core/dev/testenv/gitea"
	"github.com/openova-io/core/dev/testenv/k3s"
	"github.com/openova-io/core/dev/testenv/standin"
	"github.com/openova-io/core/workflows"
)

// promoteStandby runs the Promote workflow on the bootstrapped regions'
// Giteas (the real binary's worker, the played Giteas, the link's
// stand-in): hel1 becomes the writer, fsn1's mirror to it is gone, hel1
// pushes to fsn1's private address, and a commit written on hel1 reaches
// fsn1. It returns the workflow's ID, whose history the caller checks.
func promoteStandby(t *testing.T, cloud *cloudStandIn, c client.Client) string {
	t.Helper()
	endpoint := func(r string, g *gitea.Instance) activities.GiteaEndpoint {
		ud, ok := cloud.API.ServerUserData("acme-" + r + "-cp-0")
		require.True(t, ok)
		ca := k3s.ParseCloudInit(t, ud).Files["/var/lib/rancher/k3s/server/tls/server-ca.crt"]
		require.NotEmpty(t, ca, "the server CA of %s", r)
		return activities.GiteaEndpoint{Region: r, URL: "https://" + net.JoinHostPort(cloud.LBIP[r], strconv.Itoa(cloud.GiteaPort)),
			Username: bootstrap.GiteaAdmin, Password: g.Password, CA: ca}
	}
	primary, standby := cloud.Gitea["fsn1"].Instance(), cloud.Gitea["hel1"].Instance()
	in := workflows.PromoteInput{Organization: "acme", Primary: endpoint("fsn1", primary), Standby: endpoint("hel1", standby),
		PrimaryAddress: "https://" + standin.PrivateGitea(standInGateways["fsn1"]) + "/acme/platform.git",
		StandbyAddress: "https://" + standin.PrivateGitea(standInGateways["hel1"]) + "/acme/platform.git"}
	id := workflows.PromoteID("acme")
	run, err := c.ExecuteWorkflow(t.Context(), client.StartWorkflowOptions{ID: id, TaskQueue: workflows.TaskQueueBootstrap,
		TypedSearchAttributes: workflows.OperationAttributes("acme", "", workflows.OperationPromote)}, workflows.PromoteWorkflow, in)
	require.NoError(t, err)
	var res workflows.PromoteResult
	require.NoError(t, run.Get(t.Context(), &res))
	require.Equal(t, in.PrimaryAddress, res.Mirror.Address)
	require.Len(t, res.Removed, 1, "fsn1's mirror to hel1 was removed")
	require.Len(t, pushMirrors(t, primary), 0, "fsn1 no longer pushes")
	require.Equal(t, []string{in.PrimaryAddress}, pushMirrors(t, standby), "hel1 pushes to fsn1 over the link")

	content := base64.StdEncoding.EncodeToString([]byte("written on hel1 after the promotion\n"))
	code, body, err := standby.Do("POST", "/api/v1/repos/acme/platform/contents/promoted.txt",
		`{"content":"`+content+`","message":"written on the promoted standby","branch":"main"}`)
	require.NoError(t, err)
	require.Equal(t, 201, code, body)
	var created struct{ Commit struct{ SHA string } }
	require.NoError(t, json.Unmarshal([]byte(body), &created))
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		code, body, err := primary.Get("/api/v1/repos/acme/platform/branches/main")
		if assert.NoError(ct, err) && assert.Equal(ct, 200, code, body) {
			var branch struct{ Commit struct{ ID string } }
			assert.NoError(ct, json.Unmarshal([]byte(body), &branch))
			assert.Equal(ct, created.Commit.SHA, branch.Commit.ID, "fsn1's main reaches the commit written on hel1")
		}
	}, 2*time.Minute, 200*time.Millisecond)
	return id
}

// pushMirrors are the remote addresses of the platform repository's push mirrors.
func pushMirrors(t *testing.T, g *gitea.Instance) []string {
	t.Helper()
	code, body, err := g.Get("/api/v1/repos/acme/platform/push_mirrors")
	require.NoError(t, err)
	require.Equal(t, 200, code, body)
	var mirrors []struct {
		RemoteAddress string `json:"remote_address"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &mirrors))
	out := []string{}
	for _, m := range mirrors {
		out = append(out, m.RemoteAddress)
	}
	return out
}
