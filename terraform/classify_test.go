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
		// OpenTofu 1.10.6 reads the state while it takes the lock, so an
		// undecryptable state comes as a lock error (and without a lock ID).
		{"encrypted state, no encryption configured", "Error: Error acquiring the state lock\n\nError message: Unsupported state file format: This state file is encrypted\nand can not be read without an encryption configuration\n\nOpenTofu acquires a state lock to protect the state from being written\nby multiple users at the same time.", ErrStateEncrypted, ""},
		{"encrypted state, wrong key", "Error: Error acquiring the state lock\n\nError message: decryption failed for all provided methods\nattempted decryption failed for state: decryption failed: cipher: message\nauthentication failed\n", ErrStateEncrypted, ""},
		{"encrypted state, key not held", "Error: Error acquiring the state lock\n\nError message: <nil>: Unable to fetch encryption key data;\nkey_provider.external.openova failed with error: the external command exited\nwith a non-zero exit code (exit status 1)\n\nStderr:\n-------\nopenova: the state is encrypted with a key openova does not hold (derived\nfrom codec key 0123456789abcdef, not in the codec key file)\n", ErrStateEncrypted, ""},
		{"state in clear, encryption enforced", "Error: Error acquiring the state lock\n\nError message: encountered unencrypted payload without unencrypted method\nconfigured\n", ErrStateNotEncrypted, ""},
		{"encrypted plan, no encryption configured", "Error: Couldn't show local plan\n\nPlan read error: the given plan file is encrypted and requires a valid\nencryption configuration to decrypt", ErrStateEncrypted, ""},
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
			switch tc.kind {
			case ErrStateEncrypted:
				require.Contains(t, err.Error(), StateEncryptedHint, "says what to do")
			case ErrStateNotEncrypted:
				require.Contains(t, err.Error(), StateNotEncryptedHint, "says what to do")
			}
		})
	}
}
