// Package bootstrap is the Bootstrap workflow's contract: its input and
// its validation, its result, its progress query, the signals it takes,
// and the payloads its activities exchange (the Terraform run, the module's
// variables, the cluster's generated secrets and outputs). The wizard, the
// workflow and the activities all import it; it imports only the standard
// library and the module's light packages (secret, cloud, netguard), so a
// page that shows a bootstrap pulls in no cloud SDK, Terraform runner, Git
// or Kubernetes client (dev/importrules holds it to that).
//
// Payloads are recorded in workflow histories: change them by adding
// fields, never by renaming one or changing its JSON name.
package bootstrap

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/openova-io/core/cloud"
	"github.com/openova-io/core/netguard"
)

// Input is the Bootstrap workflow's input: everything the wizard
// collected. Credentials and the bucket's keys travel only in encoded
// payloads.
type Input struct {
	Organization string
	Domain       string
	Provider     cloud.Provider
	// Credentials by field name (cloud.Credentials).
	Credentials map[string]string
	Regions     []Region
	// State is the bucket for the Terraform state; empty Bucket keeps it
	// in the working directory (development only).
	State        StateBackend
	Components   []string `json:",omitempty"`
	SSHPublicKey string   `json:",omitempty"`
	APIPort      int      `json:",omitempty"`
	// GiteaPort is the load balancers' Gitea port (0: the module's 3000).
	GiteaPort int `json:",omitempty"`
	// ManagerPort is the load balancers' manager port (0: ManagerPort,
	// 443). The wizard never sets it; tests on loopback do.
	ManagerPort int `json:",omitempty"`
	// APITimeout bounds the wait for each region's API server (default 20 min).
	APITimeout time.Duration `json:",omitempty"`
	// DNSZone is a zone of the provider's DNS (Hetzner DNS) that holds
	// Domain: the primary's apply creates manager.<domain> in it. "" leaves
	// the record to the user.
	DNSZone string `json:",omitempty"`
}

// Region is one region: a cluster of its own.
type Region struct {
	Name             string
	Role             string
	ControlPlanes    int
	Workers          int
	ControlPlaneSize string
	WorkerSize       string
	NodeCIDR         string
	PodCIDR          string
	ServiceCIDR      string
}

// ManagerPort is where each region's load balancer serves the Lifecycle
// Manager by default (the contract module's manager_port), so the API and
// Gitea cannot have it.
const ManagerPort = 443

// ManagerPortOr is the manager's port of a request (ManagerPort unless
// it names another).
func ManagerPortOr(port int) int {
	if port == 0 {
		return ManagerPort
	}
	return port
}

// Region roles.
const (
	RolePrimary = "primary"
	RoleStandby = "standby"
)

// FieldError is one refused field, named as the wizard's form names it.
type FieldError struct {
	Field   string
	Message string
}

var (
	orgRE    = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$`)
	labelRE  = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	bucketRE = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	// endpointRE is an http(s) URL of a host (name or IPv4) and port, with
	// no user info: a regular expression, since url.Parse reads GODEBUG
	// settings, which workflowcheck rightly calls non-deterministic.
	endpointRE = regexp.MustCompile(`^https?://([A-Za-z0-9.-]+)(:[0-9]{1,5})?(/[^@\s]*)?$`)
)

