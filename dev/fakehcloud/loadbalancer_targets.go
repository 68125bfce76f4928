package fakehcloud

import (
	"slices"

	"github.com/hetznercloud/hcloud-go/v2/hcloud/schema"
)

// sameTarget reports whether two targets name the same thing.
func sameTarget(a, b schema.LoadBalancerTarget) bool {
	switch {
	case a.Type != b.Type:
		return false
	case a.Type == "server":
		return a.Server.ID == b.Server.ID
	case a.Type == "label_selector":
		return a.LabelSelector.Selector == b.LabelSelector.Selector
	}
	return a.IP.IP == b.IP.IP
}

// addTarget validates and adds a target. A server target on its private
// IP needs the load balancer and the server in one network; on its public
// IP it needs a public IPv4 (the API's checks, by their error codes).
func (s *Server) addTarget(lb *schema.LoadBalancer, req schema.LoadBalancerActionAddTargetRequest) (schema.LoadBalancerTarget, error) {
	t := schema.LoadBalancerTarget{Type: req.Type, UsePrivateIP: req.UsePrivateIP != nil && *req.UsePrivateIP}
	switch {
	case req.Type == "server" && req.Server != nil:
		srv, ok := s.st.servers[req.Server.ID]
		if !ok {
			return t, errInvalid("server", "server %d not found", req.Server.ID)
		}
		if t.UsePrivateIP {
			if len(lb.PrivateNet) == 0 {
				return t, newError("load_balancer_not_attached_to_network", "load balancer %s is in no network", lb.Name)
			}
			if !slices.ContainsFunc(srv.PrivateNet, func(pn schema.ServerPrivateNet) bool { return pn.Network == lb.PrivateNet[0].Network }) {
				return t, newError("server_not_attached_to_network", "server %s is not in the load balancer's network", srv.Name)
			}
		} else if !srv.publicIPv4 {
			return t, newError("missing_ipv4", "server %s has no public IPv4", srv.Name)
		}
		t.Server = &schema.LoadBalancerTargetServer{ID: srv.ID}
	case req.Type == "label_selector" && req.LabelSelector != nil:
		if _, err := parseSelector(req.LabelSelector.Selector); err != nil {
			return t, err
		}
		t.LabelSelector = &schema.LoadBalancerTargetLabelSelector{Selector: req.LabelSelector.Selector}
	case req.Type == "ip" && req.IP != nil:
		if parseIP(req.IP.IP) == nil {
			return t, errInvalid("ip", "invalid IP %q", req.IP.IP)
		}
		t.IP, t.UsePrivateIP = &schema.LoadBalancerTargetIP{IP: req.IP.IP}, false
	default:
		return t, errInvalid("type", "need type server, label_selector or ip with its field")
	}
	if slices.ContainsFunc(lb.Targets, func(o schema.LoadBalancerTarget) bool { return sameTarget(o, t) }) {
		return t, newError("target_already_defined", "load balancer %s already has that target", lb.Name)
	}
	if len(lb.Targets) >= lb.LoadBalancerType.MaxTargets {
		return t, newError("resource_limit_exceeded", "load balancer %s has no room for more targets", lb.Name)
	}
	lb.Targets = append(lb.Targets, t)
	return t, nil
}

// addTargetAction is POST /load_balancers/{id}/actions/add_target.
func (s *Server) addTargetAction(c *call) (any, error) {
	var req schema.LoadBalancerActionAddTargetRequest
	lb, err := loadBalancerCall(s, c, &req)
	if err != nil {
		return nil, err
	}
	t, err := s.addTarget(lb, req)
	if err != nil {
		return nil, err
	}
	s.log.created(KindLoadBalancerTarget, s.targetName(lb, t))
	refs := []schema.ActionResourceReference{ref("load_balancer", lb.ID)}
	if t.Server != nil {
		refs = append(refs, ref("server", t.Server.ID))
	}
	return actionResponse(s.newAction("add_target", refs...)), nil
}

// removeTargetAction is POST /load_balancers/{id}/actions/remove_target.
// The provider recognizes a missing target by "target not found".
func (s *Server) removeTargetAction(c *call) (any, error) {
	var req schema.LoadBalancerActionRemoveTargetRequest
	lb, err := loadBalancerCall(s, c, &req)
	if err != nil {
		return nil, err
	}
	var want schema.LoadBalancerTarget
	if err := convert(req, &want); err != nil {
		return nil, err
	}
	valid := (want.Type == "server" && want.Server != nil) || (want.Type == "label_selector" && want.LabelSelector != nil) ||
		(want.Type == "ip" && want.IP != nil)
	i := slices.IndexFunc(lb.Targets, func(o schema.LoadBalancerTarget) bool { return valid && sameTarget(o, want) })
	if i < 0 {
		return nil, errNotFound("load balancer target")
	}
	lb.Targets = slices.Delete(lb.Targets, i, i+1)
	return actionResponse(s.newAction("remove_target", ref("load_balancer", lb.ID))), nil
}

// attachLoadBalancer attaches a load balancer to a network. A load
// balancer is in at most one network, as the provider expects.
func (s *Server) attachLoadBalancer(lb *schema.LoadBalancer, netID int64, ip, ipRange string) (*schema.Network, error) {
	nw, ok := s.st.networks[netID]
	if !ok {
		return nil, errNotFound("network")
	}
	if len(lb.PrivateNet) > 0 {
		return nil, newError("load_balancer_already_attached", "load balancer %s is already in a network", lb.Name)
	}
	addr, err := s.allocIP(nw, lb.Location.NetworkZone, ip, ipRange)
	if err != nil {
		return nil, err
	}
	lb.PrivateNet = append(lb.PrivateNet, schema.LoadBalancerPrivateNet{Network: nw.ID, IP: addr})
	return nw, nil
}

// attachLoadBalancerToNetwork is POST /load_balancers/{id}/actions/attach_to_network.
func (s *Server) attachLoadBalancerToNetwork(c *call) (any, error) {
	var req schema.LoadBalancerActionAttachToNetworkRequest
	lb, err := loadBalancerCall(s, c, &req)
	if err != nil {
		return nil, err
	}
	ip, ipRange := "", ""
	set(&ip, req.IP)
	set(&ipRange, req.IPRange)
	nw, err := s.attachLoadBalancer(lb, req.Network, ip, ipRange)
	if err != nil {
		return nil, err
	}
	s.log.created(KindLoadBalancerNetwork, lb.Name+":"+nw.Name)
	return actionResponse(s.newAction("attach_to_network", ref("load_balancer", lb.ID), ref("network", nw.ID))), nil
}

// detachLoadBalancerFromNetwork is POST /load_balancers/{id}/actions/detach_from_network.
func (s *Server) detachLoadBalancerFromNetwork(c *call) (any, error) {
	var req schema.LoadBalancerActionDetachFromNetworkRequest
	lb, err := loadBalancerCall(s, c, &req)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(lb.PrivateNet, func(pn schema.LoadBalancerPrivateNet) bool { return pn.Network == req.Network })
	if i < 0 {
		return nil, errNotFound("network attachment")
	}
	lb.PrivateNet = slices.Delete(lb.PrivateNet, i, i+1)
	return actionResponse(s.newAction("detach_from_network", ref("load_balancer", lb.ID), ref("network", req.Network))), nil
}
