// Package standin is everything outside openova that a bootstrap talks to,
// stood in on loopback by real servers and players: the end-to-end tests
// and ./dev/dev.sh demo share it.
package standin

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// Link stands in for the WireGuard link between the regions'
// private networks: the primary's Gitea pushes its mirror to the standby
// gateway's private address (10.1.1.10:30300, the Gitea NodePort), which
// does not exist on this machine. Played Giteas send requests for 10.* to
// this HTTP CONNECT proxy (app.ini [proxy]; Gitea runs git with the proxy
// in its environment), which connects each private address:port it knows
// to the played Gitea of that region. TLS stays end to end: the primary's
// git checks the standby's certificate, issued for the private address,
// against the standby's CA, as over the real link.
type Link struct {
	ln     net.Listener
	mu     sync.Mutex
	routes map[string]string // private host:port → stand-in host:port
	seen   map[string]int    // private host:port → connections made
}

// NewLink starts the link's proxy; it stops with the test.
func NewLink(t testing.TB) *Link {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	l := &Link{ln: ln, routes: map[string]string{}, seen: map[string]int{}}
	srv := &http.Server{Handler: http.HandlerFunc(l.connect)}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return l
}

// Route makes private (host:port) reach target (host:port).
func (l *Link) Route(private, target string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.routes[private] = target
}

// Connections is how many connections went to private.
func (l *Link) Connections(private string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.seen[private]
}

// AppIni is the [proxy] section that sends a played Gitea's requests for
// the private networks through the stand-in.
func (l *Link) AppIni() string {
	return "[proxy]\nPROXY_ENABLED = true\nPROXY_URL = http://" + l.ln.Addr().String() + "\nPROXY_HOSTS = 10.*\n"
}

func (l *Link) connect(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	target, ok := l.routes[r.Host]
	if ok {
		l.seen[r.Host]++
	}
	l.mu.Unlock()
	if r.Method != http.MethodConnect || !ok {
		http.Error(w, "no route to "+r.Host+" over the link", http.StatusBadGateway)
		return
	}
	up, err := net.Dial("tcp", target)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		_ = up.Close()
		http.Error(w, "no hijack", http.StatusInternalServerError)
		return
	}
	down, buf, err := hj.Hijack()
	if err != nil {
		_ = up.Close()
		return
	}
	_, _ = down.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n"))
	go splice(up, buf.Reader, down)
}

// splice copies both ways until either side closes.
func splice(up net.Conn, pending *bufio.Reader, down net.Conn) {
	defer up.Close()
	defer down.Close()
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(up, pending); done <- struct{}{} }()
	go func() { _, _ = io.Copy(down, up); done <- struct{}{} }()
	<-done
}

// PrivateGitea is a region's Gitea as the other region reaches it over the
// link: its gateway's (cp-0's) private address and the Gitea NodePort.
func PrivateGitea(privateIP string) string { return net.JoinHostPort(privateIP, strconv.Itoa(30300)) }
