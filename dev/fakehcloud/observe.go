package fakehcloud

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/hetznercloud/hcloud-go/v2/hcloud/schema"
)

// Kinds of resources, as Created, CreateCount and Live name them: the
// Terraform resource types without their hcloud_ prefix. Parts of a
// network or load balancer are named after their parent: a subnet
// "net:10.0.1.0/24", a server's attachment "server:net", a load balancer
// service "lb:6443", a target "lb:server:name", "lb:label_selector:sel"
// or "lb:ip:addr", and a load balancer's attachment "lb:net". An RRSet
// is named after its zone and its ID: "acme.example:manager/A". Zones
// (of Options.Zones) are live but never created.
const (
	KindSSHKey              = "ssh_key"
	KindNetwork             = "network"
	KindNetworkSubnet       = "network_subnet"
	KindNetworkRoute        = "network_route"
	KindFirewall            = "firewall"
	KindPlacementGroup      = "placement_group"
	KindServer              = "server"
	KindServerNetwork       = "server_network"
	KindLoadBalancer        = "load_balancer"
	KindLoadBalancerNetwork = "load_balancer_network"
	KindLoadBalancerService = "load_balancer_service"
	KindLoadBalancerTarget  = "load_balancer_target"
	KindPrimaryIP           = "primary_ip"
	KindZone                = "zone"
	KindZoneRRSet           = "zone_rrset"
)

// Request is one mutating request (POST, PUT or DELETE) the fake
// answered, failed ones included.
type Request struct {
	Method string
	Route  string // the route pattern, like /servers/{id}/actions/poweron
	Kind   string // of the resource it concerned, "" if none was found
	Name   string // of that resource
	Status int
}

// observations are what tests read back; Server.mu guards them.
type observations struct {
	requests      []Request
	creates       map[string][]string
	serverCreates map[string]schema.ServerCreateRequest
	unhandled     []string
}

func newObservations() observations {
	return observations{creates: map[string][]string{}, serverCreates: map[string]schema.ServerCreateRequest{}}
}

// created records that a resource was created.
func (o *observations) created(kind, name string) { o.creates[kind] = append(o.creates[kind], name) }

// serverCreated keeps the request a server was created with.
func (o *observations) serverCreated(req schema.ServerCreateRequest) { o.serverCreates[req.Name] = req }

// observe logs a request once it has been answered.
func (s *Server) observe(r *http.Request, pattern string, c *call, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if pattern == "" {
		s.log.unhandled = append(s.log.unhandled, r.Method+" "+r.URL.Path)
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		s.log.requests = append(s.log.requests, Request{Method: r.Method, Route: pattern, Kind: c.kind, Name: c.name, Status: status})
	}
}

// Requests are the mutating requests answered so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.log.requests)
}

// Unhandled are the requests ("METHOD /v1/path") that matched no route,
// which tell what a client needs that the fake does not serve.
func (s *Server) Unhandled() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.log.unhandled)
}

// Created are the names of the resources of a kind created so far, in
// order, deleted ones included.
func (s *Server) Created(kind string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.log.creates[kind])
}

// CreateCount is how many times a resource of that kind and name was
// created: a test asserts 1 to see nothing was created twice.
func (s *Server) CreateCount(kind, name string) int {
	n := 0
	for _, c := range s.Created(kind) {
		if c == name {
			n++
		}
	}
	return n
}

