package main

import (
	"bufio"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/dev/fakehcloud"
	"github.com/openova-io/core/dev/testenv"
)

// Unauthenticated input is bounded (issue 21, item 3), against the real
// binary: a huge body is refused before it is read (nothing reaches the
// process's TMPDIR), a trickled body and an idle keep-alive connection are
// closed, and 100 one-megabyte user names leave neither the heap nor the
// log grown.
func TestUnauthenticatedInputIsBounded(t *testing.T) {
	tmp := t.TempDir()
	pprofAddr := testenv.FreeAddr(t)
	p := startOpenovaEnv(t, []string{"TMPDIR=" + tmp}, "bootstrap", t.TempDir(), "--pprof-listen", pprofAddr)

	t.Run("a 600 MB body is refused before it is read", func(t *testing.T) {
		for _, tc := range []struct{ name, contentType, head, tail string }{
			{"multipart", "multipart/form-data; boundary=b0undary",
				"--b0undary\r\nContent-Disposition: form-data; name=\"user\"; filename=\"u\"\r\nContent-Type: application/octet-stream\r\n\r\n",
				"\r\n--b0undary--\r\n"},
			{"url-encoded", "application/x-www-form-urlencoded", "password=x&user=", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				body := &hugeBody{head: tc.head, tail: tc.tail, size: 600 << 20, tmpDir: tmp}
				req, err := http.NewRequest(http.MethodPost, p.url("/login"), body)
				require.NoError(t, err)
				req.Header.Set("Content-Type", tc.contentType)
				resp, err := (&http.Client{Timeout: 2 * time.Minute}).Do(req)
				if err == nil {
					b, _ := io.ReadAll(resp.Body)
					_ = resp.Body.Close()
					require.Contains(t, []int{http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType}, resp.StatusCode, string(b))
					require.NotContains(t, string(b), "goroutine", "no stack trace reaches the client")
				}
				require.Less(t, body.sent.Load(), int64(64<<20), "the server stopped reading long before 600 MB (%v)", err)
				t.Logf("sent %d bytes of %d before the server stopped reading (%v)", body.sent.Load(), body.size, err)
				require.Zero(t, body.spilled.Load(), "nothing was written to the process's TMPDIR")
				require.Zero(t, dirSize(t, tmp))
			})
		}
	})

	t.Run("a trickled body and an idle connection are closed", func(t *testing.T) {
		trickled, idle := dial(t, p), dial(t, p)
		_, err := fmt.Fprintf(trickled, "POST /login HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nuser=", p.httpAddr)
		require.NoError(t, err)
		go func() { // one byte a second, as a slow-loris client sends
			tick := time.NewTicker(time.Second)
			defer tick.Stop()
			for range tick.C {
				if _, err := trickled.Write([]byte("a")); err != nil {
					return
				}
			}
		}()
		_, err = fmt.Fprintf(idle, "GET /healthz HTTP/1.1\r\nHost: %s\r\n\r\n", p.httpAddr)
		require.NoError(t, err)
		idleReader := bufio.NewReader(idle)
		resp, err := http.ReadResponse(idleReader, nil)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		closed := make(chan string, 2)
		go func() { closed <- "trickled: " + readUntilClosed(trickled, bufio.NewReader(trickled)) }()
		go func() { closed <- "idle: " + readUntilClosed(idle, idleReader) }()
		for range 2 {
			got := <-closed
			require.NotContains(t, got, "still open", got)
		}
	})

	t.Run("100 user names of 1 MB leave the heap and the log as they were", func(t *testing.T) {
		heapBefore, logBefore := heapInUse(t, p, pprofAddr), fileSize(t, p.logPath)
		// Each from an address of its own, so that no per-address
		// throttle hides what a name costs.
		name := strings.Repeat("a", 1_000_000)
		for i := range 100 {
			s := from(t, p, "127.0.1."+strconv.Itoa(i+1), "")
			resp, b := s.do(http.MethodPost, "/login", url.Values{"user": {name + strconv.Itoa(i)}, "password": {"x"}}, nil)
			require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
			require.Contains(t, b, "at most 256")
			require.Less(t, len(b), 64<<10, "the name is not echoed back")
		}
		heapGrowth, logGrowth := heapInUse(t, p, pprofAddr)-heapBefore, fileSize(t, p.logPath)-logBefore
		t.Logf("heap in use grew %d bytes, the log %d bytes", heapGrowth, logGrowth)
		require.Less(t, heapGrowth, int64(16<<20), "100 MB of names are not kept")
		require.Less(t, logGrowth, int64(64<<10), "the names are logged truncated")
	})
}

