// Package embedded runs a Temporal server inside the openova process, the way
// the Temporal CLI's dev server does, but durable: a SQLite file in WAL mode
// with full fsync, a retention long enough to keep the audit log, and dynamic
// config tuned for one process that is both server and worker. It is the only
// package that imports go.temporal.io/server.
package embedded

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"strconv"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/membership/static"
	"go.temporal.io/server/common/primitives"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/openova-io/core/worker/ports"
)

// SQLite files inside the data dir. Executions and visibility live in two
// files so that their writes never wait for each other: SQLite has one
// writer per file.
const (
	DBFile           = "temporal.db"
	VisibilityDBFile = "temporal-visibility.db"
)

// Options configure the embedded server.
type Options struct {
	DataDir string
	// Listen is the frontend gRPC address (host:port) that workers, the UI
	// and the stock temporal CLI dial. Off loopback, the frontend requires a
	// client certificate of the CA in <DataDir>/temporal-tls (EnsurePKI).
	Listen string
	// HTTPListen is the frontend's HTTP API address, on Listen's host; empty
	// leaves the HTTP API off. Requests a browser sends are refused.
	HTTPListen string
	Namespace  string
	// Retention is written into the namespace when it is created; the worker
	// package re-checks it on every start.
	Retention        time.Duration
	SearchAttributes map[string]enumspb.IndexedValueType
	// DBConns is the SQLite connection pool size per database file.
	DBConns int
	// DBSync is SQLite's synchronous setting: "full" (the default) fsyncs
	// every commit; "normal" fsyncs at checkpoints only, which survives a
	// process crash but may lose the last commits on power loss.
	DBSync string
	// DynamicConfig overrides Tuning, key by key.
	DynamicConfig map[string]any
	Logger        *slog.Logger
}

// Server is a running embedded Temporal server.
type Server struct {
	server   temporal.Server
	dbPaths  []string
	hostPort string
	access   access
}

// HostPort is the frontend address a client dials (a wildcard listen
// address becomes loopback).
func (s *Server) HostPort() string { return s.hostPort }

// PKI is the frontend's certificate authority and files, or nil when the
// frontend listens on loopback without TLS.
func (s *Server) PKI() *PKI { return s.access.pki }

// Issued names the certificate files this start wrote (a first start, a
// renewal, a new listen host).
func (s *Server) Issued() []string { return s.access.issued }

// ClientTLS is what openova's own client presents to the frontend: nil
// on loopback.
func (s *Server) ClientTLS() (*tls.Config, error) {
	if s.access.pki == nil {
		return nil, nil
	}
	return s.access.pki.ClientTLS()
}

// Start creates the schema and namespace on first start and runs the server.
func Start(o Options) (*Server, error) {
	host, port, err := splitHostPort(o.Listen)
	if err != nil {
		return nil, err
	}
	acc, err := newAccess(o, host, port)
	if err != nil {
		return nil, err
	}
	dbPath := filepath.Join(o.DataDir, DBFile)
	visPath := filepath.Join(o.DataDir, VisibilityDBFile)
	sqlConf, visConf := sqlConfig(dbPath, o.DBConns, o.DBSync), sqlConfig(visPath, o.DBConns, o.DBSync)
	for _, c := range []*config.SQL{sqlConf, visConf} {
		if err := ensureSchema(c, c.DatabaseName); err != nil {
			return nil, err
		}
	}
	ns, err := sqliteschema.NewNamespaceConfig(clusterName, o.Namespace, false, o.SearchAttributes)
	if err != nil {
		return nil, fmt.Errorf("prepare namespace %s: %w", o.Namespace, err)
	}
	ns.Detail.Config.Retention = durationpb.New(o.Retention)
	if err := sqliteschema.CreateNamespaces(sqlConf, ns); err != nil {
		return nil, fmt.Errorf("create namespace %s: %w", o.Namespace, err)
	}
	logger := newLogger(o.Logger)
	srv, conf, err := startServer(o, logger, acc, port, sqlConf, visConf)
	if err != nil {
		return nil, err
	}
	return &Server{server: srv, dbPaths: []string{dbPath, visPath}, hostPort: conf.PublicClient.HostPort, access: acc}, nil
}

