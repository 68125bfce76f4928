package worker

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	sdklog "go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/openova-io/core/worker/codec"
	"github.com/openova-io/core/worker/embedded"
)

// Engine is a running Temporal side: the embedded server when there is one,
// the client and this mode's worker.
type Engine struct {
	cfg      Config
	log      *slog.Logger
	server   *embedded.Server
	client   client.Client
	worker   sdkworker.Worker
	codec    *codec.Codec
	token    string
	identity string
	// stopping quiets the server's expected shutdown warnings.
	stopping atomic.Bool
}

// dialTimeout bounds how long a start waits for Temporal to answer.
const dialTimeout = 15 * time.Second

// Start brings the engine up in order: codec key, server, client, namespace,
// worker. On error everything already started is stopped again.
func Start(ctx context.Context, cfg Config, log *slog.Logger, metrics *Metrics) (_ *Engine, err error) {
	e := &Engine{cfg: cfg, log: log, identity: identity(cfg.Mode)}
	defer func() {
		if err != nil {
			e.Stop()
		}
	}()
	keys, err := loadOrCreateKey(cfg)
	if err != nil {
		return nil, err
	}
	e.codec = codec.New(keys)
	if e.token, err = loadOrCreateToken(cfg.CodecTokenFile); err != nil {
		return nil, err
	}
	hostPort := cfg.Address
	if cfg.Embedded() {
		log.Info("starting embedded temporal server", "listen", cfg.Listen, "dataDir", cfg.DataDir)
		e.server, err = embedded.Start(embedded.Options{
			DataDir:          cfg.DataDir,
			Listen:           cfg.Listen,
			HTTPListen:       cfg.HTTPListen,
			Namespace:        cfg.Namespace,
			Retention:        MinRetention,
			SearchAttributes: searchAttributeTypes(),
			DBConns:          cfg.DBConns,
			DBSync:           cfg.DBSync,
			DynamicConfig:    cfg.DynamicConfig,
			Logger:           slog.New(stoppingHandler{Handler: log.Handler(), stopping: &e.stopping}).With("component", "temporal-server"),
		})
		if err != nil {
			return nil, err
		}
		hostPort = e.server.HostPort()
		logAccess(log, cfg, e.server)
	}
	if e.client, err = dial(ctx, cfg, hostPort, e, log, metrics); err != nil {
		return nil, err
	}
	if err := ensureNamespace(ctx, e.client, cfg, log); err != nil {
		return nil, err
	}
	e.worker = sdkworker.New(e.client, cfg.TaskQueue(), sdkworker.Options{
		Identity: e.identity,
		// Let running activities finish (or reach a heartbeat) before exit.
		WorkerStopTimeout: 10 * time.Second,
	})
	Register(e.worker, cfg, e.client)
	if err := e.worker.Start(); err != nil {
		return nil, fmt.Errorf("start worker on task queue %s: %w", cfg.TaskQueue(), err)
	}
	log.Info("worker polling", "taskQueue", cfg.TaskQueue(), "namespace", cfg.Namespace, "temporal", hostPort, "embedded", cfg.Embedded())
	return e, nil
}

func dial(ctx context.Context, cfg Config, hostPort string, e *Engine, log *slog.Logger, metrics *Metrics) (client.Client, error) {
	tlsConf, err := tlsConfig(cfg)
	if err != nil {
		return nil, err
	}
	if e.server != nil {
		// Off loopback the embedded frontend wants openova's certificate.
		own, err := e.server.ClientTLS()
		if err != nil {
			return nil, err
		}
		if own != nil {
			tlsConf = own
		}
	}
	opts := client.Options{
		HostPort:          hostPort,
		Namespace:         cfg.Namespace,
		Identity:          e.identity,
		DataConverter:     e.codec.DataConverter(),
		FailureConverter:  e.codec.FailureConverter(),
		Logger:            sdklog.NewStructuredLogger(slog.New(redactingHandler{log.Handler()}).With("component", "temporal-sdk")),
		ConnectionOptions: client.ConnectionOptions{TLS: tlsConf},
	}
	if metrics != nil {
		opts.MetricsHandler = metrics.Handler
	}
	if cfg.APIKey != "" {
		opts.Credentials = client.NewAPIKeyStaticCredentials(cfg.APIKey)
	}
	dctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	var c client.Client
	for {
		c, err = client.DialContext(dctx, opts)
		if err == nil {
			return c, nil
		}
		select {
		case <-dctx.Done():
			if cfg.Embedded() {
				return nil, fmt.Errorf("embedded temporal server did not answer on %s within %s: %s", hostPort, dialTimeout, RedactError(err))
			}
			return nil, fmt.Errorf("cannot reach Temporal at %s within %s (%s): check --temporal-address, TLS and API key, or omit --temporal-address to use the embedded server", hostPort, dialTimeout, RedactError(err))
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// Client is the encrypting Temporal client, for the web UI and tests.
func (e *Engine) Client() client.Client { return e.client }

// Embedded is the embedded server, or nil when an external cluster is used.
func (e *Engine) Embedded() *embedded.Server { return e.server }

// DataConverter encodes and decodes payloads (memos, query results) the way
// the client does, through the codec.
func (e *Engine) DataConverter() converter.DataConverter { return e.codec.DataConverter() }

// FailureConverter decodes failure messages (encrypted in the history)
// the way the client does.
func (e *Engine) FailureConverter() converter.FailureConverter { return e.codec.FailureConverter() }

// CodecHandler serves the codec endpoint to holders of the token.
func (e *Engine) CodecHandler() http.Handler { return e.codec.Handler(e.token) }

// Ready is nil only when Temporal answers and this worker polls its queue.
func (e *Engine) Ready(ctx context.Context) error {
	if _, err := e.client.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		return fmt.Errorf("temporal is not answering: %w", err)
	}
	resp, err := e.client.DescribeTaskQueue(ctx, e.cfg.TaskQueue(), enumspb.TASK_QUEUE_TYPE_WORKFLOW)
	if err != nil {
		return fmt.Errorf("describe task queue %s: %w", e.cfg.TaskQueue(), err)
	}
	for _, p := range resp.GetPollers() {
		if p.GetIdentity() == e.identity {
			return nil
		}
	}
	return fmt.Errorf("worker is not polling task queue %s yet", e.cfg.TaskQueue())
}

// Stop drains the worker (running activities get WorkerStopTimeout), closes
// the client, then stops the server, which closes SQLite.
func (e *Engine) Stop() {
	e.stopping.Store(true)
	if e.worker != nil {
		e.worker.Stop()
		e.worker = nil
	}
	if e.client != nil {
		e.client.Close()
		e.client = nil
	}
	if e.server != nil {
		if err := e.server.Stop(); err != nil {
			e.log.Warn("stop embedded temporal server", "error", err.Error())
		}
		e.server = nil
	}
}

func identity(m Mode) string {
	host, err := os.Hostname()
	if err != nil {
		host = "unknown"
	}
	return fmt.Sprintf("openova-%s@%s:%d", m, host, os.Getpid())
}
