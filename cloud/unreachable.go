package cloud

import (
	"context"
	"errors"
	"net"
	"os"
	"syscall"
)

// Unreachable says in words why an API (a cloud's, a state bucket's)
// could not be asked, instead of Go's wording ("dial tcp: lookup
// api.hetzner.cloud on 127.0.0.53:53: no such host").
func Unreachable(err error) string {
	var dns *net.DNSError
	switch {
	case errors.As(err, &dns):
		return "the name " + dns.Name + " could not be looked up (DNS)"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "the connection was refused"
	case errors.Is(err, context.DeadlineExceeded) || os.IsTimeout(err):
		return "it did not answer in time"
	case errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, syscall.EHOSTUNREACH):
		return "its network cannot be reached from this machine"
	}
	return "the connection to it failed"
}
