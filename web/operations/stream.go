package operations

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/openova-io/core/web/ui"
)

// Stream timing: how often a live operation is read, how often an idle
// stream says it is alive (proxies close silent connections), and how long
// one stream lasts before the browser reconnects (resuming by Last-Event-ID).
const (
	pollEvery      = time.Second
	keepAliveEvery = 15 * time.Second
	streamLasting  = 10 * time.Minute
)

// NotStartedYet is what a live view says of an operation whose run does
// not exist yet.
const NotStartedYet = "Not started yet: it starts within seconds."

// Snapshotter reads one operation.
type Snapshotter interface {
	Snapshot(ctx context.Context, id string) (Snapshot, error)
}

// StreamHandler serves GET /operations/stream?id=<workflow ID>&title=...:
// Server-Sent Events whose "progress" events each carry the whole rendered
// timeline (never a delta, so a reconnect cannot duplicate a line), with
// the hash of that HTML as the event ID: a browser reconnecting with
// Last-Event-ID gets nothing until something changed. A "done" event ends
// the stream when the operation has closed.
func StreamHandler(ops Snapshotter) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.QueryParam("id")
		if id == "" {
			return echo.NewHTTPError(http.StatusBadRequest, "id is missing: name the operation's workflow ID")
		}
		title := c.QueryParam("title")
		w := c.Response()
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Accel-Buffering", "no")
		w.WriteHeader(http.StatusOK)
		last := c.Request().Header.Get("Last-Event-ID")
		ctx, cancel := context.WithTimeout(c.Request().Context(), streamLasting)
		defer cancel()
		tick, alive := time.NewTicker(pollEvery), time.Now()
		defer tick.Stop()
		for {
			s, err := ops.Snapshot(ctx, id)
			if err == nil {
				html, err := render(ctx, Timeline(title, s))
				if err != nil {
					return err
				}
				event := "progress"
				if s.Found() && s.State != StateRunning {
					event = "done"
				}
				if sum := hash(html); sum != last || event == "done" {
					if err := send(w, event, sum, html); err != nil {
						return nil
					}
					last, alive = sum, time.Now()
					w.Flush()
				}
				if event == "done" {
					return nil
				}
			}
			if time.Since(alive) > keepAliveEvery {
				if _, err := fmt.Fprint(w, ": alive\n\n"); err != nil {
					return nil
				}
				alive = time.Now()
				w.Flush()
			}
			select {
			case <-ctx.Done():
				return nil
			case <-tick.C:
			}
		}
	}
}

func render(ctx context.Context, t ui.TimelineVM) (string, error) {
	var b bytes.Buffer
	if err := ui.Timeline(t).Render(ctx, &b); err != nil {
		return "", err
	}
	return b.String(), nil
}

func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}

// send writes one event; every line of data gets its own data: field.
func send(w http.ResponseWriter, event, id, data string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "event: %s\nid: %s\n", event, id)
	for _, line := range strings.Split(data, "\n") {
		b.WriteString("data: " + line + "\n")
	}
	b.WriteString("\n")
	_, err := w.Write([]byte(b.String()))
	return err
}

// Routes mounts the stream.
type Routes struct{ Ops Snapshotter }

// Routes adds GET /operations/stream.
func (r Routes) Routes(e *echo.Echo) { e.GET("/operations/stream", StreamHandler(r.Ops)) }
