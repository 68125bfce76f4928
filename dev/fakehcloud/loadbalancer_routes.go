package fakehcloud

import (
	"github.com/hetznercloud/hcloud-go/v2/hcloud/schema"
)

// loadBalancerCall starts a load balancer route: the load balancer of the
// path and the decoded body, if the route takes one.
func loadBalancerCall(s *Server, c *call, req any) (*schema.LoadBalancer, error) {
	lb, err := lookup(c, s.st.loadBalancers, "load balancer")
	if err != nil {
		return nil, err
	}
	c.kind, c.name = KindLoadBalancer, lb.Name
	if req != nil && len(c.body) > 0 {
		if err := c.decode(req); err != nil {
			return nil, err
		}
	}
	return lb, nil
}

// listLoadBalancers is GET /load_balancers.
func (s *Server) listLoadBalancers(c *call) (any, error) {
	page, meta, err := listPage(c, sorted(s.st.loadBalancers), func(lb *schema.LoadBalancer) string { return lb.Name },
		func(lb *schema.LoadBalancer) map[string]string { return lb.Labels }, s.renderLoadBalancer)
	if err != nil {
		return nil, err
	}
	return struct {
		schema.LoadBalancerListResponse
		schema.MetaResponse
	}{schema.LoadBalancerListResponse{LoadBalancers: page}, meta}, nil
}

// getLoadBalancer is GET /load_balancers/{id}.
func (s *Server) getLoadBalancer(c *call) (any, error) {
	lb, err := loadBalancerCall(s, c, nil)
	if err != nil {
		return nil, err
	}
	return schema.LoadBalancerGetResponse{LoadBalancer: s.renderLoadBalancer(lb)}, nil
}

// updateLoadBalancer is PUT /load_balancers/{id}: name and labels.
func (s *Server) updateLoadBalancer(c *call) (any, error) {
	var req schema.LoadBalancerUpdateRequest
	lb, err := loadBalancerCall(s, c, &req)
	if err != nil {
		return nil, err
	}
	if req.Name != nil && *req.Name != lb.Name {
		if find(s.st.loadBalancers, func(o *schema.LoadBalancer) bool { return o.Name == *req.Name }) != nil {
			return nil, errUnique("name", "load balancer name "+*req.Name)
		}
	}
	if req.Labels != nil {
		labels, err := labelsFrom(req.Labels)
		if err != nil {
			return nil, err
		}
		lb.Labels = labels
	}
	if req.Name != nil && *req.Name != "" {
		lb.Name = *req.Name
	}
	return schema.LoadBalancerUpdateResponse{LoadBalancer: s.renderLoadBalancer(lb)}, nil
}

// deleteLoadBalancer is DELETE /load_balancers/{id}. Since 2026-10-05 the
// API answers 201 with a delete_load_balancer action (hcloud-go v2.52.0's
// DeleteWithResult reads it); older clients ignore the body.
func (s *Server) deleteLoadBalancer(c *call) (any, error) {
	lb, err := loadBalancerCall(s, c, nil)
	if err != nil {
		return nil, err
	}
	if lb.Protection.Delete {
		return nil, errProtected("load balancer " + lb.Name)
	}
	a := s.newAction("delete_load_balancer", ref("load_balancer", lb.ID))
	delete(s.st.loadBalancers, lb.ID)
	return actionResponse(a), nil
}

// changeLoadBalancerProtection is POST /load_balancers/{id}/actions/change_protection.
func (s *Server) changeLoadBalancerProtection(c *call) (any, error) {
	var req schema.LoadBalancerActionChangeProtectionRequest
	lb, err := loadBalancerCall(s, c, &req)
	if err != nil {
		return nil, err
	}
	if req.Delete != nil {
		lb.Protection.Delete = *req.Delete
	}
	return actionResponse(s.newAction("change_protection", ref("load_balancer", lb.ID))), nil
}

// changeLoadBalancerAlgorithm is POST /load_balancers/{id}/actions/change_algorithm.
func (s *Server) changeLoadBalancerAlgorithm(c *call) (any, error) {
	var req schema.LoadBalancerActionChangeAlgorithmRequest
	lb, err := loadBalancerCall(s, c, &req)
	if err != nil {
		return nil, err
	}
	if req.Type != "round_robin" && req.Type != "least_connections" {
		return nil, errInvalid("type", "unknown algorithm %q", req.Type)
	}
	lb.Algorithm.Type = req.Type
	return actionResponse(s.newAction("change_algorithm", ref("load_balancer", lb.ID))), nil
}

// changeLoadBalancerType is POST /load_balancers/{id}/actions/change_type;
// the new type must hold the services and targets the load balancer has.
func (s *Server) changeLoadBalancerType(c *call) (any, error) {
	var req schema.LoadBalancerActionChangeTypeRequest
	lb, err := loadBalancerCall(s, c, &req)
	if err != nil {
		return nil, err
	}
	lt, ok := loadBalancerType(req.LoadBalancerType)
	if !ok || len(lb.Services) > lt.MaxServices || len(lb.Targets) > lt.MaxTargets {
		return nil, newError("invalid_load_balancer_type", "load balancer type %v does not fit %s", req.LoadBalancerType, lb.Name)
	}
	lb.LoadBalancerType = lt
	return actionResponse(s.newAction("change_load_balancer_type", ref("load_balancer", lb.ID))), nil
}

// publicInterface answers enable_public_interface and
// disable_public_interface. Like the API, it will not take a load
// balancer off the internet unless it can reach its targets privately.
func publicInterface(enable bool) func(*Server, *call) (any, error) {
	return func(s *Server, c *call) (any, error) {
		lb, err := loadBalancerCall(s, c, nil)
		if err != nil {
			return nil, err
		}
		command := "enable_public_interface"
		if !enable {
			command = "disable_public_interface"
			if len(lb.PrivateNet) == 0 {
				return nil, newError("load_balancer_not_attached_to_network", "load balancer %s is in no network", lb.Name)
			}
			for _, t := range lb.Targets {
				if t.Type != "ip" && !t.UsePrivateIP {
					return nil, newError("targets_without_use_private_ip", "load balancer %s has targets on public IPs", lb.Name)
				}
			}
		}
		lb.PublicNet.Enabled = enable
		return actionResponse(s.newAction(command, ref("load_balancer", lb.ID))), nil
	}
}
