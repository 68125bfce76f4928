// Package worker is the Temporal side of openova: it runs the embedded server
// or dials an existing cluster, builds the client with the encrypting data
// converter, checks the namespace and registers each mode's workflows.
package worker

import (
	"time"

	"github.com/openova-io/core/netguard"
)

// Mode says which workflows a process hosts.
type Mode string

// Modes of the openova binary.
const (
	ModeBootstrap Mode = "bootstrap"
	ModeManager   Mode = "manager"
)

// MinRetention keeps the workflow history, which is the audit log, for at
// least a quarter; the dev server's 24 h default would erase it daily.
const MinRetention = 90 * 24 * time.Hour

// Config is everything the Temporal side needs, already validated by cmd.
type Config struct {
	Mode    Mode
	DataDir string

	// Embedded server (used when Address is empty). HTTPListen is its HTTP
	// API's address, off when empty.
	Listen        string
	HTTPListen    string
	DBConns       int
	DBSync        string
	DynamicConfig map[string]any

	// External cluster.
	Address       string
	Namespace     string
	TLSCert       string
	TLSKey        string
	TLSCA         string
	TLSServerName string
	APIKey        string

	// Payload codec.
	CodecKeyFile   string
	CodecTokenFile string
	// CodecKeyFileExplicit is true when the operator named the key file, so
	// a missing one is an error rather than a first start.
	CodecKeyFileExplicit bool

	// Manager holds what manager mode's activities are built from
	// (Register builds them); cmd dials Kubernetes, so worker never does.
	Manager *ManagerDeps
	// Bootstrap holds what bootstrap mode's activities are built from.
	Bootstrap *BootstrapDeps
	// Fetch is where the activities' own fetches may go (catalog index,
	// Helm repositories, Git): https only unless --allow-http-fetch.
	Fetch netguard.Policy
}

// Embedded reports whether openova runs its own Temporal server.
func (c Config) Embedded() bool { return c.Address == "" }

// TaskQueue is the queue this mode's worker polls.
func (c Config) TaskQueue() string {
	return taskQueue(c.Mode)
}
