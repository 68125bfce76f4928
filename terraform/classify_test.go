package terraform

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

// What tofu and its providers print when a run fails, by kind (the lines
// as the hcloud provider and OpenTofu word them).
func TestClassify(t *testing.T) {
	cases := []struct {
		name, out, kind, lockID string
	}{
		{"held lock", "Error: Error acquiring the state lock\n\nLock Info:\n  ID:        3f1d2c9a-77aa-4b1e-9c55-000000000001\n  Path:      s3://state/acme/eu.tfstate\n", ErrLockHeld, "3f1d2c9a-77aa-4b1e-9c55-000000000001"},
		{"bad token", "Error: unable to authenticate your access token (unauthorized, 401)", ErrInvalidCredentials, ""},
		{"bad S3 key", "Error: InvalidAccessKeyId: The AWS Access Key Id you provided does not exist", ErrInvalidCredentials, ""},
		{"quota", "Error: server limit reached (resource_limit_exceeded, 403)", ErrQuota, ""},
		{"API down", "Error: service unavailable (unavailable, 503)", ErrAPI, ""},
		{"anything else", "Error: Unsupported argument\n\n  on main.tf line 3", ErrFailed, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := &Runner{Secrets: []string{"s3cret"}}
			l := &lines{redact: r.redact}
			_, _ = l.Write([]byte(tc.out + "\nwith s3cret\n"))
			err := r.classify("apply", errors.New("exit status 1: s3cret"), l)
			var te *Error
			require.True(t, errors.As(err, &te))
			require.Equal(t, tc.kind, te.Kind)
			require.Equal(t, tc.lockID, te.LockID)
			require.NotContains(t, err.Error(), "s3cret")
			require.NotContains(t, te.Output, "s3cret")
			require.Contains(t, err.Error(), "tofu apply: "+tc.kind)
		})
	}
}
