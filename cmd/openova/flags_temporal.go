package main

import (
	"errors"
	"fmt"
	"net"

	"github.com/spf13/pflag"
)

// temporalHTTPHelp says what turning the HTTP API on risks.
const temporalHTTPHelp = "HOST:PORT of the embedded Temporal server's HTTP API, on the host of --temporal-listen (off when empty). " +
	"Any web page you open can send requests to a port on this machine: openova refuses those that carry a browser's Origin or " +
	"Sec-Fetch-Site header and, on loopback, a Host header other than this machine's; off loopback the HTTP API requires the client " +
	"certificates gRPC does. Leave it off unless a script needs it"

// checkTemporalHTTP validates --temporal-http-listen: the embedded server
// binds its HTTP API on the gRPC host, so only the port is free to choose.
func (o *options) checkTemporalHTTP(fs *pflag.FlagSet) error {
	if o.temporalHTTP == "" {
		return nil
	}
	if o.temporalAddress != "" {
		if fs.Changed("temporal-http-listen") {
			return usageError{errors.New("--temporal-http-listen applies to the embedded server only: drop it, or drop --temporal-address")}
		}
		return nil
	}
	if err := checkAddr("--temporal-http-listen", o.temporalHTTP); err != nil {
		return err
	}
	host, port, _ := net.SplitHostPort(o.temporalHTTP)
	gHost, gPort, _ := net.SplitHostPort(o.temporalListen)
	if host != gHost {
		return usageError{fmt.Errorf("--temporal-http-listen %q must be on the host of --temporal-listen (%q): the server binds both on one address; use %s",
			o.temporalHTTP, gHost, net.JoinHostPort(gHost, port))}
	}
	if port == gPort {
		return usageError{fmt.Errorf("--temporal-http-listen %q uses the port of --temporal-listen: choose another port", o.temporalHTTP)}
	}
	return nil
}
