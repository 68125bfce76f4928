package fakehcloud

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/hetznercloud/hcloud-go/v2/hcloud/schema"
)

// Load balancers are stored in their API form with targets as they were
// added; what a label selector target matches and the health of each
// target are worked out when rendering. Every target is reported healthy.

// targets reports whether a load balancer targets a server, directly or
// through a label selector.
func (s *Server) targets(lb *schema.LoadBalancer, srv *server) bool {
	return slices.ContainsFunc(lb.Targets, func(t schema.LoadBalancerTarget) bool {
		switch t.Type {
		case "server":
			return t.Server.ID == srv.ID
		case "label_selector":
			sel, _ := parseSelector(t.LabelSelector.Selector)
			return sel.matches(srv.Labels)
		}
		return false
	})
}

// health is a healthy status for each service of a load balancer.
func health(lb *schema.LoadBalancer) []schema.LoadBalancerTargetHealthStatus {
	out := []schema.LoadBalancerTargetHealthStatus{}
	for _, svc := range lb.Services {
		out = append(out, schema.LoadBalancerTargetHealthStatus{ListenPort: svc.ListenPort, Status: "healthy"})
	}
	return out
}

// renderLoadBalancer is the load balancer with its targets' health and
// the servers its label selectors match.
func (s *Server) renderLoadBalancer(lb *schema.LoadBalancer) schema.LoadBalancer {
	out := *lb
	out.Labels = labelsOrEmpty(lb.Labels)
	out.PrivateNet = append([]schema.LoadBalancerPrivateNet{}, lb.PrivateNet...)
	out.Services = append([]schema.LoadBalancerService{}, lb.Services...)
	out.Targets = []schema.LoadBalancerTarget{}
	for _, t := range lb.Targets {
		t.HealthStatus = health(lb)
		if t.Type == "label_selector" {
			t.HealthStatus = []schema.LoadBalancerTargetHealthStatus{}
			t.Targets = []schema.LoadBalancerTarget{}
			sel, _ := parseSelector(t.LabelSelector.Selector)
			for _, srv := range sorted(s.st.servers) {
				if sel.matches(srv.Labels) {
					t.Targets = append(t.Targets, schema.LoadBalancerTarget{Type: "server",
						Server: &schema.LoadBalancerTargetServer{ID: srv.ID}, HealthStatus: health(lb), UsePrivateIP: t.UsePrivateIP})
				}
			}
		}
		out.Targets = append(out.Targets, t)
	}
	return out
}

// convert copies a request part into another type of the same JSON shape
// (the create request's services and targets into the add requests').
func convert(src, dst any) error {
	b, err := json.Marshal(src)
	if err != nil {
		return errJSON(err.Error())
	}
	if err := json.Unmarshal(b, dst); err != nil {
		return errJSON(err.Error())
	}
	return nil
}

// createLoadBalancer is POST /load_balancers, with optional network,
// services and targets.
func (s *Server) createLoadBalancer(c *call) (any, error) {
	var req schema.LoadBalancerCreateRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	c.kind, c.name = KindLoadBalancer, req.Name
	lb, err := s.newLoadBalancer(req)
	if err != nil {
		return nil, err
	}
	s.st.loadBalancers[lb.ID] = lb
	create := s.newAction("create_load_balancer", ref("load_balancer", lb.ID))
	if err := s.populateLoadBalancer(lb, req); err != nil {
		delete(s.st.loadBalancers, lb.ID)
		return nil, err
	}
	s.log.created(KindLoadBalancer, lb.Name)
	for _, name := range s.liveParts(lb) {
		s.log.created(name[0], name[1])
	}
	return schema.LoadBalancerCreateResponse{LoadBalancer: s.renderLoadBalancer(lb), Action: create}, nil
}

