package testenv

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// Receiver is a real HTTP server on loopback that records what is posted
// to it, by path, as Alertmanager or a webhook would receive it.
type Receiver struct {
	URL string

	mu     sync.Mutex
	status int
	bodies map[string][]string
	keys   []string
}

// NewReceiver starts a receiver answering status; it stops with the test.
func NewReceiver(t testing.TB, status int) *Receiver {
	r := &Receiver{status: status, bodies: map[string][]string{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.bodies[req.URL.Path] = append(r.bodies[req.URL.Path], string(body))
		if k := req.Header.Get("Idempotency-Key"); k != "" {
			r.keys = append(r.keys, k)
		}
		r.mu.Unlock()
		w.WriteHeader(r.status)
	}))
	t.Cleanup(srv.Close)
	r.URL = srv.URL
	return r
}

// Bodies are the request bodies received on path, in order.
func (r *Receiver) Bodies(path string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.bodies[path]...)
}

// IdempotencyKeys are the Idempotency-Key headers received, in order.
func (r *Receiver) IdempotencyKeys() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.keys...)
}
