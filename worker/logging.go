package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/grpc/status"
)

// redactingHandler sits in front of the SDK's logger. The SDK logs the error
// an activity or workflow returned, and such an error may quote a secret (a
// cloud API echoing a token, a canary). The history keeps the full message,
// encrypted; the log keeps only its kind. gRPC errors (connectivity, server
// rejections) carry no user data and stay readable.
type redactingHandler struct {
	slog.Handler
}

func (h redactingHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(redactAttr(a))
		return true
	})
	return h.Handler.Handle(ctx, out)
}

func (h redactingHandler) WithAttrs(as []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(as))
	for i, a := range as {
		red[i] = redactAttr(a)
	}
	return redactingHandler{h.Handler.WithAttrs(red)}
}

func (h redactingHandler) WithGroup(name string) slog.Handler {
	return redactingHandler{h.Handler.WithGroup(name)}
}

func redactAttr(a slog.Attr) slog.Attr {
	err, ok := a.Value.Any().(error)
	if !ok || a.Value.Kind() != slog.KindAny {
		return a
	}
	return slog.String(a.Key, RedactError(err))
}

// RedactError describes an error without its message, unless it is a gRPC
// status from the Temporal service.
func RedactError(err error) string {
	var se serviceerror.ServiceError
	if errors.As(err, &se) {
		return err.Error()
	}
	if _, ok := status.FromError(err); ok {
		return err.Error()
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return fmt.Sprintf("application error %q (message withheld from logs; the workflow history has it, encrypted)", app.Type())
	}
	var canceled *temporal.CanceledError
	if errors.As(err, &canceled) || errors.Is(err, context.Canceled) {
		return "canceled"
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "deadline exceeded"
	}
	return fmt.Sprintf("%T (message withheld from logs; the workflow history has it, encrypted)", err)
}

// stoppingHandler logs the embedded server's warnings at debug level once
// the engine stops: its services stop one by one, so its system workers
// find the frontend gone and warn ("network dial error", "Failed to poll
// for task") a dozen times before "stopped", about nothing an operator
// can act on. Errors stay errors.
type stoppingHandler struct {
	slog.Handler
	stopping *atomic.Bool
}

func (h stoppingHandler) Enabled(ctx context.Context, l slog.Level) bool {
	if l == slog.LevelWarn && h.stopping.Load() {
		return h.Handler.Enabled(ctx, slog.LevelDebug)
	}
	return h.Handler.Enabled(ctx, l)
}

func (h stoppingHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level == slog.LevelWarn && h.stopping.Load() {
		r.Level = slog.LevelDebug
	}
	return h.Handler.Handle(ctx, r)
}

func (h stoppingHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return stoppingHandler{Handler: h.Handler.WithAttrs(as), stopping: h.stopping}
}

func (h stoppingHandler) WithGroup(name string) slog.Handler {
	return stoppingHandler{Handler: h.Handler.WithGroup(name), stopping: h.stopping}
}
