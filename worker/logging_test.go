package worker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"
)

func TestRedactError(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want string
		hide string
	}{
		{"application error keeps its type", temporal.NewApplicationError("token abc123 rejected", "InvalidCredentials"), `application error "InvalidCredentials"`, "abc123"},
		{"wrapped application error", fmt.Errorf("plan region fsn1: %w", temporal.NewApplicationError("key abc123", "X")), `application error "X"`, "abc123"},
		{"plain error keeps its Go type", errors.New("password=abc123"), "*errors.errorString (message withheld", "abc123"},
		{"context canceled", context.Canceled, "canceled", ""},
		{"grpc status stays readable", serviceerror.NewUnavailable("connection refused"), "connection refused", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := RedactError(tc.err)
			require.Contains(t, got, tc.want)
			if tc.hide != "" {
				require.NotContains(t, got, tc.hide)
			}
		})
	}
}

// The handler in front of the SDK logger redacts error values in records and
// in attributes bound with With.
func TestRedactingHandler(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(redactingHandler{slog.NewJSONHandler(&buf, nil)})
	log.With("Error", errors.New("bound abc123")).Warn("Activity error.", "Error", errors.New("token abc123"), "WorkflowID", "w1")
	out := buf.String()
	require.NotContains(t, out, "abc123")
	require.Contains(t, out, `"WorkflowID":"w1"`)
	require.Contains(t, out, "message withheld")
}

// Once the engine stops, the embedded server's warnings are debug lines
// (its system workers polling a frontend that stopped first); before, and
// errors at any time, they stay as they are.
func TestStoppingHandlerQuietsShutdownWarnings(t *testing.T) {
	var buf bytes.Buffer
	var stopping atomic.Bool
	log := slog.New(stoppingHandler{Handler: slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}), stopping: &stopping}).With("component", "temporal-server")
	log.Warn("network dial error before")
	stopping.Store(true)
	log.Warn("Failed to poll for task.")
	log.Error("an error while stopping")
	out := buf.String()
	require.Contains(t, out, "level=WARN msg=\"network dial error before\"")
	require.NotContains(t, out, "Failed to poll for task.", "a debug line at info level")
	require.Contains(t, out, "level=ERROR msg=\"an error while stopping\"")
	require.Contains(t, out, "component=temporal-server")
}
