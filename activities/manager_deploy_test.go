package activities

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"code.gitea.io/sdk/gitea"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/openova-io/core/image"
)

// CommitManager writes clusters/<region>/manager.yaml into a real Gitea's
// platform repository once: a second run makes no commit, a new digest
// updates the file in one more, and the file names the image by digest.
func TestCommitManager_RealGitea(t *testing.T) {
	inst := sharedGitea(t)[0]
	r := newGiteaRun()
	ep := endpoint(inst)
	require.NoError(t, r.do(r.g.EnsureGiteaOrg, EnsureGiteaOrgInput{Gitea: ep, Org: "mgrorg"}, &EnsureGiteaOrgResult{}))
	require.NoError(t, r.do(r.g.EnsureGiteaRepository, EnsureGiteaRepositoryInput{Gitea: ep, Org: "mgrorg", Repo: "platform"}, &EnsureGiteaRepositoryResult{}))
	in := CommitManagerInput{Gitea: ep, Org: "mgrorg", Repo: "platform",
		Manager: ManagerFilesInput{Region: "fsn1", Repository: "198.51.100.1:3000/mgrorg/openova", Digest: testDigest}}

	var first, again, moved CommitSubstrateResult
	require.NoError(t, r.do(r.g.CommitManager, in, &first))
	require.True(t, first.Changed)
	require.Equal(t, []string{"clusters/fsn1/manager.yaml"}, first.Files)
	require.NoError(t, r.do(r.g.CommitManager, in, &again))
	require.False(t, again.Changed, "the same manifests: no second commit")
	require.Equal(t, first.Commit, again.Commit)

	raw, _, err := sdk(t, inst).GetFile("mgrorg", "platform", "main", "clusters/fsn1/manager.yaml")
	require.NoError(t, err)
	require.Contains(t, string(raw), "image: 198.51.100.1:3000/mgrorg/openova@"+testDigest)
	require.NotContains(t, string(raw), "kind: Secret", "no Secret goes into Git")

	in.Manager.Digest = "sha256:" + strings.Repeat("2", 64)
	require.NoError(t, r.do(r.g.CommitManager, in, &moved))
	require.True(t, moved.Changed)
	commits, _, err := sdk(t, inst).ListRepoCommits("mgrorg", "platform", gitea.ListCommitOptions{Path: "clusters/fsn1/manager.yaml"})
	require.NoError(t, err)
	require.Len(t, commits, 2, "two digests, two commits")

	bad := in
	bad.Manager.Digest = "latest"
	err = r.do(r.g.CommitManager, bad, &CommitSubstrateResult{})
	require.Equal(t, ErrInvalidSubstrate, errType(err), "%v", err)
	require.ErrorContains(t, err, "is not sha256:<64 hex digits>")
}

