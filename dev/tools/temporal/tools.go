//go:build tools

// Package tools pins the Temporal CLI that tests and benchmarks run as a peer
// and as the stock client. It lives in its own module because the CLI wants a
// different go.temporal.io/server than the product does.
package tools

import _ "github.com/temporalio/cli/cmd/temporal"
