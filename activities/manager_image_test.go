package activities

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"code.gitea.io/sdk/gitea"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	crremote "github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/openova-io/core/image"
)

// staticBinary links a small static Linux program for this machine's
// architecture, standing in for the openova binary (package image links
// the real one; here what matters is the registry).
func staticBinary(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "main.go")
	require.NoError(t, os.WriteFile(src, []byte("package main\n\nfunc main() { println(\"openova stand-in\") }\n"), 0o600))
	bin := filepath.Join(dir, "openova")
	cmd := exec.Command("go", "build", "-o", bin, src)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GO111MODULE=off")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	return bin
}

// PushManagerImage into a real Gitea's container registry: pushed twice,
// one digest; pulled back by that digest, it is the image package builds
// (user, entrypoint); refused credentials and a binary that cannot be the
// image are non-retryable, with no password in the error.
func TestPushManagerImage_RealGitea(t *testing.T) {
	inst := sharedGitea(t)[0]
	_, _, err := sdk(t, inst).CreateOrg(gitea.CreateOrgOption{Name: "imageorg"})
	require.NoError(t, err)
	g := &Gitea{ManagerBinary: staticBinary(t)}
	r := newActivityRun(g)
	in := PushManagerImageInput{Gitea: endpoint(inst), Org: "imageorg"}

	var first, second PushManagerImageResult
	require.NoError(t, r.do(g.PushManagerImage, in, &first))
	require.NoError(t, r.do(g.PushManagerImage, in, &second))
	require.Equal(t, first, second, "the same binary, the same digest")
	require.Regexp(t, `^127\.0\.0\.1:\d+/imageorg/openova$`, first.Repository)
	require.Regexp(t, `^sha256:[0-9a-f]{64}$`, first.Digest)

	ref, err := name.NewDigest(first.Repository+"@"+first.Digest, name.Insecure)
	require.NoError(t, err)
	img, err := crremote.Image(ref, crremote.WithAuth(&authn.Basic{Username: inst.Username, Password: inst.Password.Reveal()}))
	require.NoError(t, err)
	d, err := img.Digest()
	require.NoError(t, err)
	require.Equal(t, first.Digest, d.String(), "pulled back by digest")
	cfg, err := img.ConfigFile()
	require.NoError(t, err)
	require.Equal(t, image.User, cfg.Config.User)
	require.Equal(t, []string{image.BinaryPath}, cfg.Config.Entrypoint)

	wrong := in
	wrong.Gitea.Password = "canary-wrong-registry-password"
	err = r.do(g.PushManagerImage, wrong, &PushManagerImageResult{})
	require.Equal(t, ErrGiteaAuth, errType(err), "%v", err)
	require.NotContains(t, err.Error(), "canary-wrong-registry-password")

	dynamic := &Gitea{ManagerBinary: "/bin/ls"}
	err = newActivityRun(dynamic).do(dynamic.PushManagerImage, in, &PushManagerImageResult{})
	require.Equal(t, ErrManagerImage, errType(err), "%v", err)
	var app *temporal.ApplicationError
	require.ErrorAs(t, err, &app)
	require.True(t, app.NonRetryable())
	require.Contains(t, err.Error(), "CGO_ENABLED=0")
}