// startServer builds the server on the frontend port and internal ports it
// picks, and starts it.
func startServer(o Options, logger slogLogger, acc access, port int, sqlConf, visConf *config.SQL) (temporal.Server, *config.Config, error) {
	conf, hosts, err := serverConfig(acc.host, port, sqlConf, visConf)
	if err != nil {
		return nil, nil, err
	}
	authorizer, err := authorization.GetAuthorizerFromConfig(&conf.Global.Authorization)
	if err != nil {
		return nil, nil, fmt.Errorf("create authorizer: %w", err)
	}
	claimMapper, err := authorization.GetClaimMapperFromConfig(&conf.Global.Authorization, logger)
	if err != nil {
		return nil, nil, fmt.Errorf("create claim mapper: %w", err)
	}
	dc := dynamicconfig.StaticClient{}
	for k, v := range Tuning() {
		dc[dynamicconfig.MakeKey(k)] = v
	}
	acc.apply(conf, dc)
	for k, v := range o.DynamicConfig {
		dc[dynamicconfig.MakeKey(k)] = v
	}
	srv, err := temporal.NewServer(
		temporal.WithConfig(conf),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(hosts),
		temporal.WithLogger(logger),
		temporal.WithAuthorizer(authorizer),
		temporal.WithClaimMapper(func(*config.Config) authorization.ClaimMapper { return claimMapper }),
		temporal.WithDynamicConfigClient(dc),
		temporal.WithChainedFrontendGrpcInterceptors(refuseBrowsers),
	)
	if err != nil {
		return nil, nil, fmt.Errorf("create temporal server: %w", err)
	}
	if err := srv.Start(); err != nil {
		return nil, nil, fmt.Errorf("start temporal server: %w", err)
	}
	return srv, conf, nil
}

// Stop stops every service, then checkpoints the WAL into the database file
// and truncates it, so that a stopped openova leaves one self-contained
// SQLite file (the plugin keeps its pooled connections open until exit).
func (s *Server) Stop() error {
	if err := s.server.Stop(); err != nil {
		return fmt.Errorf("stop temporal server: %w", err)
	}
	var errs []error
	for _, p := range s.dbPaths {
		errs = append(errs, checkpoint(p))
	}
	return errors.Join(errs...)
}

const (
	clusterName = "active"
)

func serverConfig(host string, port int, sqlConf, visConf *config.SQL) (*config.Config, map[primitives.ServiceName]static.Hosts, error) {
	var conf config.Config
	conf.Global.Membership.MaxJoinDuration = 30 * time.Second
	conf.Global.Membership.BroadcastAddress = "127.0.0.1"
	conf.Persistence.DefaultStore = "sqlite-default"
	conf.Persistence.VisibilityStore = "sqlite-visibility"
	conf.Persistence.NumHistoryShards = 1
	conf.Persistence.DataStores = map[string]config.DataStore{"sqlite-default": {SQL: sqlConf}, "sqlite-visibility": {SQL: visConf}}
	conf.ClusterMetadata = &cluster.Config{
		FailoverVersionIncrement: 10,
		MasterClusterName:        clusterName,
		CurrentClusterName:       clusterName,
		ClusterInformation: map[string]cluster.ClusterInformation{
			clusterName: {
				Enabled:                true,
				InitialFailoverVersion: 1,
				RPCAddress:             net.JoinHostPort(host, strconv.Itoa(port)),
				ClusterID:              clusterID(sqlConf.DatabaseName),
			},
		},
	}
	conf.DCRedirectionPolicy.Policy = "noop"
	conf.Services = map[string]config.Service{}
	hosts := map[primitives.ServiceName]static.Hosts{}
	for _, svc := range []primitives.ServiceName{primitives.FrontendService, primitives.HistoryService, primitives.MatchingService, primitives.WorkerService} {
		var rpc config.RPC
		if svc == primitives.FrontendService {
			// The HTTP API stays off (HTTPPort 0) unless access.apply opens it.
			rpc = config.RPC{GRPCPort: port, BindOnIP: host}
		} else {
			// Internal services listen on loopback only, on ports the OS picks.
			p, err := ports.Pick()
			if err != nil {
				return nil, nil, err
			}
			rpc = config.RPC{GRPCPort: p, BindOnIP: "127.0.0.1"}
		}
		conf.Services[string(svc)] = config.Service{RPC: rpc}
		hosts[svc] = static.SingleLocalHost(net.JoinHostPort(rpc.BindOnIP, strconv.Itoa(rpc.GRPCPort)))
	}
	conf.Archival.History.State = "disabled"
	conf.Archival.Visibility.State = "disabled"
	conf.NamespaceDefaults.Archival.History.State = "disabled"
	conf.NamespaceDefaults.Archival.Visibility.State = "disabled"
	conf.PublicClient.HostPort = net.JoinHostPort(dialHost(host), strconv.Itoa(port))
	return &conf, hosts, nil
}

// dialHost turns a wildcard bind address into one a client can dial.
func dialHost(host string) string {
	if host == "" || host == "0.0.0.0" || host == "::" {
		return "127.0.0.1"
	}
	return host
}

func splitHostPort(addr string) (string, int, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("temporal listen address %q: %w", addr, err)
	}
	port, err := strconv.Atoi(p)
	if err != nil || port <= 0 || port > 65535 {
		return "", 0, fmt.Errorf("temporal listen address %q: port must be 1-65535", addr)
	}
	if host == "" {
		host = "0.0.0.0"
	}
	return host, port, nil
}

// clusterID is a stable UUID per database file: the server wants a UUID and
// would otherwise generate (and warn about) a new one on every start.
func clusterID(dbPath string) string {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("openova-embedded:"+dbPath)).String()
}
