package workflows

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The state bucket's endpoint is where OpenTofu sends the bucket's keys
// and reads the state (which holds the cluster's secrets): one at a
// link-local or cloud metadata address is refused, with what to do,
// whoever starts the workflow (the wizard, or the temporal CLI).
func TestBootstrapStateEndpointNotAtMetadata(t *testing.T) {
	cases := []struct {
		endpoint string
		msg      string // "" accepted
	}{
		{"https://fsn1.your-objectstorage.com", ""},
		{"https://10.0.0.5:9000", ""},
		{"http://127.0.0.1:9000", ""}, // plain http is the wizard's to refuse (--allow-http-fetch)
		{"http://169.254.169.254/latest/meta-data/", "the S3 endpoint 169.254.169.254 is a link-local address"},
		{"https://169.254.169.254", "169.254.169.254 is a link-local address"},
		{"https://100.100.100.200", "100.100.100.200 is a cloud metadata address"},
		{"https://metadata.google.internal", "names a cloud metadata service"},
		{"https://2852039166", "neither a host name nor an IP address in the usual form"},
	}
	for _, tc := range cases {
		in := twoRegions()
		in.State = stateOK()
		in.State.Endpoint = tc.endpoint
		errs := in.Validate()
		if tc.msg == "" {
			require.Empty(t, errs, tc.endpoint)
			continue
		}
		require.Len(t, errs, 1, tc.endpoint)
		require.Equal(t, "state.endpoint", errs[0].Field)
		require.Contains(t, errs[0].Message, tc.msg)
	}
}
