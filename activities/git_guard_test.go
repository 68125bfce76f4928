package activities

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// recorder is an HTTP server on loopback that records the Authorization
// header of every request it gets, then passes the request on (to a Git
// server behind it) or redirects it (to another host).
type recorder struct {
	*httptest.Server
	mu   sync.Mutex
	auth []string // one entry per request: its Authorization header ("" none)
}

func (r *recorder) seen() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.auth...)
}

// recordingProxy puts a recorder in front of the Git server at target.
func recordingProxy(t *testing.T, target string) *recorder {
	t.Helper()
	u, err := url.Parse(target)
	require.NoError(t, err)
	u.Path = ""
	proxy := httputil.NewSingleHostReverseProxy(u)
	r := &recorder{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.auth = append(r.auth, req.Header.Get("Authorization"))
		r.mu.Unlock()
		proxy.ServeHTTP(w, req)
	}))
	t.Cleanup(r.Close)
	return r
}

// redirector is a recorder that sends every request to the same path on
// the host of to, as a Git host that moved a repository does (or one that
// wants the credentials sent elsewhere).
func redirector(t *testing.T, to string) *recorder {
	t.Helper()
	r := &recorder{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.auth = append(r.auth, req.Header.Get("Authorization"))
		r.mu.Unlock()
		http.Redirect(w, req, to+req.URL.RequestURI(), http.StatusTemporaryRedirect)
	}))
	t.Cleanup(r.Close)
	return r
}

// gitSecret creates the credentials Secret a platform's spec.git.secretRef
// names, with the url the credentials are for ("" none).
func gitSecret(t *testing.T, name, user, pass, forURL string) *Git {
	t.Helper()
	cl, ns := kubeClient(t)
	data := map[string][]byte{"username": []byte(user), "password": []byte(pass)}
	if forURL != "" {
		data["url"] = []byte(forURL)
	}
	require.NoError(t, cl.Create(context.Background(), &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Data: data}))
	return &Git{Fetch: devFetch, Dir: t.TempDir(), Credentials: SecretCredentials(cl, ns)}
}

// A credentials Secret is sent only to the host it names (its url key):
// a platform whose spec.git.url now points at another host (someone
// changed the URL, keeping the secretRef) is refused before anything is
// sent there, with a message that says what to change. Credentials that
// name no host are refused too; the named host gets them.
func TestGitCredentialsGoOnlyToTheHostTheyName(t *testing.T) {
	const pass = "s3cret-for-the-real-host"
	real := gitServer(t, "flux", pass)
	other := recordingProxy(t, gitServer(t, "", ""))
	otherURL := other.URL + "/platform.git"
	in := CommitManifestInput{RepoURL: otherURL, Branch: "main", Path: "a.yaml", SecretRef: "platform-git", Content: []byte("a")}

	g := gitSecret(t, "platform-git", "flux", pass, real)
	_, err := run[CommitManifestResult](t, g, g.CommitManifest, in)
	requireAppError(t, err, ErrGitCredentials, true)
	require.ErrorContains(t, err, "are for "+strings.TrimSuffix(real, "/platform.git"))
	require.ErrorContains(t, err, "not for "+other.URL)
	require.NotContains(t, err.Error(), pass)
	require.Empty(t, other.seen(), "nothing was sent to the other host")

	noURL := gitSecret(t, "platform-git-anywhere", "flux", pass, "")
	in.SecretRef = "platform-git-anywhere"
	_, err = run[CommitManifestResult](t, noURL, noURL.CommitManifest, in)
	requireAppError(t, err, ErrGitCredentials, true)
	require.ErrorContains(t, err, "has no url key: add url")
	require.Empty(t, other.seen(), "nothing was sent to the other host")

	in.RepoURL, in.SecretRef = real, "platform-git"
	res, err := run[CommitManifestResult](t, g, g.CommitManifest, in)
	require.NoError(t, err, "the host the credentials name gets them")
	require.True(t, res.Changed)
}

// A Git host that redirects to another host does not get openova to carry
// the credentials there, nor to follow it at all: the activity stops
// with a message saying the repository moved, and the other host (a real
// Git server behind a recorder) sees no request, let alone credentials.
func TestGitCredentialsDoNotFollowARedirectToAnotherHost(t *testing.T) {
	const pass = "s3cret-not-for-the-other-host"
	behind := recordingProxy(t, gitServer(t, "flux", pass))
	front := redirector(t, behind.URL)
	repoURL := front.URL + "/platform.git"

	g := gitSecret(t, "platform-git", "flux", pass, repoURL)
	_, err := run[CommitManifestResult](t, g, g.CommitManifest, CommitManifestInput{
		RepoURL: repoURL, Branch: "main", Path: "a.yaml", SecretRef: "platform-git", Content: []byte("a")})
	requireAppError(t, err, ErrGitRepository, true)
	require.ErrorContains(t, err, "redirected to "+strings.TrimPrefix(behind.URL, "http://")+", another host")
	require.NotContains(t, err.Error(), pass)
	for _, a := range behind.seen() {
		require.Empty(t, a, "no credentials reached the other host")
	}
	require.Empty(t, behind.seen(), "the redirect was not followed")
	require.NotEmpty(t, front.seen(), "the host the credentials are for was asked")
}

// A repository the fetch policy refuses is refused when the activity
// runs, before any request, whatever the Platform says (kubectl can set
// what the Settings page refuses): plain http unless in development, a
// link-local or metadata address or name, a local path.
func TestGitRepositoryKeepsToTheFetchPolicy(t *testing.T) {
	cases := []struct {
		name string
		g    *Git
		url  string
		want string
	}{
		{"plain http by default", &Git{Dir: t.TempDir()}, "http://git.example.com/acme/platform.git", "is refused: http://git.example.com is plain http"},
		{"metadata address", &Git{Fetch: devFetch, Dir: t.TempDir()}, "http://169.254.169.254/acme/platform.git", "169.254.169.254 is a link-local address"},
		{"AWS IPv6 metadata over https", &Git{Dir: t.TempDir()}, "https://[fd00:ec2::254]/acme/platform.git", "fd00:ec2::254 is a cloud metadata address"},
		{"metadata name over ssh", &Git{Dir: t.TempDir()}, "ssh://git@metadata.google.internal/acme/platform.git", "names a cloud metadata service"},
		{"local path", &Git{Fetch: devFetch, Dir: t.TempDir()}, "file:///srv/git/platform.git", "is not valid"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := run[CommitManifestResult](t, tc.g, tc.g.CommitManifest, CommitManifestInput{
				RepoURL: tc.url, Branch: "main", Path: "a.yaml", Content: []byte("a")})
			requireAppError(t, err, ErrGitRepository, true)
			require.ErrorContains(t, err, tc.want)
		})
	}
}
