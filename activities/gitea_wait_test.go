package activities

import (
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	giteaenv "github.com/openova-io/core/dev/testenv/gitea"
	"github.com/openova-io/core/secret"
	"github.com/openova-io/core/worker/ports"
)

// WaitGitea against a real Gitea (built from source) serving HTTPS with a
// certificate IssueServingCert signed by the region's cluster CA, as the
// chart's pod does: it answers with the version once the admin signs in;
// with a wrong password, a CA of another cluster, or nothing listening it
// heartbeats what it sees and ends after its deadline with a typed,
// non-retryable error that names the URL and what it saw.
func TestWaitGitea_RealGiteaOverTLS(t *testing.T) {
	pki, err := NewClusterPKI("acme-fsn1", time.Now())
	require.NoError(t, err)
	other, err := NewClusterPKI("acme-nbg1", time.Now())
	require.NoError(t, err)
	c := &Clusters{}
	g := &Gitea{ReadyPoll: 100 * time.Millisecond}
	r := newActivityRun(c, g)
	var cert ServingCertResult
	require.NoError(t, r.do(c.IssueServingCert, ServingCertInput{Cluster: "acme-fsn1", PKI: pki, Name: "gitea", Hosts: []string{"127.0.0.1", "localhost"}}, &cert))
	inst := giteaenv.StartTLS(t, giteaenv.TLS{Cert: cert.Cert, Key: cert.Key.Reveal(), CA: pki.ServerCA}, "fsn1")[0]
	t.Logf("gitea on %s ready in %s", inst.URL, inst.Started)

	var mu sync.Mutex
	var beats []string
	r.env.SetOnActivityHeartbeatListener(func(_ *activity.Info, details converter.EncodedValues) {
		var s string
		if details.HasValues() && details.Get(&s) == nil {
			mu.Lock()
			beats = append(beats, s)
			mu.Unlock()
		}
	})
	sawBeat := func(what string) bool {
		mu.Lock()
		defer mu.Unlock()
		for _, b := range beats {
			if strings.Contains(b, what) {
				return true
			}
		}
		return false
	}
	closed, err := ports.Pick()
	require.NoError(t, err)
	ep := GiteaEndpoint{Region: "fsn1", URL: inst.URL, Username: inst.Username, Password: inst.Password}

	t.Run("ready: TLS verified, the admin signed in", func(t *testing.T) {
		var res WaitGiteaResult
		require.NoError(t, r.do(g.WaitGitea, WaitGiteaInput{Gitea: ep, CA: pki.ServerCA, Deadline: time.Now().Add(time.Minute)}, &res))
		require.Equal(t, "1.26.0", res.Version)
	})

	wrong := ep
	wrong.Password = "wrong-password-canary"
	unreachable := ep
	unreachable.URL = "https://127.0.0.1:" + strconv.Itoa(closed)
	for _, tc := range []struct {
		name string
		in   WaitGiteaInput
		kind string
		saw  string
	}{
		{"a wrong admin password", WaitGiteaInput{Gitea: wrong, CA: pki.ServerCA}, ErrGiteaAuth, "admin refused"},
		{"a certificate of another cluster's CA", WaitGiteaInput{Gitea: ep, CA: other.ServerCA}, ErrGiteaNotReady, "TLS: its certificate does not verify against the cluster's server CA"},
		{"nothing listening", WaitGiteaInput{Gitea: unreachable, CA: pki.ServerCA}, ErrGiteaNotReady, "connection refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mu.Lock()
			beats = nil
			mu.Unlock()
			tc.in.Deadline = time.Now().Add(time.Second)
			err := r.do(g.WaitGitea, tc.in, &WaitGiteaResult{})
			var app *temporal.ApplicationError
			require.ErrorAs(t, err, &app)
			require.Equal(t, tc.kind, app.Type())
			require.True(t, app.NonRetryable())
			require.Contains(t, app.Error(), "gitea fsn1 at "+tc.in.Gitea.URL+" did not answer /api/v1/version over TLS")
			require.Contains(t, app.Error(), "(last: "+tc.saw)
			require.True(t, sawBeat(tc.saw), "the heartbeat says what it saw")
		})
	}

	t.Run("an http URL is refused at once", func(t *testing.T) {
		plain := ep
		plain.URL = "http://127.0.0.1:" + strconv.Itoa(closed)
		err := r.do(g.WaitGitea, WaitGiteaInput{Gitea: plain, CA: pki.ServerCA, Deadline: time.Now().Add(time.Hour)}, &WaitGiteaResult{})
		require.Equal(t, ErrGiteaInvalidInput, errType(err))
	})

	for _, s := range []secret.Text{inst.Password, wrong.Password, cert.Key} {
		require.NotContains(t, r.logs.String(), s.Reveal())
		for _, e := range r.errs {
			require.NotContains(t, e, s.Reveal())
		}
	}
}
