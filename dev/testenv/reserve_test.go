package testenv

import (
	"io"
	"net"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// A held port cannot be bound by anyone else on any of its hosts, closes
// what connects to it, and binds again on a host once released there.
func TestReservePortHoldsUntilReleased(t *testing.T) {
	hosts := []string{"127.0.0.1", "127.0.0.2"}
	r := ReservePort(t, hosts...)
	addr := func(h string) string { return net.JoinHostPort(h, strconv.Itoa(r.Port)) }
	for _, h := range hosts {
		_, err := net.Listen("tcp", addr(h))
		require.Error(t, err, "%s is held", addr(h))
		c, err := net.Dial("tcp", addr(h))
		require.NoError(t, err)
		_, err = c.Read(make([]byte, 1))
		require.ErrorIs(t, err, io.EOF, "a held port closes what connects")
		require.NoError(t, c.Close())
	}
	r.Release(hosts[0])
	r.Release(hosts[0])
	l, err := net.Listen("tcp", addr(hosts[0]))
	require.NoError(t, err, "released on %s", hosts[0])
	require.NoError(t, l.Close())
	_, err = net.Listen("tcp", addr(hosts[1]))
	require.Error(t, err, "still held on %s", hosts[1])
}
