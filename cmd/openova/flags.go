package main

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"

	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"

	"github.com/openova-io/core/netguard"
	"github.com/openova-io/core/web/auth"
	"github.com/openova-io/core/worker"
)

// options are the flags both modes share.
type options struct {
	listen            string
	dataDir           string
	logLevel          string
	temporalListen    string
	temporalHTTP      string
	temporalAddress   string
	temporalNamespace string
	tlsCert, tlsKey   string
	tlsCA, tlsServer  string
	apiKey            string
	codecKeyFile      string
	codecTokenFile    string
	dbConns           int
	dbSync            string
	dynamicConfigFile string
	pprofListen       string
	httpsCert         string
	httpsKey          string
	adminHashFile     string
	oidc              oidcFlags
	proxy             proxyFlags
	allowHTTPFetch    bool
}

// oidcFlags configure sign-in with an OpenID provider.
type oidcFlags struct {
	issuer, clientID, secretFile, redirectURL string
	// allowedUsers, allowedDomains and allowedGroups name who may sign in
	// (auth.Allow); groupsClaim is where the ID token lists groups.
	allowedUsers, allowedDomains, allowedGroups []string
	groupsClaim                                 string
}

func (o *options) register(fs *pflag.FlagSet, defaultListen string) {
	fs.StringVar(&o.listen, "listen", defaultListen, "HTTP address for the UI, probes, metrics and codec endpoint")
	fs.StringVar(&o.dataDir, "data-dir", defaultDataDir(), "directory for the SQLite database, codec key and token")
	fs.StringVar(&o.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&o.temporalListen, "temporal-listen", "127.0.0.1:7233", "gRPC address of the embedded Temporal frontend (the temporal CLI dials it); off loopback it requires client certificates from <data-dir>/temporal-tls")
	fs.StringVar(&o.temporalHTTP, "temporal-http-listen", "", temporalHTTPHelp)
	fs.StringVar(&o.temporalAddress, "temporal-address", "", "HOST:PORT of an existing Temporal cluster; then nothing is embedded")
	fs.StringVar(&o.temporalNamespace, "temporal-namespace", "default", "Temporal namespace")
	fs.StringVar(&o.tlsCert, "temporal-tls-cert", "", "client certificate (PEM) for an external Temporal cluster")
	fs.StringVar(&o.tlsKey, "temporal-tls-key", "", "client key (PEM) for an external Temporal cluster")
	fs.StringVar(&o.tlsCA, "temporal-tls-ca", "", "CA bundle (PEM) that signed the external cluster's certificate")
	fs.StringVar(&o.tlsServer, "temporal-tls-server-name", "", "TLS server name of the external cluster")
	fs.StringVar(&o.apiKey, "temporal-api-key", "", "API key for an external Temporal cluster (implies TLS)")
	fs.StringVar(&o.codecKeyFile, "codec-key-file", "", "payload encryption keys (default <data-dir>/codec.key, generated on first start)")
	fs.StringVar(&o.codecTokenFile, "codec-token-file", "", "bearer token of the codec endpoint (default <data-dir>/codec.token, generated on first start)")
	fs.IntVar(&o.dbConns, "temporal-db-conns", 1, "SQLite connections per database file of the embedded server (1-32; see BENCHMARKS.md before raising it)")
	fs.StringVar(&o.dbSync, "temporal-db-sync", "full", "SQLite sync: full (every commit survives power loss) or normal (survives a crash of openova, not of the machine)")
	fs.StringVar(&o.dynamicConfigFile, "temporal-dynamic-config", "", "YAML map of dynamic config overrides for the embedded server")
	fs.StringVar(&o.pprofListen, "pprof-listen", "", "HOST:PORT for Go's pprof profiles (off when empty; keep it on loopback)")
	fs.StringVar(&o.httpsCert, "tls-cert", "", "certificate (PEM) to serve --listen over HTTPS, for those who run openova without a proxy in front")
	fs.StringVar(&o.httpsKey, "tls-key", "", "private key (PEM) of --tls-cert")
	fs.StringVar(&o.adminHashFile, "admin-password-hash-file", "", "file holding the admin password's argon2id hash (PHC string), e.g. a mounted Secret; replaces the password generated on first start")
	o.proxy.register(fs)
	fs.StringVar(&o.oidc.issuer, "oidc-issuer", "", "issuer URL of an OpenID provider to sign in with, next to the admin password (e.g. https://login.example.com/realms/ops)")
	fs.StringVar(&o.oidc.clientID, "oidc-client-id", "", "client ID registered with the OpenID provider")
	fs.StringVar(&o.oidc.secretFile, "oidc-client-secret-file", "", "file holding the OpenID client secret")
	fs.StringVar(&o.oidc.redirectURL, "oidc-redirect-url", "", "redirect URL registered with the provider (default: <--public-url>/login/oidc/callback, else this server as the browser reaches it)")
	fs.StringSliceVar(&o.oidc.allowedUsers, "oidc-allowed-users", nil, "comma list of the provider's users who may sign in: their subject (sub) or verified email address")
	fs.StringSliceVar(&o.oidc.allowedDomains, "oidc-allowed-email-domains", nil, "comma list of email domains whose users may sign in (verified addresses only), e.g. example.com")
	fs.StringSliceVar(&o.oidc.allowedGroups, "oidc-allowed-groups", nil, "comma list of the provider's groups whose members may sign in (asks for the groups scope)")
	fs.StringVar(&o.oidc.groupsClaim, "oidc-groups-claim", "groups", "ID token claim that lists the user's groups")
	fs.BoolVar(&o.allowHTTPFetch, "allow-http-fetch", false, "let openova fetch over plain http (catalog index, Git, S3 endpoint, OpenID provider): for development against servers on loopback only")
}

