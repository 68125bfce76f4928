package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/openova-io/core/web"
	"github.com/openova-io/core/worker"
)

// shutdownTimeout bounds how long in-flight HTTP requests may finish.
const shutdownTimeout = 10 * time.Second

// serve runs the engine and the HTTP server until SIGINT or SIGTERM, then
// stops them in order: stop taking requests, drain the worker, stop the
// Temporal server (which closes SQLite).
//
// side, when set, runs with the engine (manager mode: the controller
// manager) and stops first on shutdown; its failure stops openova.
func serve(ctx context.Context, cfg worker.Config, o *options, log *slog.Logger, side *sidecar) error {
	httpListen, pprofListen := o.listen, o.pprofListen
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	// Everything openova writes (SQLite and its WAL, keys, journals) is
	// readable by its owner only.
	syscall.Umask(0o077)

	unlock, err := prepareDataDir(cfg.DataDir)
	if err != nil {
		return err
	}
	defer unlock()
	ln, err := listen("--listen", httpListen)
	if err != nil {
		return err
	}
	defer func() { _ = ln.Close() }()
	if cfg.Embedded() {
		tl, err := listen("--temporal-listen", cfg.Listen)
		if err != nil {
			return err
		}
		_ = tl.Close()
		if cfg.HTTPListen != "" {
			hl, err := listen("--temporal-http-listen", cfg.HTTPListen)
			if err != nil {
				return err
			}
			_ = hl.Close()
		}
	}

	if pprofListen != "" {
		pl, err := listen("--pprof-listen", pprofListen)
		if err != nil {
			return err
		}
		ps := &http.Server{Handler: pprofMux(), ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = ps.Serve(pl) }()
		defer func() { _ = ps.Close() }()
		log.Info("pprof listening", "addr", pl.Addr().String())
	}

	metrics := worker.NewMetrics()
	defer func() { _ = metrics.Close() }()
	eng, err := worker.Start(ctx, cfg, log, metrics)
	if err != nil {
		return err
	}
	defer func() {
		log.Info("draining worker and stopping temporal")
		eng.Stop()
		log.Info("stopped")
	}()

	// Cookies are Secure and HSTS is sent when browsers reach the UI over
	// HTTPS: openova's own (--tls-cert) or a proxy's (--public-url).
	https := o.httpsCert != ""
	of := o.oidc
	of.redirectURL = o.proxy.oidcRedirect(of.redirectURL)
	signIn, err := newAuth(ctx, cfg.DataDir, o.adminHashFile, o.proxy.secure, of, cfg.Fetch, log)
	if err != nil {
		return err
	}
	uiPages, err := side.uiPages(ctx, eng)
	if err != nil {
		return err
	}
	uiPages = append(uiPages, auditPages(eng, cfg))
	srv := web.NewServer(web.New(web.Options{Ready: eng, Metrics: metrics.Registry, MoreMetrics: side.gatherers(), Codec: eng.CodecHandler(), Logger: log,
		Auth: signIn, Pages: uiPages, TLS: o.proxy.secure, TrustedProxies: o.proxy.nets}),
		slog.NewLogLogger(log.With("logger", "http").Handler(), slog.LevelWarn))
	served := make(chan error, 1)
	scheme := "http"
	if https {
		scheme = "https"
		go func() { served <- srv.ServeTLS(ln, o.httpsCert, o.httpsKey) }()
	} else {
		go func() { served <- srv.Serve(ln) }()
	}
	log.Info("openova started", "mode", string(cfg.Mode), "url", scheme+"://"+ln.Addr().String(),
		"temporal", temporalAddr(cfg), "namespace", cfg.Namespace,
		"codecEndpoint", scheme+"://"+ln.Addr().String()+"/codec", "codecTokenFile", cfg.CodecTokenFile)

	sideDone := make(chan error, 1)
	sideCtx, stopSide := context.WithCancel(ctx)
	defer stopSide()
	if side != nil && side.run != nil {
		go func() { sideDone <- side.run(sideCtx, eng) }()
	}
	select {
	case <-ctx.Done():
		log.Info("shutting down", "reason", "signal")
	case err := <-served:
		return fmt.Errorf("http server stopped: %w", err)
	case err := <-sideDone:
		if err == nil {
			err = errors.New("stopped unexpectedly")
		}
		return err
	}
	if side != nil && side.run != nil {
		stopSide()
		select {
		case err := <-sideDone:
			if err != nil {
				log.Warn("controllers stopped with an error", "error", err.Error())
			}
		case <-time.After(shutdownTimeout):
			log.Warn("controllers did not stop in time")
		}
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("http shutdown", "error", err.Error())
	}
	return nil
}

// sidecar is what a mode runs next to the engine, the metrics it adds and
// the UI's pages it serves.
type sidecar struct {
	run     func(context.Context, *worker.Engine) error
	metrics []prometheus.Gatherer
	pages   func(context.Context, *worker.Engine) ([]web.Pages, error)
}

func (s *sidecar) uiPages(ctx context.Context, eng *worker.Engine) ([]web.Pages, error) {
	if s == nil || s.pages == nil {
		return nil, nil
	}
	return s.pages(ctx, eng)
}

func (s *sidecar) gatherers() []prometheus.Gatherer {
	if s == nil {
		return nil
	}
	return s.metrics
}

func temporalAddr(cfg worker.Config) string {
	if cfg.Embedded() {
		return cfg.Listen
	}
	return cfg.Address
}

// listen binds addr, turning the usual failures into advice.
func listen(flag, addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("%s %s is already in use: stop what listens there or choose another port with %s", flag, addr, flag)
	}
	if err != nil {
		return nil, fmt.Errorf("%s %s cannot be bound (%s): choose another address with %s", flag, addr, rootCause(err), flag)
	}
	return ln, nil
}

// prepareDataDir creates the data dir, proves it writable and takes an
// exclusive lock so two processes never share one SQLite file.
func prepareDataDir(dir string) (func(), error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("data dir %s cannot be created (%s): choose another with --data-dir or fix its permissions", dir, rootCause(err))
	}
	probe, err := os.CreateTemp(dir, ".write-probe-*")
	if err != nil {
		return nil, fmt.Errorf("data dir %s is not writable (%s): choose another with --data-dir or fix its permissions", dir, rootCause(err))
	}
	_ = probe.Close()
	_ = os.Remove(probe.Name())
	f, err := os.OpenFile(filepath.Join(dir, "openova.lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("data dir %s: cannot open lock file (%s)", dir, rootCause(err))
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("data dir %s is in use by another openova process: stop it or choose another --data-dir", dir)
	}
	return func() { _ = f.Close() }, nil
}

// rootCause drops the operation and path wrappers of an OS error.
func rootCause(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	var se *os.SyscallError
	if errors.As(err, &se) {
		return se.Err.Error()
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Err.Error()
	}
	return err.Error()
}

// newLogger writes JSON lines to stderr.
func newLogger(level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}

// pprofMux serves Go's profiles on their own listener, never on --listen.
func pprofMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}