// Validate checks the request the way the modules and the clouds will, so
// bad input is refused before any plan, each problem naming its field. The
// wizard and the workflow call the same function.
func (in Input) Validate() []FieldError {
	var errs []FieldError
	add := func(field, format string, args ...any) {
		errs = append(errs, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if !orgRE.MatchString(in.Organization) {
		add("organization", "use 1–32 lower-case letters, digits and '-', starting and ending with a letter or digit")
	} else if msg := giteaOrgProblem(in.Organization); msg != "" {
		add("organization", "%s", msg)
	}
	if msg := domainProblem(in.Domain); msg != "" {
		add("domain", "%s", msg)
	}
	if msg := in.dnsZoneProblem(); msg != "" {
		add("dns_zone", "%s", msg)
	}
	if !slices.Contains(cloud.Providers, in.Provider) {
		add("provider", "choose one of %v", cloud.Providers)
	}
	switch n := len(in.Regions); {
	case n == 0:
		add("regions", "choose a region")
	case n > 2:
		add("regions", "choose one region, or two (a primary and a standby)")
	}
	primaries := 0
	for i, r := range in.Regions {
		f := func(name string) string { return fmt.Sprintf("regions[%d].%s", i, name) }
		if r.Name == "" {
			add(f("name"), "choose a region")
		}
		for j := 0; j < i; j++ {
			if in.Regions[j].Name == r.Name && r.Name != "" {
				add(f("name"), "region %s is chosen twice: a standby must be in another region", r.Name)
			}
		}
		switch r.Role {
		case RolePrimary:
			primaries++
			if primaries > 1 {
				add(f("role"), "only one region can be the primary: make this one the standby")
			}
		case RoleStandby:
		default:
			add(f("role"), "choose primary or standby")
		}
		if r.ControlPlanes != 1 && r.ControlPlanes != 3 {
			add(f("control_planes"), "use 1 or 3 control-plane nodes (etcd needs a majority)")
		}
		if r.Workers < 0 || r.Workers > 50 {
			add(f("workers"), "use 0 to 50 workers")
		}
		if r.ControlPlaneSize == "" {
			add(f("control_plane_size"), "choose a machine size")
		}
		if r.WorkerSize == "" {
			add(f("worker_size"), "choose a machine size")
		}
	}
	if len(in.Regions) > 0 && primaries == 0 {
		add("regions[0].role", "one region must be the primary")
	}
	errs = append(errs, cidrProblems(in.Regions)...)
	errs = append(errs, in.stateProblems()...)
	manager := ManagerPortOr(in.ManagerPort)
	if in.APIPort < 0 || in.APIPort > 65535 || in.APIPort == manager {
		add("api_port", "use a port between 1 and 65535 other than %d, where the manager is served", manager)
	}
	if in.GiteaPort < 0 || in.GiteaPort > 65535 || (in.GiteaPort != 0 && in.GiteaPort == in.APIPort) || in.GiteaPort == manager {
		add("gitea_port", "use a port between 1 and 65535 that the API does not use, other than %d (the manager's)", manager)
	}
	if in.ManagerPort < 0 || in.ManagerPort > 65535 {
		add("manager_port", "use a port between 1 and 65535, or leave it out for 443")
	}
	return errs
}

// domainProblem says what is wrong with a DNS domain, "" if nothing.
func domainProblem(d string) string {
	if len(d) > 253 {
		return "a domain has at most 253 characters"
	}
	labels := strings.Split(d, ".")
	if d == "" || len(labels) < 2 {
		return "give a domain with at least two labels, e.g. example.com"
	}
	for _, l := range labels {
		if !labelRE.MatchString(l) {
			return fmt.Sprintf("%q is not a DNS label: use lower-case letters, digits and '-', at most 63 characters", l)
		}
	}
	return ""
}

// dnsZoneProblem says what is wrong with the DNS zone, "" if nothing (or
// none is given).
func (in Input) dnsZoneProblem() string {
	switch {
	case in.DNSZone == "":
		return ""
	case in.Provider != cloud.Hetzner:
		return "openova creates DNS records in Hetzner DNS only: leave the zone empty and create the record yourself"
	case domainProblem(in.DNSZone) != "":
		return "give the zone's name, e.g. example.com"
	case in.DNSZone != in.Domain && !strings.HasSuffix(in.Domain, "."+in.DNSZone):
		return "the zone must be " + in.Domain + " itself or a zone it is in, e.g. the parent domain"
	}
	return ""
}

// stateProblems checks the state bucket, when one is given.
func (in Input) stateProblems() []FieldError {
	s := in.State
	if s.Bucket == "" {
		return nil
	}
	var errs []FieldError
	if !bucketRE.MatchString(s.Bucket) {
		errs = append(errs, FieldError{"state.bucket", "a bucket name has 3–63 lower-case letters, digits, '.' and '-'"})
	}
	if s.Endpoint != "" {
		if m := endpointRE.FindStringSubmatch(s.Endpoint); m == nil {
			errs = append(errs, FieldError{"state.endpoint", "give the S3 endpoint as https://host[:port], without credentials"})
		} else if err := netguard.CheckHost(m[1]); err != nil {
			// OpenTofu would send the bucket's keys there and keep the
			// cluster's secrets in what answers.
			errs = append(errs, FieldError{"state.endpoint", "the S3 endpoint " + err.Error()})
		}
	}
	if s.Region == "" {
		errs = append(errs, FieldError{"state.region", "give the bucket's region (any name your S3 server accepts, e.g. us-east-1)"})
	}
	if s.AccessKey == "" || s.SecretKey == "" {
		errs = append(errs, FieldError{"state.access_key", "give the access key and the secret key of the bucket"})
	}
	return errs
}

// WithoutSecrets is in without the cloud's credentials and the bucket's
// keys: the platform as built, which the recovery bundle keeps and a change
// starts from (the user types the secrets again).
func (in Input) WithoutSecrets() Input {
	in.Credentials = nil
	in.State.AccessKey, in.State.SecretKey = "", ""
	in.Regions = append([]Region(nil), in.Regions...)
	return in
}
