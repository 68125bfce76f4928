package embedded

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/primitives"
	"google.golang.org/grpc/metadata"
)

func TestLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"127.0.0.1": true, "127.8.9.10": true, "::1": true, "localhost": true,
		"0.0.0.0": false, "::": false, "": false, "10.0.0.5": false, "openova.example": false,
	} {
		require.Equal(t, want, Loopback(host), host)
	}
}

// A call a browser sent carries Origin or Sec-Fetch-Site; "none" is a URL
// the user typed, and scripts send neither.
func TestBrowserMark(t *testing.T) {
	cases := []struct {
		name string
		md   metadata.MD
		want string
	}{
		{"script", metadata.Pairs("content-type", "application/json"), ""},
		{"no metadata", nil, ""},
		{"cross-site fetch", metadata.Pairs("origin", "https://evil.example", "sec-fetch-site", "cross-site"), "Origin: https://evil.example"},
		{"opaque origin", metadata.Pairs("origin", "null"), "Origin: null"},
		{"same-site without Origin", metadata.Pairs("sec-fetch-site", "same-site"), "Sec-Fetch-Site: same-site"},
		{"same-origin (DNS rebinding)", metadata.Pairs("sec-fetch-site", "same-origin"), "Sec-Fetch-Site: same-origin"},
		{"typed into the address bar", metadata.Pairs("sec-fetch-site", "none"), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, browserMark(tc.md))
			ctx := metadata.NewIncomingContext(context.Background(), tc.md)
			_, err := refuseBrowsers(ctx, nil, nil, func(context.Context, any) (any, error) { return "ran", nil })
			if tc.want == "" {
				require.NoError(t, err)
				return
			}
			var denied *serviceerror.PermissionDenied
			require.ErrorAs(t, err, &denied)
			require.ErrorContains(t, err, "refuses requests a web browser sent ("+tc.want+")")
		})
	}
}

// The HTTP API is off unless asked for, then on the gRPC host and, on
// loopback, only for this machine's names; off loopback the frontend
// requires client certificates and the server's own clients present one.
func TestAccess(t *testing.T) {
	cases := []struct {
		name       string
		listen     string
		httpListen string
		err        string
		httpPort   int
		tls        bool
	}{
		{name: "default: loopback, no HTTP API", listen: "127.0.0.1:7233"},
		{name: "HTTP API on loopback", listen: "127.0.0.1:7233", httpListen: "127.0.0.1:7243", httpPort: 7243},
		{name: "wildcard: mutual TLS", listen: "0.0.0.0:7233", tls: true},
		{name: "an address of the machine: mutual TLS and HTTP API", listen: "10.0.0.5:7233", httpListen: "10.0.0.5:7243", httpPort: 7243, tls: true},
		{name: "HTTP API on another host", listen: "127.0.0.1:7233", httpListen: "0.0.0.0:7243", err: "binds it on the gRPC host 127.0.0.1"},
		{name: "HTTP API on the gRPC port", listen: "127.0.0.1:7233", httpListen: "127.0.0.1:7233", err: "on another port than 7233"},
		{name: "HTTP API not an address", listen: "127.0.0.1:7233", httpListen: "7243", err: "temporal HTTP API"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			host, port, err := splitHostPort(tc.listen)
			require.NoError(t, err)
			acc, err := newAccess(Options{DataDir: dir, Listen: tc.listen, HTTPListen: tc.httpListen}, host, port)
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			db := sqlConfig(filepath.Join(dir, DBFile), 1, "")
			conf, _, err := serverConfig(host, port, db, db)
			require.NoError(t, err)
			dc := dynamicconfig.StaticClient{}
			acc.apply(conf, dc)

			fe := conf.Services[string(primitives.FrontendService)].RPC
			require.Equal(t, tc.httpPort, fe.HTTPPort, "0 turns the server's HTTP API off")
			info := conf.ClusterMetadata.ClusterInformation[clusterName]
			hosts, restricted := dc[dynamicconfig.FrontendHTTPAllowedHosts.Key()]
			if tc.httpPort == 0 {
				require.Empty(t, info.HTTPAddress)
				require.False(t, restricted)
			} else {
				require.Equal(t, tc.httpListen, info.HTTPAddress)
				require.Equal(t, []string{"Origin", "Sec-Fetch-Site"}, fe.HTTPAdditionalForwardedHeaders)
				require.Equal(t, !tc.tls, restricted, "Host is checked on loopback")
				if restricted {
					require.Equal(t, []string{"127.0.0.1:7243", "localhost:7243", "[::1]:7243"}, hosts)
				}
			}
			tlsConf := conf.Global.TLS
			require.Equal(t, tc.tls, tlsConf.Frontend.Server.RequireClientAuth)
			require.Equal(t, tc.tls, acc.pki != nil)
			if tc.tls {
				pkiDir := filepath.Join(dir, PKIDir)
				require.Equal(t, []string{filepath.Join(pkiDir, CAFile)}, tlsConf.Frontend.Server.ClientCAFiles)
				require.Equal(t, filepath.Join(pkiDir, OpenovaCertFile), tlsConf.SystemWorker.CertFile)
				require.Equal(t, ServerName, tlsConf.SystemWorker.Client.ServerName)
				require.False(t, tlsConf.Internode.IsServerEnabled(), "internal services stay on loopback without TLS")
				_, err := acc.pki.ClientTLS()
				require.NoError(t, err)
			}
		})
	}
}