// WaitManager waits for a manager served over TLS with a certificate from
// the cluster's CA: a 503 is waited through, a 200 ends the wait with the
// served certificate's fingerprint; a certificate for another name never
// satisfies it, and the deadline's error says what was seen last.
func TestWaitManager(t *testing.T) {
	pki, err := NewClusterPKI("acme-fsn1", time.Now())
	require.NoError(t, err)
	c := &Clusters{}
	r := newActivityRun(c)
	serve := func(t *testing.T, name string, ready *atomic.Bool) (string, string) {
		var cert ServingCertResult
		require.NoError(t, r.do(c.IssueServingCert, ServingCertInput{Cluster: "acme-fsn1", PKI: pki, Name: name, Hosts: []string{"127.0.0.1", name}}, &cert))
		pair, err := tls.X509KeyPair([]byte(cert.Cert), []byte(cert.Key.Reveal()))
		require.NoError(t, err)
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			if req.URL.Path != "/readyz" || !ready.Load() {
				http.Error(w, "temporal: starting", http.StatusServiceUnavailable)
				return
			}
			_, _ = w.Write([]byte("ok"))
		}))
		srv.TLS = &tls.Config{Certificates: []tls.Certificate{pair}}
		srv.StartTLS()
		t.Cleanup(srv.Close)
		return srv.URL, PEMFingerprint(cert.Cert)
	}

	t.Run("answers after starting", func(t *testing.T) {
		var ready atomic.Bool
		url, fp := serve(t, "manager.acme.example", &ready)
		time.AfterFunc(300*time.Millisecond, func() { ready.Store(true) })
		var res WaitManagerResult
		require.NoError(t, r.do(c.WaitManager, WaitManagerInput{Region: "fsn1", URL: url, CA: pki.ServerCA, ServerName: "manager.acme.example",
			Deadline: time.Now().Add(time.Minute), Poll: 50 * time.Millisecond}, &res))
		require.Equal(t, fp, res.CertFingerprint)
		require.Regexp(t, `^([0-9A-F]{2}:){31}[0-9A-F]{2}$`, res.CertFingerprint)
	})
	for _, tc := range []struct {
		name, served string
		ready        bool
		want         string
	}{
		{"never ready", "manager.acme.example", false, "last: HTTP 503 on /readyz: temporal: starting"},
		{"a certificate for another name", "gitea.fsn1.acme.example", true, "last: TLS: its certificate does not verify against the cluster's server CA"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ready atomic.Bool
			ready.Store(tc.ready)
			url, _ := serve(t, tc.served, &ready)
			err := r.do(c.WaitManager, WaitManagerInput{Region: "fsn1", URL: url, CA: pki.ServerCA, ServerName: "manager.acme.example",
				Deadline: time.Now().Add(300 * time.Millisecond), Poll: 50 * time.Millisecond}, &WaitManagerResult{})
			require.Equal(t, ErrManagerNotReady, errType(err), "%v", err)
			var app *temporal.ApplicationError
			require.ErrorAs(t, err, &app)
			require.True(t, app.NonRetryable())
			require.ErrorContains(t, err, tc.want)
			require.ErrorContains(t, err, "look at the Deployment openova-system/openova-manager")
		})
	}
	for _, in := range []WaitManagerInput{
		{Region: "fsn1", URL: "http://127.0.0.1:1", CA: pki.ServerCA, ServerName: "m"},
		{Region: "fsn1", URL: "https://127.0.0.1:1", CA: pki.ServerCA},
		{Region: "fsn1", URL: "https://127.0.0.1:1", CA: "not a certificate", ServerName: "m"},
	} {
		err := r.do(c.WaitManager, in, &WaitManagerResult{})
		require.Equal(t, ErrInvalidBootstrap, errType(err), "%v", err)
	}
}

// CheckManagerImage accepts a static Linux binary of the nodes'
// architecture; else the release's published image for the nodes'
// platform (never one named by tag); else it refuses, non-retryably and
// with what to do, a binary that is dynamically linked or for other nodes.
func TestCheckManagerImage(t *testing.T) {
	static := &Gitea{ManagerBinary: staticBinary(t)}
	var res ManagerImageCheck
	require.NoError(t, newActivityRun(static).do(static.CheckManagerImage, ManagerImageCheckInput{OS: "linux", Architecture: "amd64"}, &res))
	require.Equal(t, "this openova executable, as a linux/amd64 image", res.Image)
	// A release build that published an arm64 image: arm64 nodes run it.
	const arm = "ghcr.io/openova-io/openova@sha256:2222222222222222222222222222222222222222222222222222222222222222"
	old := image.Published
	image.Published = "linux/arm64=" + arm
	res = ManagerImageCheck{}
	require.NoError(t, newActivityRun(static).do(static.CheckManagerImage, ManagerImageCheckInput{OS: "linux", Architecture: "arm64"}, &res))
	require.Equal(t, arm, res.Published)
	require.Contains(t, res.Image, "the release's published linux/arm64 image "+arm)
	require.Contains(t, res.Image, "is built for amd64, not arm64", "and why this executable is not")
	image.Published = "linux/arm64=ghcr.io/openova-io/openova:latest"
	err := newActivityRun(static).do(static.CheckManagerImage, ManagerImageCheckInput{OS: "linux", Architecture: "arm64"}, &ManagerImageCheck{})
	require.Equal(t, ErrManagerImage, errType(err), "%v", err)
	require.ErrorContains(t, err, "is not named by digest")
	image.Published = old

	for _, tc := range []struct {
		name string
		g    *Gitea
		arch string
		want string
	}{
		{"dynamically linked", &Gitea{ManagerBinary: "/bin/ls"}, "amd64", "CGO_ENABLED=0"},
		{"other nodes", static, "arm64", "is built for amd64, not arm64"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := newActivityRun(tc.g).do(tc.g.CheckManagerImage, ManagerImageCheckInput{OS: "linux", Architecture: tc.arch}, &ManagerImageCheck{})
			require.Equal(t, ErrManagerImage, errType(err), "%v", err)
			var app *temporal.ApplicationError
			require.ErrorAs(t, err, &app)
			require.True(t, app.NonRetryable())
			require.ErrorContains(t, err, "cannot be the manager's image for the linux/"+tc.arch+" nodes")
			require.ErrorContains(t, err, tc.want)
		})
	}
}