// Live are the resources that exist now, by kind, names sorted. Kinds
// with none are left out, so it is empty once everything is deleted,
// but for the zones of Options.Zones, which no run deletes.
func (s *Server) Live() map[string][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string][]string{}
	add := func(kind, name string) { out[kind] = append(out[kind], name) }
	for _, k := range sorted(s.st.sshKeys) {
		add(KindSSHKey, k.Name)
	}
	for _, pg := range sorted(s.st.placementGroups) {
		add(KindPlacementGroup, pg.Name)
	}
	for _, fw := range sorted(s.st.firewalls) {
		add(KindFirewall, fw.Name)
	}
	for _, nw := range sorted(s.st.networks) {
		add(KindNetwork, nw.Name)
		for _, sn := range nw.Subnets {
			add(KindNetworkSubnet, nw.Name+":"+sn.IPRange)
		}
		for _, r := range nw.Routes {
			add(KindNetworkRoute, routeName(nw, r))
		}
	}
	for _, p := range sorted(s.st.primaryIPs) {
		add(KindPrimaryIP, p.Name)
	}
	for _, srv := range sorted(s.st.servers) {
		add(KindServer, srv.Name)
		for _, pn := range srv.PrivateNet {
			add(KindServerNetwork, srv.Name+":"+s.st.networks[pn.Network].Name)
		}
	}
	for _, lb := range sorted(s.st.loadBalancers) {
		add(KindLoadBalancer, lb.Name)
		for _, p := range s.liveParts(lb) {
			add(p[0], p[1])
		}
	}
	for _, z := range sorted(s.st.zones) {
		add(KindZone, z.Name)
		for id := range z.rrsets {
			add(KindZoneRRSet, rrsetKind(z, id))
		}
	}
	for _, names := range out {
		slices.Sort(names)
	}
	return out
}

// RRSet is the record values of the RRSet of that name and type (as in
// RRSet("acme.example", "manager", "A")) in the zone of that name, if it
// exists: what a resolver would answer once the zone is published.
func (s *Server) RRSet(zone, name, typ string) (records []string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, z := range s.st.zones {
		if z.Name != zone {
			continue
		}
		r, found := z.rrsets[name+"/"+typ]
		if !found {
			return nil, false
		}
		for _, rec := range r.Records {
			records = append(records, rec.Value)
		}
		return records, true
	}
	return nil, false
}

// ServerUserData is the user data (cloud-init) the last server of that
// name was created with, also after it was deleted.
func (s *Server) ServerUserData(name string) (string, bool) {
	req, ok := s.ServerCreateRequest(name)
	return req.UserData, ok
}

// ServerCreateRequest is the request the last server of that name was
// created with: type, image, location, labels, SSH keys, networks,
// firewalls, placement group, public_net and user data.
func (s *Server) ServerCreateRequest(name string) (schema.ServerCreateRequest, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	req, ok := s.log.serverCreates[name]
	return req, ok
}

// FailNext makes the next request to a route fail once with the given
// status and error code, as in FailNext("POST", "/servers", 403,
// "resource_limit_exceeded", "server limit reached"). Calls queue up.
// pattern must be one of Routes(); anything else panics, so a typo cannot
// silently inject nothing.
func (s *Server) FailNext(method, pattern string, status int, code, message string) {
	if !slices.Contains(Routes(), Route{Method: method, Pattern: pattern}) {
		panic(fmt.Sprintf("fakehcloud: FailNext: no route %s %s", method, pattern))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := method + " " + pattern
	s.faults[key] = append(s.faults[key], apiError{status: status, code: code, message: message})
}

// FailNextAction makes the next action with that command (create_server,
// attach_to_network, add_target, ...) fail with the given error code
// instead of succeeding. Its effect is applied all the same.
func (s *Server) FailNextAction(command, code, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.actionFaults[command] = append(s.actionFaults[command], apiError{code: code, message: message})
}

// takeFault pops the fault queued for a route, if any.
func (s *Server) takeFault(rt *route) (apiError, bool) {
	key := rt.Method + " " + rt.Pattern
	q := s.faults[key]
	if len(q) == 0 {
		return apiError{}, false
	}
	s.faults[key] = q[1:]
	return q[0], true
}

// String describes a request for test failure messages.
func (r Request) String() string {
	return strings.TrimSpace(fmt.Sprintf("%s %s %d %s %s", r.Method, r.Route, r.Status, r.Kind, r.Name))
}

// ServerPrivateIPs are the private network addresses of the live server of
// that name (none while it is not attached), so a stand-in can reach a
// node the way the other nodes of its network do.
func (s *Server) ServerPrivateIPs(name string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ips []string
	for _, srv := range s.st.servers {
		if srv.Name != name {
			continue
		}
		for _, pn := range srv.PrivateNet {
			ips = append(ips, pn.IP)
		}
	}
	return ips
}