// newLoadBalancer validates a create request and builds its load balancer.
func (s *Server) newLoadBalancer(req schema.LoadBalancerCreateRequest) (*schema.LoadBalancer, error) {
	if req.Name == "" {
		return nil, errInvalid("name", "is required")
	}
	if find(s.st.loadBalancers, func(o *schema.LoadBalancer) bool { return o.Name == req.Name }) != nil {
		return nil, errUnique("name", "load balancer name "+req.Name)
	}
	lt, ok := loadBalancerType(req.LoadBalancerType)
	if !ok {
		return nil, errInvalid("load_balancer_type", "load balancer type %v not found", req.LoadBalancerType)
	}
	var loc schema.Location
	switch {
	case req.Location != nil && req.NetworkZone != nil:
		return nil, errInvalid("location", "location and network_zone are mutually exclusive")
	case req.Location != nil:
		if loc, ok = location(*req.Location); !ok {
			return nil, errInvalid("location", "location %q not found", *req.Location)
		}
	case req.NetworkZone != nil:
		i := slices.IndexFunc(locations, func(l schema.Location) bool { return l.NetworkZone == *req.NetworkZone })
		if i < 0 {
			return nil, errInvalid("network_zone", "network zone %q not found", *req.NetworkZone)
		}
		loc = locations[i]
	default:
		return nil, errInvalid("location", "location or network_zone is required")
	}
	algorithm := "round_robin"
	if req.Algorithm != nil {
		algorithm = req.Algorithm.Type
	}
	if algorithm != "round_robin" && algorithm != "least_connections" {
		return nil, errInvalid("algorithm", "unknown algorithm %q", algorithm)
	}
	labels, err := labelsFrom(req.Labels)
	if err != nil {
		return nil, err
	}
	id, traffic := s.st.newID(), uint64(0)
	ipv4 := s.publicIPv4(KindLoadBalancer, req.Name)
	return &schema.LoadBalancer{
		ID: id, Name: req.Name, Location: loc, LoadBalancerType: lt, Labels: labels, Created: now(),
		PublicNet: schema.LoadBalancerPublicNet{
			Enabled: req.PublicInterface == nil || *req.PublicInterface,
			IPv4:    schema.LoadBalancerPublicNetIPv4{ID: s.st.newID(), IP: ipv4, DNSPtr: reverseDNS(ipv4)},
			IPv6:    schema.LoadBalancerPublicNetIPv6{ID: s.st.newID(), IP: fmt.Sprintf("2001:db8:ffff:%x::1", id)},
		},
		PrivateNet: []schema.LoadBalancerPrivateNet{}, Services: []schema.LoadBalancerService{},
		Targets: []schema.LoadBalancerTarget{}, Algorithm: schema.LoadBalancerAlgorithm{Type: algorithm},
		IncludedTraffic: includedTraffic(loc), OutgoingTraffic: &traffic, IngoingTraffic: &traffic,
	}, nil
}

// populateLoadBalancer attaches the network and adds the services and
// targets of a create request.
func (s *Server) populateLoadBalancer(lb *schema.LoadBalancer, req schema.LoadBalancerCreateRequest) error {
	if req.Network != nil {
		if _, err := s.attachLoadBalancer(lb, *req.Network, "", ""); err != nil {
			return err
		}
	}
	for _, rs := range req.Services {
		var svc serviceChange
		if err := convert(rs, &svc); err != nil {
			return err
		}
		if err := s.addService(lb, svc); err != nil {
			return err
		}
	}
	for _, rt := range req.Targets {
		var t schema.LoadBalancerActionAddTargetRequest
		if err := convert(rt, &t); err != nil {
			return err
		}
		if _, err := s.addTarget(lb, t); err != nil {
			return err
		}
	}
	return nil
}

// liveParts are the parts of a load balancer the observations count as
// resources of their own: network attachments, services and targets, as
// kind and name.
func (s *Server) liveParts(lb *schema.LoadBalancer) [][2]string {
	var out [][2]string
	for _, pn := range lb.PrivateNet {
		out = append(out, [2]string{KindLoadBalancerNetwork, lb.Name + ":" + s.st.networks[pn.Network].Name})
	}
	for _, svc := range lb.Services {
		out = append(out, [2]string{KindLoadBalancerService, fmt.Sprintf("%s:%d", lb.Name, svc.ListenPort)})
	}
	for _, t := range lb.Targets {
		out = append(out, [2]string{KindLoadBalancerTarget, s.targetName(lb, t)})
	}
	return out
}

// targetName names a target: lb:server:name, lb:label_selector:selector
// or lb:ip:address.
func (s *Server) targetName(lb *schema.LoadBalancer, t schema.LoadBalancerTarget) string {
	switch t.Type {
	case "server":
		name := fmt.Sprint(t.Server.ID)
		if srv, ok := s.st.servers[t.Server.ID]; ok {
			name = srv.Name
		}
		return lb.Name + ":server:" + name
	case "label_selector":
		return lb.Name + ":label_selector:" + t.LabelSelector.Selector
	}
	return lb.Name + ":ip:" + t.IP.IP
}
