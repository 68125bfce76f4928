package fakehcloud

import (
	"fmt"
	"slices"

	"github.com/hetznercloud/hcloud-go/v2/hcloud/schema"
)

// networkCall starts a network action: the network of the path and the
// decoded body.
func networkCall(s *Server, c *call, req any) (*schema.Network, error) {
	nw, err := lookup(c, s.st.networks, "network")
	if err != nil {
		return nil, err
	}
	c.kind, c.name = KindNetwork, nw.Name
	if req != nil {
		if err := c.decode(req); err != nil {
			return nil, err
		}
	}
	return nw, nil
}

// actionResponse is the body of most action routes: {"action": ...}.
func actionResponse(a schema.Action) schema.ActionGetResponse {
	return schema.ActionGetResponse{Action: a}
}

// addSubnetAction is POST /networks/{id}/actions/add_subnet.
func (s *Server) addSubnetAction(c *call) (any, error) {
	var req schema.NetworkActionAddSubnetRequest
	nw, err := networkCall(s, c, &req)
	if err != nil {
		return nil, err
	}
	if err := s.addSubnet(nw, req); err != nil {
		return nil, err
	}
	s.log.created(KindNetworkSubnet, nw.Name+":"+nw.Subnets[len(nw.Subnets)-1].IPRange)
	return actionResponse(s.newAction("add_subnet", ref("network", nw.ID))), nil
}

// deleteSubnetAction is POST /networks/{id}/actions/delete_subnet. As the
// API documents, a subnet with attached resources cannot be deleted; the
// message is the one the provider recognizes (and retries on).
func (s *Server) deleteSubnetAction(c *call) (any, error) {
	var req schema.NetworkActionDeleteSubnetRequest
	nw, err := networkCall(s, c, &req)
	if err != nil {
		return nil, err
	}
	n, ok := parseNet(req.IPRange)
	if !ok {
		return nil, errInvalid("ip_range", "invalid ip_range %q", req.IPRange)
	}
	i := slices.IndexFunc(nw.Subnets, func(sn schema.NetworkSubnet) bool { return sn.IPRange == n.String() })
	if i < 0 {
		return nil, errNotFound("subnet " + n.String())
	}
	for ip := range s.usedIPs(nw.ID) {
		if n.Contains(parseIP(ip)) {
			return nil, newError("service_error", "network has attached resources in subnet %s", n)
		}
	}
	nw.Subnets = slices.Delete(nw.Subnets, i, i+1)
	return actionResponse(s.newAction("delete_subnet", ref("network", nw.ID))), nil
}

// addRouteAction is POST /networks/{id}/actions/add_route.
func (s *Server) addRouteAction(c *call) (any, error) {
	var req schema.NetworkActionAddRouteRequest
	nw, err := networkCall(s, c, &req)
	if err != nil {
		return nil, err
	}
	if err := addRoute(nw, schema.NetworkRoute(req)); err != nil {
		return nil, err
	}
	r := nw.Routes[len(nw.Routes)-1]
	s.log.created(KindNetworkRoute, routeName(nw, r))
	return actionResponse(s.newAction("add_route", ref("network", nw.ID))), nil
}

// routeName names a route for the observations: network:dest->gateway.
func routeName(nw *schema.Network, r schema.NetworkRoute) string {
	return fmt.Sprintf("%s:%s->%s", nw.Name, r.Destination, r.Gateway)
}

// deleteRouteAction is POST /networks/{id}/actions/delete_route.
func (s *Server) deleteRouteAction(c *call) (any, error) {
	var req schema.NetworkActionDeleteRouteRequest
	nw, err := networkCall(s, c, &req)
	if err != nil {
		return nil, err
	}
	dst, _ := parseNet(req.Destination)
	i := slices.IndexFunc(nw.Routes, func(r schema.NetworkRoute) bool {
		return dst != nil && r.Destination == dst.String() && r.Gateway == req.Gateway
	})
	if i < 0 {
		return nil, errNotFound("route")
	}
	nw.Routes = slices.Delete(nw.Routes, i, i+1)
	return actionResponse(s.newAction("delete_route", ref("network", nw.ID))), nil
}

// changeNetworkIPRange is POST /networks/{id}/actions/change_ip_range:
// the range may only grow, so it keeps every subnet.
func (s *Server) changeNetworkIPRange(c *call) (any, error) {
	var req schema.NetworkActionChangeIPRangeRequest
	nw, err := networkCall(s, c, &req)
	if err != nil {
		return nil, err
	}
	n, ok := parseNet(req.IPRange)
	old, _ := parseNet(nw.IPRange)
	if !ok || !isPrivate(n) || !within(old, n) {
		return nil, errInvalid("ip_range", "%q must be a private range containing %s", req.IPRange, nw.IPRange)
	}
	nw.IPRange = n.String()
	return actionResponse(s.newAction("change_ip_range", ref("network", nw.ID))), nil
}

// changeNetworkProtection is POST /networks/{id}/actions/change_protection.
func (s *Server) changeNetworkProtection(c *call) (any, error) {
	var req schema.NetworkActionChangeProtectionRequest
	nw, err := networkCall(s, c, &req)
	if err != nil {
		return nil, err
	}
	if req.Delete != nil {
		nw.Protection.Delete = *req.Delete
	}
	return actionResponse(s.newAction("change_protection", ref("network", nw.ID))), nil
}
