package embedded

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/primitives"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
)

// Loopback reports whether a listen host is reachable from this machine
// only. Any other host, a wildcard included, makes the frontend require
// client certificates.
func Loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// access is who may reach the frontend besides its gRPC port on loopback:
// the HTTP API when asked for, and clients with a certificate of the
// data dir's CA when gRPC listens beyond loopback.
type access struct {
	host     string
	httpPort int // 0: the HTTP API is off (the server opens none then)
	pki      *PKI
	issued   []string
}

// newAccess checks the HTTP API address (on the gRPC host, another port)
// and, off loopback, makes sure the data dir holds the certificates.
func newAccess(o Options, host string, port int) (access, error) {
	a := access{host: host}
	if o.HTTPListen != "" {
		h, p, err := splitHostPort(o.HTTPListen)
		if err != nil {
			return a, fmt.Errorf("temporal HTTP API: %w", err)
		}
		if h != host || p == port {
			return a, fmt.Errorf("temporal HTTP API address %s: the server binds it on the gRPC host %s, on another port than %d", o.HTTPListen, host, port)
		}
		a.httpPort = p
	}
	if !Loopback(host) {
		pki, issued, err := EnsurePKI(filepath.Join(o.DataDir, PKIDir), host, time.Now())
		if err != nil {
			return a, fmt.Errorf("temporal TLS: %w", err)
		}
		a.pki, a.issued = &pki, issued
	}
	return a, nil
}

// apply writes the HTTP API and TLS settings into the server's config and
// dynamic config.
func (a access) apply(conf *config.Config, dc dynamicconfig.StaticClient) {
	fe := conf.Services[string(primitives.FrontendService)]
	info := conf.ClusterMetadata.ClusterInformation[clusterName]
	if a.httpPort != 0 {
		fe.RPC.HTTPPort = a.httpPort
		// Forwarded into the call's metadata, where refuseBrowsers sees them.
		fe.RPC.HTTPAdditionalForwardedHeaders = []string{"Origin", "Sec-Fetch-Site"}
		info.HTTPAddress = net.JoinHostPort(a.host, strconv.Itoa(a.httpPort))
		if a.pki == nil {
			// A page of another name that resolves to loopback (DNS
			// rebinding) reads what it asks for: only the names of this
			// machine pass.
			dc[dynamicconfig.FrontendHTTPAllowedHosts.Key()] = allowedHosts(a.host, a.httpPort)
		}
	}
	conf.Services[string(primitives.FrontendService)] = fe
	conf.ClusterMetadata.ClusterInformation[clusterName] = info
	if a.pki == nil {
		return
	}
	ca := []string{a.pki.Path(CAFile)}
	conf.Global.TLS = config.RootTLS{
		Frontend: config.GroupTLS{Server: config.ServerTLS{
			CertFile: a.pki.Path(ServerCertFile), KeyFile: a.pki.Path(serverKeyFile),
			ClientCAFiles: ca, RequireClientAuth: true,
		}},
		// The server's own clients of the frontend (the system worker that
		// runs schedules and batches, history's callbacks) present
		// openova's certificate. The internal services talk among
		// themselves on loopback without TLS.
		SystemWorker: config.WorkerTLS{
			CertFile: a.pki.Path(OpenovaCertFile), KeyFile: a.pki.Path(OpenovaKeyFile),
			Client: config.ClientTLS{ServerName: ServerName, RootCAFiles: ca},
		},
	}
}

// allowedHosts are the Host headers the HTTP API answers on loopback.
func allowedHosts(host string, port int) []string {
	var hosts []string
	for _, h := range []string{"127.0.0.1", "localhost", "::1", host} {
		if hp := net.JoinHostPort(h, strconv.Itoa(port)); !slices.Contains(hosts, hp) {
			hosts = append(hosts, hp)
		}
	}
	return hosts
}

// refuseBrowsers is a frontend interceptor that refuses a call a web
// browser sent: a page the user opens may POST text/plain to any port on
// loopback without a preflight, and the HTTP API takes that as JSON. A
// browser marks such requests with Origin, and with Sec-Fetch-Site other
// than "none" (the user typed the URL); scripts and the temporal CLI send
// neither.
func refuseBrowsers(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	if mark := browserMark(md); mark != "" {
		return nil, serviceerror.NewPermissionDeniedf("", "openova's Temporal frontend refuses requests a web browser sent (%s): call it from a script or the temporal CLI", mark)
	}
	return handler(ctx, req)
}

// browserMark names the header that shows a browser sent the call, or "".
func browserMark(md metadata.MD) string {
	if o := md.Get("origin"); len(o) > 0 {
		return "Origin: " + o[0]
	}
	for _, s := range md.Get("sec-fetch-site") {
		if s != "none" {
			return "Sec-Fetch-Site: " + s
		}
	}
	return ""
}
