package ports

import (
	"net"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// Internal ports come from below the kernel's ephemeral range, where no
// outgoing connection can take one between the pick and the server's bind,
// and are free when picked.
func TestPickPortAvoidsTheEphemeralRange(t *testing.T) {
	low := EphemeralLow()
	for range 20 {
		p, err := Pick()
		require.NoError(t, err)
		require.Less(t, p, low)
		require.GreaterOrEqual(t, p, 10000)
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		require.NoError(t, err, "port %d was picked free", p)
		require.NoError(t, l.Close())
	}
}