// hugeBody streams head, size bytes of 'a' and tail without holding them,
// and looks into tmpDir every 4 MB: spilled is what it found there.
type hugeBody struct {
	head, tail    string
	size          int64
	tmpDir        string
	sent, spilled atomic.Int64
	checked       int64
}

func (b *hugeBody) Read(p []byte) (int, error) {
	n := b.sent.Load()
	if n-b.checked >= 4<<20 {
		b.checked = n
		if s := dirSize(nil, b.tmpDir); s > 0 {
			b.spilled.Store(s)
			return 0, fmt.Errorf("the server spilled %d bytes into TMPDIR", s)
		}
	}
	total := int64(len(b.head)) + b.size + int64(len(b.tail))
	if n >= total {
		return 0, io.EOF
	}
	var i int
	for i = 0; i < len(p) && n+int64(i) < total; i++ {
		switch at := n + int64(i); {
		case at < int64(len(b.head)):
			p[i] = b.head[at]
		case at < int64(len(b.head))+b.size:
			p[i] = 'a'
		default:
			p[i] = b.tail[at-int64(len(b.head))-b.size]
		}
	}
	b.sent.Add(int64(i))
	return i, nil
}

func dirSize(t testing.TB, dir string) int64 {
	var size int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if info, err := d.Info(); err == nil {
			size += info.Size() + 1 // an empty file counts too
		}
		return nil
	})
	if t != nil {
		require.NoError(t, err)
	}
	return size
}

func fileSize(t testing.TB, path string) int64 {
	st, err := os.Stat(path)
	require.NoError(t, err)
	return st.Size()
}

func dial(t testing.TB, p *proc) net.Conn {
	c, err := net.Dial("tcp", p.httpAddr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// readUntilClosed reads until the server closes the connection, and says
// so; after two minutes it gives up and says the connection is still open.
func readUntilClosed(c net.Conn, r *bufio.Reader) string {
	_ = c.SetReadDeadline(time.Now().Add(2 * time.Minute))
	b, err := io.ReadAll(r)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		return "still open after 2 minutes"
	}
	first, _, _ := strings.Cut(string(b), "\r\n")
	return "closed by the server (" + first + ")"
}

// heapInUse is the process's heap in use right after a garbage collection
// (pprof's heap profile with gc=1 runs one), from its /metrics.
func heapInUse(t testing.TB, p *proc, pprofAddr string) int64 {
	t.Helper()
	resp, err := http.Get("http://" + pprofAddr + "/debug/pprof/heap?gc=1")
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	resp, err = http.Get(p.url("/metrics"))
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "go_memstats_heap_inuse_bytes "); ok {
			f, err := strconv.ParseFloat(v, 64)
			require.NoError(t, err)
			return int64(f)
		}
	}
	t.Fatal("/metrics has no go_memstats_heap_inuse_bytes")
	return 0
}

// A crafted region role (empty) is refused with a message beside the
// field, and the bootstrap's page, which summarizes the draft, still
// answers (it panicked on the empty role).
func TestWizardRefusesAnEmptyRole_FakeHetznerAPI(t *testing.T) {
	cloud := newCloudStandIn(t, fakehcloud.Options{})
	p := cloud.start(t, t.TempDir())
	c := signInHTTP(t, p)
	for _, step := range []struct {
		path string
		form url.Values
	}{
		{"/wizard/organization", url.Values{"organization": {"acme"}, "domain": {"acme.example"}}},
		{"/wizard/provider", url.Values{"provider": {"hetzner"}}},
		{"/wizard/credentials", url.Values{"token": {canaryHetznerToken}}},
		{"/wizard/regions", regionsForm(cloud.Port)},
		{"/wizard/state", url.Values{"state.local": {"on"}}},
		{"/wizard/components", url.Values{}},
	} {
		resp, body := c.post(step.path, step.form)
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s: %s", step.path, body)
	}
	resp, body := c.get("/wizard/run/acme")
	require.Equal(t, http.StatusOK, resp.StatusCode, body)

	for _, i := range []string{"0", "1"} {
		form := regionsForm(cloud.Port)
		form.Set("regions["+i+"].role", "")
		resp, body := c.post("/wizard/regions", form)
		require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode, body)
		require.Contains(t, fieldErrors(t, body)["regions["+i+"].role"], "choose primary or standby")

		resp, body = c.get("/wizard/run/acme")
		require.Equal(t, http.StatusOK, resp.StatusCode, body)
	}
	require.NotContains(t, p.log(), "panic")
}
