package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// --temporal-http-listen is off unless given, on the gRPC host, another
// port, and for the embedded server only; each error names the flag and
// what to do.
func TestTemporalHTTPListenFlag(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want string
		err  string
	}{
		{name: "off by default", args: []string{"--data-dir", dir}},
		{name: "on loopback", args: []string{"--data-dir", dir, "--temporal-http-listen", "127.0.0.1:7243"}, want: "127.0.0.1:7243"},
		{name: "from the environment", env: map[string]string{"OPENOVA_TEMPORAL_HTTP_LISTEN": "127.0.0.1:7243"}, args: []string{"--data-dir", dir}, want: "127.0.0.1:7243"},
		{name: "next to a wildcard gRPC", args: []string{"--data-dir", dir, "--temporal-listen", "0.0.0.0:7233", "--temporal-http-listen", "0.0.0.0:7243"}, want: "0.0.0.0:7243"},
		{name: "not HOST:PORT", args: []string{"--data-dir", dir, "--temporal-http-listen", "7243"}, err: `--temporal-http-listen "7243" is not HOST:PORT`},
		{name: "port out of range", args: []string{"--data-dir", dir, "--temporal-http-listen", "127.0.0.1:0"}, err: "port must be a number from 1 to 65535"},
		{name: "another host than gRPC", args: []string{"--data-dir", dir, "--temporal-http-listen", "0.0.0.0:7243"},
			err: `--temporal-http-listen "0.0.0.0:7243" must be on the host of --temporal-listen ("127.0.0.1"): the server binds both on one address; use 127.0.0.1:7243`},
		{name: "the gRPC port", args: []string{"--data-dir", dir, "--temporal-http-listen", "127.0.0.1:7233"}, err: "uses the port of --temporal-listen: choose another port"},
		{name: "with an external cluster", args: []string{"--data-dir", dir, "--temporal-address", "temporal.example:7233", "--temporal-http-listen", "127.0.0.1:7243"},
			err: "--temporal-http-listen applies to the embedded server only"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parse(t, tc.env, tc.args...)
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				var u usageError
				require.ErrorAs(t, err, &u, "a usage error exits 2")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, c.HTTPListen)
		})
	}
}
