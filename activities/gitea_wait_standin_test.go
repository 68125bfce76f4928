package activities

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
)

// WaitGitea through what a region shows while the chart comes up, played
// by a TLS server with IssueServingCert's certificate (no Gitea binary
// needed): the load balancer answers 502 while no pod is ready, then
// Gitea answers; the wait heartbeats each state and returns the version
// once the admin signs in. A load balancer that never gets a pod ends the
// wait at its deadline with GiteaNotReady naming the URL and "HTTP 502".
func TestWaitGitea_StandIn(t *testing.T) {
	pki, err := NewClusterPKI("acme-fsn1", time.Now())
	require.NoError(t, err)
	c := &Clusters{}
	g := &Gitea{ReadyPoll: 20 * time.Millisecond}
	r := newActivityRun(c, g)
	var cert ServingCertResult
	require.NoError(t, r.do(c.IssueServingCert, ServingCertInput{Cluster: "acme-fsn1", PKI: pki, Name: "gitea", Hosts: []string{"127.0.0.1"}}, &cert))
	pair, err := tls.X509KeyPair([]byte(cert.Cert), []byte(cert.Key.Reveal()))
	require.NoError(t, err)

	var badGateways atomic.Int64 // how many requests still get 502
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if badGateways.Add(-1) >= 0 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		switch req.URL.Path {
		case "/api/v1/version":
			_, _ = w.Write([]byte(`{"version":"1.22.3"}`))
		case "/api/v1/user":
			if u, p, ok := req.BasicAuth(); !ok || u != "openova-admin" || p != "right-password" {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			_, _ = w.Write([]byte(`{"login":"openova-admin","is_admin":true}`))
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{pair}}
	srv.StartTLS()
	t.Cleanup(srv.Close)

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
	ep := GiteaEndpoint{Region: "fsn1", URL: srv.URL, Username: "openova-admin", Password: "right-password"}

	t.Run("502 while the pod starts, then ready", func(t *testing.T) {
		badGateways.Store(3)
		var res WaitGiteaResult
		require.NoError(t, r.do(g.WaitGitea, WaitGiteaInput{Gitea: ep, CA: pki.ServerCA, Deadline: time.Now().Add(time.Minute)}, &res))
		require.Equal(t, "1.22.3", res.Version)
	})

	t.Run("no pod by the deadline", func(t *testing.T) {
		badGateways.Store(1 << 40)
		err := r.do(g.WaitGitea, WaitGiteaInput{Gitea: ep, CA: pki.ServerCA, Deadline: time.Now().Add(200 * time.Millisecond)}, &WaitGiteaResult{})
		var app *temporal.ApplicationError
		require.ErrorAs(t, err, &app)
		require.Equal(t, ErrGiteaNotReady, app.Type())
		require.True(t, app.NonRetryable())
		require.Contains(t, app.Error(), "gitea fsn1 at "+srv.URL+" did not answer")
		require.Contains(t, app.Error(), "(last: HTTP 502 Bad Gateway on /api/v1/version)")
		mu.Lock()
		defer mu.Unlock()
		require.Contains(t, beats, "HTTP 502 Bad Gateway on /api/v1/version", "the heartbeat says what it saw")
	})

	t.Run("the admin refused", func(t *testing.T) {
		badGateways.Store(0)
		wrong := ep
		wrong.Password = "wrong-password"
		err := r.do(g.WaitGitea, WaitGiteaInput{Gitea: wrong, CA: pki.ServerCA, Deadline: time.Now().Add(200 * time.Millisecond)}, &WaitGiteaResult{})
		require.Equal(t, ErrGiteaAuth, errType(err))
		require.ErrorContains(t, err, "(last: admin refused)")
	})
}