// validate checks the OIDC flags: all or none, a URL the fetch policy
// admits, a readable secret, and someone named who may sign in.
func (f oidcFlags) validate(fetch netguard.Policy) error {
	if f.issuer == "" {
		if f.clientID != "" || f.secretFile != "" || f.redirectURL != "" || !f.allow().Empty() {
			return usageError{errors.New("--oidc-client-id, --oidc-client-secret-file, --oidc-redirect-url and --oidc-allowed-* need --oidc-issuer")}
		}
		return nil
	}
	for flag, v := range map[string]string{"--oidc-issuer": f.issuer, "--oidc-redirect-url": f.redirectURL} {
		if v == "" {
			continue
		}
		if u, err := url.Parse(v); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return usageError{fmt.Errorf("%s %q is not an http(s) URL", flag, v)}
		}
	}
	if err := fetch.CheckURL(f.issuer); err != nil {
		return usageError{fmt.Errorf("--oidc-issuer: %w", err)}
	}
	if f.clientID == "" {
		return usageError{errors.New("--oidc-issuer needs --oidc-client-id: the client registered with the provider")}
	}
	if f.secretFile == "" {
		return usageError{errors.New("--oidc-issuer needs --oidc-client-secret-file: a file holding the client secret")}
	}
	b, err := os.ReadFile(f.secretFile)
	if err != nil {
		return usageError{fmt.Errorf("--oidc-client-secret-file %s cannot be read (%s)", f.secretFile, rootCause(err))}
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return usageError{fmt.Errorf("--oidc-client-secret-file %s is empty: put the client secret in it", f.secretFile)}
	}
	return f.checkAllow()
}

func defaultDataDir() string {
	if x := os.Getenv("XDG_DATA_HOME"); x != "" {
		return filepath.Join(x, "openova")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".local", "share", "openova")
	}
	return "openova-data"
}

