package activities

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/fluxcd/pkg/gittestserver"
	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// tlsGitServer is a real Git server (git http-backend) on loopback over
// HTTPS with a certificate of its own cluster CA, as the bootstrap's Gitea
// has: it returns the repository's URL and that CA.
func tlsGitServer(t *testing.T, user, pass string) (repoURL, ca string) {
	t.Helper()
	pki, err := NewClusterPKI("acme-fsn1", time.Now())
	require.NoError(t, err)
	cert, key, err := ServingCert(pki, []string{"127.0.0.1"}, time.Now())
	require.NoError(t, err)
	srv := gittestserver.NewGitServer(t.TempDir()).Auth(user, pass)
	_, err = gogit.PlainInitWithOptions(filepath.Join(srv.Root(), "platform.git"), &gogit.PlainInitOptions{
		Bare: true, InitOptions: gogit.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")},
	})
	require.NoError(t, err)
	require.NoError(t, srv.StartHTTPS([]byte(cert), []byte(key), []byte(pki.ServerCA), ""))
	t.Cleanup(srv.StopHTTP)
	return srv.HTTPAddress() + "/platform.git", pki.ServerCA
}

// The manager commits to the platform's own Gitea, whose certificate its
// cluster CA signed: the credentials Secret's ca.crt makes that host
// verify (for that host only), a Secret without it gets a certificate
// error, and a ca.crt that is not PEM gets a message saying what to give.
func TestGitCredentialsWithTheServersCA(t *testing.T) {
	const pass = "token-for-the-tls-gitea"
	repo, ca := tlsGitServer(t, "openova", pass)
	cl, ns := kubeClient(t)
	secret := func(name string, ca string) *Git {
		data := map[string][]byte{"username": []byte("openova"), "password": []byte(pass), "url": []byte(repo)}
		if ca != "" {
			data[GitSecretCAKey] = []byte(ca)
		}
		require.NoError(t, cl.Create(context.Background(), &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Data: data}))
		return &Git{Fetch: devFetch, Dir: t.TempDir(), Credentials: SecretCredentials(cl, ns)}
	}
	cases := []struct {
		name, secret, ca string
		wantErr          string
		wantType         string
	}{
		{name: "no ca.crt: the private certificate is not trusted", secret: "no-ca", wantErr: "certificate signed by unknown authority"},
		{name: "ca.crt not PEM", secret: "bad-ca", ca: "not a certificate", wantErr: "ca.crt is not a PEM certificate", wantType: ErrGitCredentials},
		{name: "the cluster CA as ca.crt", secret: "with-ca", ca: ca},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := secret(tc.secret, tc.ca)
			in := CommitManifestInput{RepoURL: repo, Branch: "main", Path: "clusters/fsn1/platform.yaml", SecretRef: tc.secret, Content: []byte("kind: Platform\n"), Message: "hand over"}
			res, err := run[CommitManifestResult](t, g, g.CommitManifest, in)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				require.NotContains(t, err.Error(), pass)
				if tc.wantType != "" {
					requireAppError(t, err, tc.wantType, true)
				}
				return
			}
			require.NoError(t, err)
			require.True(t, res.Changed)
			again, err := run[CommitManifestResult](t, g, g.CommitManifest, in)
			require.NoError(t, err)
			require.Equal(t, res.Commit, again.Commit, "the same file committed twice makes one commit")
		})
	}
}
