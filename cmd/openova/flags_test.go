package main

import (
	"path/filepath"
	"testing"

	"github.com/spf13/pflag"
	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/web/auth"
	"github.com/openova-io/core/worker"
)

func parse(t *testing.T, env map[string]string, args ...string) (worker.Config, error) {
	t.Helper()
	for k, v := range env {
		t.Setenv(k, v)
	}
	var o options
	fs := pflag.NewFlagSet("bootstrap", pflag.ContinueOnError)
	o.register(fs, "127.0.0.1:8080")
	require.NoError(t, fs.Parse(args))
	if err := applyEnv(fs); err != nil {
		return worker.Config{}, err
	}
	return o.validate(fs, worker.ModeBootstrap)
}

func TestFlagsAndEnvironment(t *testing.T) {
	dir := t.TempDir()
	dc := writeFixture(t, dir, "dc.yaml", "matching.numTaskqueueReadPartitions: 4\nsystem.enableEagerWorkflowStart: false\n")
	badDC := writeFixture(t, dir, "bad.yaml", "- a list\n")
	nestedDC := writeFixture(t, dir, "nested.yaml", "key:\n  - value: 1\n")

	cases := []struct {
		name  string
		env   map[string]string
		args  []string
		check func(t *testing.T, c worker.Config)
		err   string
	}{
		{name: "defaults embed temporal", args: []string{"--data-dir", dir}, check: func(t *testing.T, c worker.Config) {
			require.True(t, c.Embedded())
			require.Equal(t, "127.0.0.1:7233", c.Listen)
			require.Equal(t, filepath.Join(dir, "codec.key"), c.CodecKeyFile)
			require.False(t, c.CodecKeyFileExplicit)
			require.Equal(t, "openova-bootstrap", c.TaskQueue())
			require.False(t, c.Fetch.AllowHTTP, "plain http fetches are refused unless asked for")
		}},
		{name: "env fills unset flags", env: map[string]string{"OPENOVA_DATA_DIR": dir, "OPENOVA_TEMPORAL_ADDRESS": "temporal.example:7233", "OPENOVA_TEMPORAL_NAMESPACE": "ops"},
			check: func(t *testing.T, c worker.Config) {
				require.False(t, c.Embedded())
				require.Equal(t, "temporal.example:7233", c.Address)
				require.Equal(t, "ops", c.Namespace)
				require.Equal(t, dir, c.DataDir)
			}},
		{name: "flag beats env", env: map[string]string{"OPENOVA_TEMPORAL_NAMESPACE": "from-env"}, args: []string{"--data-dir", dir, "--temporal-namespace", "from-flag"},
			check: func(t *testing.T, c worker.Config) { require.Equal(t, "from-flag", c.Namespace) }},
		{name: "explicit codec key", args: []string{"--data-dir", dir, "--codec-key-file", "/secrets/codec.key"},
			check: func(t *testing.T, c worker.Config) { require.True(t, c.CodecKeyFileExplicit) }},
		{name: "dynamic config file", args: []string{"--data-dir", dir, "--temporal-dynamic-config", dc},
			check: func(t *testing.T, c worker.Config) {
				require.Equal(t, 4, c.DynamicConfig["matching.numTaskqueueReadPartitions"])
				require.Equal(t, false, c.DynamicConfig["system.enableEagerWorkflowStart"])
			}},
		{name: "XDG data home", env: map[string]string{"XDG_DATA_HOME": dir}, check: func(t *testing.T, c worker.Config) {
			require.Equal(t, filepath.Join(dir, "openova"), c.DataDir)
		}},
		{name: "dynamic config not a map", args: []string{"--temporal-dynamic-config", badDC}, err: "is not a YAML map of key: value"},
		{name: "dynamic config nested value", args: []string{"--temporal-dynamic-config", nestedDC}, err: `key "key" needs a number, bool or string value`},
		{name: "dynamic config missing", args: []string{"--temporal-dynamic-config", filepath.Join(dir, "nope")}, err: "no such file"},
		{name: "empty data dir", args: []string{"--data-dir", ""}, err: "--data-dir is empty"},
		{name: "bad external address", args: []string{"--temporal-address", "temporal"}, err: `--temporal-address "temporal" is not HOST:PORT`},
		{name: "bad env int", env: map[string]string{"OPENOVA_TEMPORAL_DB_CONNS": "x"}, err: "environment variable OPENOVA_TEMPORAL_DB_CONNS"},
		{name: "bad db sync", args: []string{"--temporal-db-sync", "off"}, err: `--temporal-db-sync "off": use full or normal`},
		{name: "db conns too many", args: []string{"--temporal-db-conns", "33"}, err: "out of range: use 1 to 32"},
		{name: "tls cert without key", args: []string{"--tls-cert", dc}, err: "--tls-cert and --tls-key go together"},
		{name: "tls pair that does not load", args: []string{"--tls-cert", dc, "--tls-key", dc}, err: "cannot be loaded"},
		{name: "admin hash file missing", args: []string{"--admin-password-hash-file", filepath.Join(dir, "nope")}, err: "--admin-password-hash-file: read the admin password hash"},
		{name: "admin hash file holds a password", args: []string{"--admin-password-hash-file", writeFixture(t, dir, "plain", "hunter2\n")},
			err: "holds no usable argon2id hash (not an argon2id hash): write the PHC string"},
		{name: "admin hash file", args: []string{"--data-dir", dir, "--admin-password-hash-file", writeFixture(t, dir, "hash", adminHash(t, "correct horse")+"\n")},
			check: func(t *testing.T, c worker.Config) {}},
		{name: "oidc client without issuer", args: []string{"--oidc-client-id", "ops"}, err: "need --oidc-issuer"},
		{name: "oidc issuer not a URL", args: []string{"--oidc-issuer", "login.example.com", "--oidc-client-id", "ops", "--oidc-client-secret-file", dc}, err: `--oidc-issuer "login.example.com" is not an http(s) URL`},
		{name: "oidc without client ID", args: []string{"--oidc-issuer", "https://login.example.com"}, err: "needs --oidc-client-id"},
		{name: "oidc secret file missing", args: []string{"--oidc-issuer", "https://login.example.com", "--oidc-client-id", "ops", "--oidc-client-secret-file", filepath.Join(dir, "nope")}, err: "cannot be read (no such file or directory)"},
		{name: "oidc secret file empty", args: []string{"--oidc-issuer", "https://login.example.com", "--oidc-client-id", "ops", "--oidc-client-secret-file", writeFixture(t, dir, "empty", "\n")}, err: "is empty"},
		{name: "oidc admits nobody unless named", args: []string{"--oidc-issuer", "https://login.example.com", "--oidc-client-id", "ops", "--oidc-client-secret-file", dc},
			err: "--oidc-issuer admits nobody until you name who may sign in: give --oidc-allowed-users"},
		{name: "oidc allow list without issuer", args: []string{"--oidc-allowed-users", "42"}, err: "need --oidc-issuer"},
		{name: "oidc allowed domain not a domain", args: []string{"--oidc-issuer", "https://login.example.com", "--oidc-client-id", "ops", "--oidc-client-secret-file", dc,
			"--oidc-allowed-email-domains", "ops@example.com"}, err: `--oidc-allowed-email-domains "ops@example.com" is not a domain`},
		{name: "oidc allowed users with an empty entry", args: []string{"--oidc-issuer", "https://login.example.com", "--oidc-client-id", "ops", "--oidc-client-secret-file", dc,
			"--oidc-allowed-users", "42,,7"}, err: "--oidc-allowed-users has an empty entry"},
		{name: "oidc issuer over plain http", args: []string{"--oidc-issuer", "http://login.example.com", "--oidc-client-id", "ops", "--oidc-client-secret-file", dc,
			"--oidc-allowed-users", "42"}, err: "--oidc-issuer: http://login.example.com is plain http, which anyone on the way can read and change: give an https URL (openova allows http only with --allow-http-fetch"},
		{name: "oidc issuer at the metadata address", args: []string{"--oidc-issuer", "https://169.254.169.254/", "--oidc-client-id", "ops", "--oidc-client-secret-file", dc,
			"--oidc-allowed-users", "42", "--allow-http-fetch"}, err: "--oidc-issuer: 169.254.169.254 is a link-local address"},
		{name: "oidc issuer naming the metadata service", args: []string{"--oidc-issuer", "https://metadata.google.internal/", "--oidc-client-id", "ops", "--oidc-client-secret-file", dc,
			"--oidc-allowed-email-domains", "example.com"}, err: "names a cloud metadata service"},
		{name: "oidc allow lists from the environment, http in development", env: map[string]string{"OPENOVA_OIDC_ALLOWED_USERS": "42,ada@example.org", "OPENOVA_ALLOW_HTTP_FETCH": "true"},
			args:  []string{"--data-dir", dir, "--oidc-issuer", "http://127.0.0.1:5556/dex", "--oidc-client-id", "ops", "--oidc-client-secret-file", dc},
			check: func(t *testing.T, c worker.Config) { require.True(t, c.Fetch.AllowHTTP) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parse(t, tc.env, tc.args...)
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			tc.check(t, c)
		})
	}
}

func TestEnvName(t *testing.T) {
	require.Equal(t, "OPENOVA_TEMPORAL_TLS_SERVER_NAME", envName("temporal-tls-server-name"))
	require.Equal(t, "OPENOVA_DATA_DIR", envName("data-dir"))
}

// adminHash is the argon2id PHC string of password.
func adminHash(t *testing.T, password string) string {
	t.Helper()
	phc, err := auth.Hash(password)
	require.NoError(t, err)
	return phc
}
