package wizard

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/netguard"
)

// The state bucket's endpoint is where OpenTofu sends the bucket's keys:
// plain http is refused unless openova runs with --allow-http-fetch, and
// a link-local or metadata address always (the workflow's validation).
func TestStateEndpointKeepsToTheFetchPolicy(t *testing.T) {
	dev := netguard.Policy{AllowHTTP: true}
	cases := []struct {
		name     string
		fetch    netguard.Policy
		endpoint string
		msg      string // "" accepted
	}{
		{"https", netguard.Policy{}, "https://fsn1.your-objectstorage.com", ""},
		{"none (AWS S3)", netguard.Policy{}, "", ""},
		{"plain http", netguard.Policy{}, "http://s3.example.com", "give an https URL (openova allows http only with --allow-http-fetch"},
		{"plain http in development", dev, "http://127.0.0.1:9000", ""},
		{"metadata in development", dev, "http://169.254.169.254", "169.254.169.254 is a link-local address"},
		{"metadata over https", netguard.Policy{}, "https://metadata.google.internal", "names a cloud metadata service"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := newDraft()
			d.State = StateForm{Bucket: "acme-state", Region: "us-east-1", Endpoint: tc.endpoint, AccessKey: "k", SecretKey: "s"}
			errs := check(StepState, d)
			checkFetch(StepState, d, tc.fetch, errs)
			if tc.msg == "" {
				require.Empty(t, errs)
				return
			}
			require.Len(t, errs, 1, "%v", errs)
			require.Contains(t, errs["state.endpoint"], tc.msg)
		})
	}
}