var namespaceRE = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9._-]{1,254}$`)

// validate checks what can be checked without side effects and returns the
// worker config. Each error names the flag and what to do.
func (o *options) validate(fs *pflag.FlagSet, mode worker.Mode) (worker.Config, error) {
	if err := checkAddr("--listen", o.listen); err != nil {
		return worker.Config{}, err
	}
	if _, err := parseLevel(o.logLevel); err != nil {
		return worker.Config{}, err
	}
	if o.pprofListen != "" {
		if err := checkAddr("--pprof-listen", o.pprofListen); err != nil {
			return worker.Config{}, err
		}
	}
	if o.dataDir == "" {
		return worker.Config{}, usageError{errors.New("--data-dir is empty: name a directory openova may write")}
	}
	if err := checkHTTPS(o.httpsCert, o.httpsKey); err != nil {
		return worker.Config{}, err
	}
	if err := o.proxy.validate(o.httpsCert != ""); err != nil {
		return worker.Config{}, err
	}
	if o.adminHashFile != "" {
		if _, err := auth.ReadAdminHash(o.adminHashFile); err != nil {
			return worker.Config{}, usageError{fmt.Errorf("--admin-password-hash-file: %w", err)}
		}
	}
	if err := o.oidc.validate(netguard.Policy{AllowHTTP: o.allowHTTPFetch}); err != nil {
		return worker.Config{}, err
	}
	if o.temporalAddress != "" {
		if fs.Changed("temporal-listen") {
			return worker.Config{}, usageError{errors.New("--temporal-listen applies to the embedded server only: drop it, or drop --temporal-address")}
		}
		if err := checkAddr("--temporal-address", o.temporalAddress); err != nil {
			return worker.Config{}, err
		}
	} else if err := checkAddr("--temporal-listen", o.temporalListen); err != nil {
		return worker.Config{}, err
	}
	if err := o.checkTemporalHTTP(fs); err != nil {
		return worker.Config{}, err
	}
	if !namespaceRE.MatchString(o.temporalNamespace) {
		return worker.Config{}, usageError{fmt.Errorf("--temporal-namespace %q is not a valid namespace name (letters, digits, '.', '_', '-'; 2-255 characters)", o.temporalNamespace)}
	}
	if o.dbConns < 1 || o.dbConns > 32 {
		return worker.Config{}, usageError{fmt.Errorf("--temporal-db-conns %d is out of range: use 1 to 32", o.dbConns)}
	}
	if o.dbSync != "full" && o.dbSync != "normal" {
		return worker.Config{}, usageError{fmt.Errorf("--temporal-db-sync %q: use full or normal", o.dbSync)}
	}
	dc, err := loadDynamicConfig(o.dynamicConfigFile)
	if err != nil {
		return worker.Config{}, err
	}
	dataDir, err := filepath.Abs(o.dataDir)
	if err != nil {
		return worker.Config{}, usageError{fmt.Errorf("--data-dir %q: %w", o.dataDir, err)}
	}
	cfg := worker.Config{
		Mode: mode, DataDir: dataDir, Listen: o.temporalListen, HTTPListen: o.temporalHTTP, DBConns: o.dbConns, DBSync: o.dbSync, DynamicConfig: dc,
		Address: o.temporalAddress, Namespace: o.temporalNamespace,
		TLSCert: o.tlsCert, TLSKey: o.tlsKey, TLSCA: o.tlsCA, TLSServerName: o.tlsServer, APIKey: o.apiKey,
		CodecKeyFile: o.codecKeyFile, CodecTokenFile: o.codecTokenFile, CodecKeyFileExplicit: o.codecKeyFile != "",
		Fetch: netguard.Policy{AllowHTTP: o.allowHTTPFetch},
	}
	if cfg.CodecKeyFile == "" {
		cfg.CodecKeyFile = filepath.Join(dataDir, "codec.key")
	}
	if cfg.CodecTokenFile == "" {
		cfg.CodecTokenFile = filepath.Join(dataDir, "codec.token")
	}
	return cfg, nil
}

// checkHTTPS: both --tls-cert and --tls-key or neither, and a pair that loads.
func checkHTTPS(cert, key string) error {
	switch {
	case cert == "" && key == "":
		return nil
	case cert == "" || key == "":
		return usageError{errors.New("--tls-cert and --tls-key go together: give both to serve HTTPS, or neither")}
	}
	if _, err := tls.LoadX509KeyPair(cert, key); err != nil {
		return usageError{fmt.Errorf("--tls-cert %s / --tls-key %s cannot be loaded (%s): give a PEM certificate and its private key", cert, key, rootCause(err))}
	}
	return nil
}

func checkAddr(flag, addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return usageError{fmt.Errorf("%s %q is not HOST:PORT", flag, addr)}
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 1 || p > 65535 {
		return usageError{fmt.Errorf("%s %q: port must be a number from 1 to 65535", flag, addr)}
	}
	return nil
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, usageError{fmt.Errorf("--log-level %q: use debug, info, warn or error", s)}
	}
	return l, nil
}

// loadDynamicConfig reads a flat YAML map of dynamic config keys to values.
func loadDynamicConfig(path string) (map[string]any, error) {
	if path == "" {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, usageError{fmt.Errorf("--temporal-dynamic-config: %w", err)}
	}
	var m map[string]any
	if err := yaml.Unmarshal(data, &m); err != nil {
		return nil, usageError{fmt.Errorf("--temporal-dynamic-config %s is not a YAML map of key: value (%s)", path, oneLine(err.Error()))}
	}
	for k, v := range m {
		switch v.(type) {
		case int, bool, string, float64:
		default:
			return nil, usageError{fmt.Errorf("--temporal-dynamic-config %s: key %q needs a number, bool or string value", path, k)}
		}
	}
	return m, nil
}
