package workflows

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/terraform"
)

// Each failure a bootstrap step parks on gets the fix for its kind; an
// unknown or missing type gets the general rule, never an empty line.
func TestParkedFixNamesTheFixOfEachFailure(t *testing.T) {
	for _, tc := range []struct{ errType, want string }{
		{terraform.ErrQuota, "limits are reached"},
		{terraform.ErrInvalidCredentials, "Read & Write"},
		{terraform.ErrLockHeld, "force-unlock"},
		{terraform.ErrFailed, "NoSuchBucket"},
		{activities.ErrAPIServerUnreachable, "port 6443"},
		{activities.ErrGiteaNotReady, "namespace gitea"},
		{"SomethingNew", "Fix what the message names, then Retry."},
		{"", "Fix what the message names, then Retry."},
	} {
		require.Contains(t, ParkedFix(tc.errType), tc.want, "type %q", tc.errType)
	}
}
