package testenv

import (
	"errors"
	"net"
	"strconv"
	"sync"
	"testing"

	"github.com/openova-io/core/worker/ports"
)

// Reservation holds one port on some loopback hosts until each is
// released. A port picked long before the process that binds it starts
// (a stand-in cluster's API server binds once its cloud servers exist,
// a minute or more after the kubeconfig naming it was built) is free in
// between for any other test process's pick, and on a busy CI machine
// one took it: the API server then failed to bind five times over. A held
// port is not free. While held it accepts connections and closes them at
// once, as close to a port nothing listens on as a listener gets: the
// client sees an error and tries again.
type Reservation struct {
	Port int
	mu   sync.Mutex
	held map[string]net.Listener
}

// ReservePort picks a port (FreePort's range) free on every host and holds
// it there until Release or the end of the test.
func ReservePort(t testing.TB, hosts ...string) *Reservation {
	t.Helper()
	for range 32 {
		p, err := ports.Pick()
		if err != nil {
			t.Fatalf("find a free port: %v", err)
		}
		if r, ok := hold(p, hosts); ok {
			t.Cleanup(r.releaseAll)
			return r
		}
	}
	t.Fatalf("no port was free on all of %v", hosts)
	return nil
}

// hold listens on p on every host, or on none.
func hold(p int, hosts []string) (*Reservation, bool) {
	r := &Reservation{Port: p, held: map[string]net.Listener{}}
	for _, h := range hosts {
		l, err := net.Listen("tcp", net.JoinHostPort(h, strconv.Itoa(p)))
		if err != nil {
			r.releaseAll()
			return nil, false
		}
		r.held[h] = l
		go refuse(l)
	}
	return r, true
}

// refuse closes every connection the held port accepts.
func refuse(l net.Listener) {
	for {
		c, err := l.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err == nil {
			_ = c.Close()
		}
	}
}

// Release frees the port on host for the process about to bind it. It is
// safe to call twice.
func (r *Reservation) Release(host string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if l, ok := r.held[host]; ok {
		_ = l.Close()
		delete(r.held, host)
	}
}

func (r *Reservation) releaseAll() {
	r.mu.Lock()
	hosts := make([]string, 0, len(r.held))
	for h := range r.held {
		hosts = append(hosts, h)
	}
	r.mu.Unlock()
	for _, h := range hosts {
		r.Release(h)
	}
}
