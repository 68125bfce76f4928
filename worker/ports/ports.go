// Package ports picks free loopback ports for listeners that are bound a
// moment after the pick (the embedded server's internal services, test
// processes). A :0 listen returns a port of the kernel's ephemeral range,
// which any outgoing connection of any process may take before the bind
// (seen in CI as "bind: address already in use"); Pick chooses below that
// range, where the kernel never hands out ports on its own.
package ports

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
)

// Pick returns a loopback port that was free a moment ago, below the
// ephemeral range when it can (else one a :0 listen gives).
func Pick() (int, error) {
	low := EphemeralLow()
	from := max(low-12000, 10000)
	if from < low {
		for range 64 {
			p := from + rand.IntN(low-from)
			if l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p))); err == nil {
				_ = l.Close()
				return p, nil
			}
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free loopback port: %w", err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// EphemeralLow is the first port of the kernel's ephemeral range (32768,
// Linux's default, when it cannot be read).
func EphemeralLow() int {
	const linuxDefault = 32768
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return linuxDefault
	}
	if f := strings.Fields(string(b)); len(f) > 0 {
		if n, err := strconv.Atoi(f[0]); err == nil && n > 1024 {
			return n
		}
	}
	return linuxDefault
}
