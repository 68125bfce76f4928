package fakehcloud

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hetznercloud/hcloud-go/v2/hcloud"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"
)

// env is a fake and a real hcloud-go client pointed at it.
type env struct {
	t      *testing.T
	ctx    context.Context
	fake   *Server
	client *hcloud.Client
}

// newEnv starts a fake and a client that polls actions every millisecond
// and does not retry, so a test sees each answer as the fake gave it.
func newEnv(t *testing.T, opts Options) *env {
	t.Helper()
	fake := New(opts)
	t.Cleanup(fake.Close)
	return &env{t: t, ctx: t.Context(), fake: fake, client: clientFor(fake, fake.Token())}
}

func clientFor(fake *Server, token string) *hcloud.Client {
	return hcloud.NewClient(
		hcloud.WithEndpoint(fake.URL()),
		hcloud.WithToken(token),
		hcloud.WithPollOpts(hcloud.PollOpts{BackoffFunc: hcloud.ConstantBackoff(time.Millisecond)}),
		hcloud.WithRetryOpts(hcloud.RetryOpts{BackoffFunc: hcloud.ConstantBackoff(time.Millisecond), MaxRetries: 0}),
	)
}

// wait waits for actions to succeed.
func (e *env) wait(actions ...*hcloud.Action) {
	e.t.Helper()
	require.NoError(e.t, e.client.Action.WaitFor(e.ctx, actions...))
}

// do runs an action-returning call and waits for its action.
func (e *env) do(a *hcloud.Action, _ *hcloud.Response, err error) {
	e.t.Helper()
	require.NoError(e.t, err)
	e.wait(a)
}

// raw sends a request with the fake's token (or the one given) and
// returns the status and body, for what hcloud-go cannot express.
func (e *env) raw(method, path, body string, token ...string) (int, string) {
	e.t.Helper()
	req, err := http.NewRequestWithContext(e.ctx, method, e.fake.URL()+path, strings.NewReader(body))
	require.NoError(e.t, err)
	tok := e.fake.Token()
	if len(token) > 0 {
		tok = token[0]
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(e.t, err)
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	require.NoError(e.t, err)
	return resp.StatusCode, string(bytes.TrimSpace(b))
}

// publicKey is a fresh SSH public key in authorized_keys form.
func publicKey(t *testing.T) string {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	key, err := ssh.NewPublicKey(pub)
	require.NoError(t, err)
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(key)))
}

func cidr(t *testing.T, s string) *net.IPNet {
	t.Helper()
	_, n, err := net.ParseCIDR(s)
	require.NoError(t, err)
	return n
}

// apiError asserts err is an API error with that code and HTTP status.
func requireAPIError(t *testing.T, err error, code hcloud.ErrorCode, status int) hcloud.Error {
	t.Helper()
	require.Error(t, err)
	var herr hcloud.Error
	require.ErrorAs(t, err, &herr)
	require.Equal(t, code, herr.Code, "%v", err)
	require.NotNil(t, herr.Response())
	require.Equal(t, status, herr.Response().StatusCode)
	return herr
}
