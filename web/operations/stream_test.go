package operations

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/workflows"
)

// script plays an operation whose progress the test moves on.
type script struct {
	mu   sync.Mutex
	snap Snapshot
}

func (s *script) Snapshot(context.Context, string) (Snapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.snap, nil
}

func (s *script) set(state string, steps ...workflows.ProgressStep) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.snap = Snapshot{ID: "install/acme/mongodb", State: state, Progress: workflows.Progress{Steps: steps}}
}

type event struct{ name, id, data string }

// read reads events until n have arrived or the stream ends.
func read(t *testing.T, url, lastID string, n int) []event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	var out []event
	var cur event
	sc := bufio.NewScanner(resp.Body)
	for len(out) < n && sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			cur.name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "id: "):
			cur.id = strings.TrimPrefix(line, "id: ")
		case strings.HasPrefix(line, "data: "):
			cur.data += strings.TrimPrefix(line, "data: ") + "\n"
		case line == "" && cur.name != "":
			out = append(out, cur)
			cur = event{}
		}
	}
	return out
}

func TestStreamSendsWholeTimelinesAndResumes(t *testing.T) {
	s := &script{}
	s.set(StateRunning, workflows.ProgressStep{Name: "resolve plan", State: workflows.StepRunning})
	e := echo.New()
	Routes{Ops: s}.Routes(e)
	srv := httptest.NewServer(e)
	defer srv.Close()
	url := srv.URL + "/operations/stream?id=install/acme/mongodb&title=install+MongoDB"

	first := read(t, url, "", 1)
	require.Len(t, first, 1)
	require.Equal(t, "progress", first[0].name)
	require.Contains(t, first[0].data, "resolve plan")
	require.Contains(t, first[0].data, `data-testid="timeline"`, "each event is the whole rendered timeline")

	// A reconnect that has seen this state gets nothing until it changes,
	// then the whole new timeline: never a line twice.
	go func() {
		time.Sleep(1500 * time.Millisecond)
		s.set(StateRunning, workflows.ProgressStep{Name: "resolve plan", State: workflows.StepSucceeded},
			workflows.ProgressStep{Name: "release redpanda", State: workflows.StepRunning})
	}()
	again := read(t, url, first[0].id, 1)
	require.Len(t, again, 1)
	require.NotEqual(t, first[0].id, again[0].id)
	require.Equal(t, 1, strings.Count(again[0].data, "resolve plan"), "no duplicate line")
	require.Contains(t, again[0].data, "release redpanda")

	s.set(StateSucceeded, workflows.ProgressStep{Name: "resolve plan", State: workflows.StepSucceeded},
		workflows.ProgressStep{Name: "release redpanda", State: workflows.StepSucceeded})
	done := read(t, url, again[0].id, 5)
	require.Len(t, done, 1, "a closed operation ends the stream with one event")
	require.Equal(t, "done", done[0].name)
	require.Contains(t, done[0].data, "Succeeded")
}

func TestStreamNeedsAnID(t *testing.T) {
	e := echo.New()
	Routes{Ops: &script{}}.Routes(e)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/operations/stream", nil))
	require.Equal(t, http.StatusBadRequest, rec.Code)
}

// An operation asked for whose run does not exist yet streams as
// Starting, and the stream goes on until it does.
func TestStreamOfAnOperationNotStartedYet(t *testing.T) {
	s := &script{}
	e := echo.New()
	Routes{Ops: s}.Routes(e)
	srv := httptest.NewServer(e)
	defer srv.Close()
	first := read(t, srv.URL+"/operations/stream?id=upgrade/acme/grafana/v11.4.0&title=upgrade+Grafana", "", 1)
	require.Len(t, first, 1)
	require.Equal(t, "progress", first[0].name, "not done: it is about to start")
	require.Contains(t, first[0].data, "Starting")
	require.Contains(t, first[0].data, NotStartedYet)
}
