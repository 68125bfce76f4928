// Package wizard is the bootstrap wizard: organization, cloud provider,
// credentials (checked live with the provider's API), regions from the
// provider's own list, state bucket, components; then Review with the plans
// of the running Bootstrap workflow, Approve, live progress, a parked
// failure's Retry or Abort, and the clusters at the end. What was typed is
// kept on the server per signed-in user, so Back and forward lose nothing;
// secrets are kept but never shown back. Every form works without script.
package wizard

import (
	"sync"

	"github.com/openova-io/core/cloud"
)

// Steps of the wizard, in order; each is a page /wizard/<step>.
const (
	StepOrganization = "organization"
	StepProvider     = "provider"
	StepCredentials  = "credentials"
	StepRegions      = "regions"
	StepState        = "state"
	StepComponents   = "components"
)

// steps lists the form steps with their titles.
var steps = []struct{ ID, Title string }{
	{StepOrganization, "Organization"}, {StepProvider, "Cloud provider"}, {StepCredentials, "Credentials"},
	{StepRegions, "Regions"}, {StepState, "State bucket"}, {StepComponents, "Components"},
}

// Draft is what one user entered so far. Handlers hold it through
// Drafts.Lock: an htmx preview and a submit of the same user may overlap.
type Draft struct {
	mu sync.Mutex

	Organization, Domain string
	Provider             cloud.Provider
	// Credentials by field name; never rendered back.
	Credentials map[string]string
	// Locations are the provider's regions, from the credential check.
	Locations []cloud.Location
	// DNSZone is the Hetzner DNS zone to create the manager's record in
	// ("": the user creates it).
	DNSZone string
	Regions []RegionForm
	// APIPort is the load balancers' Kubernetes API port.
	APIPort string
	State   StateForm
	Chosen  []string
	// Done marks the steps whose form was accepted.
	Done map[string]bool
}

// RegionForm is one region's fields.
type RegionForm struct {
	Name, Role                     string
	ControlPlanes, Workers         string
	ControlPlaneSize, WorkerSize   string
	NodeCIDR, PodCIDR, ServiceCIDR string
}

// StateForm is the state bucket's fields; Local keeps the state on this
// machine (development only).
type StateForm struct {
	Local                               bool
	Bucket, Region, Endpoint, KeyPrefix string
	AccessKey                           string
	SecretKey                           string // never rendered back
}

// defaultRegions are the region fields before anything is typed: distinct
// networks per region, as the WireGuard link needs.
func defaultRegions() []RegionForm {
	return []RegionForm{
		{Role: "primary", ControlPlanes: "1", Workers: "2", ControlPlaneSize: "cpx31", WorkerSize: "cpx31",
			NodeCIDR: "10.0.0.0/16", PodCIDR: "10.42.0.0/16", ServiceCIDR: "10.43.0.0/16"},
		{Role: "standby", ControlPlanes: "1", Workers: "2", ControlPlaneSize: "cpx31", WorkerSize: "cpx31",
			NodeCIDR: "10.1.0.0/16", PodCIDR: "10.44.0.0/16", ServiceCIDR: "10.45.0.0/16"},
	}
}

func newDraft() *Draft {
	return &Draft{Provider: cloud.Hetzner, Credentials: map[string]string{}, Regions: defaultRegions(), APIPort: "6443",
		State: StateForm{KeyPrefix: "openova"}, Done: map[string]bool{}}
}

// next is the first step not done yet, "" when all are.
func (d *Draft) next() string {
	for _, s := range steps {
		if !d.Done[s.ID] {
			return s.ID
		}
	}
	return ""
}

// reachable reports whether step may be shown: every step before it is
// done, so no step is skipped with the ones before it invalid.
func (d *Draft) reachable(step string) bool {
	for _, s := range steps {
		if s.ID == step {
			return true
		}
		if !d.Done[s.ID] {
			return false
		}
	}
	return false
}

// Drafts keeps each user's draft in memory: credentials go nowhere else
// until the bootstrap starts (then only into its encrypted input).
type Drafts struct {
	mu sync.Mutex
	m  map[string]*Draft
}

// Lock returns user's draft (a new one the first time), locked until
// unlock is called.
func (s *Drafts) Lock(user string) (d *Draft, unlock func()) {
	s.mu.Lock()
	if s.m == nil {
		s.m = map[string]*Draft{}
	}
	d, ok := s.m[user]
	if !ok {
		d = newDraft()
		s.m[user] = d
	}
	s.mu.Unlock()
	d.mu.Lock()
	return d, d.mu.Unlock
}

// Forget drops user's draft (the bootstrap started).
func (s *Drafts) Forget(user string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, user)
}
