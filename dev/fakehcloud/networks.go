package fakehcloud

import (
	"slices"

	"github.com/hetznercloud/hcloud-go/v2/hcloud/schema"
)

// renderNetwork is the network with the servers and load balancers
// attached to it, which the API derives from their private networks.
func (s *Server) renderNetwork(nw *schema.Network) schema.Network {
	out := *nw
	out.Subnets = slices.Clone(nw.Subnets)
	out.Routes = append([]schema.NetworkRoute{}, nw.Routes...)
	out.Servers, out.LoadBalancers = []int64{}, []int64{}
	for _, srv := range sorted(s.st.servers) {
		if slices.ContainsFunc(srv.PrivateNet, func(pn schema.ServerPrivateNet) bool { return pn.Network == nw.ID }) {
			out.Servers = append(out.Servers, srv.ID)
		}
	}
	for _, lb := range sorted(s.st.loadBalancers) {
		if slices.ContainsFunc(lb.PrivateNet, func(pn schema.LoadBalancerPrivateNet) bool { return pn.Network == nw.ID }) {
			out.LoadBalancers = append(out.LoadBalancers, lb.ID)
		}
	}
	return out
}

// createNetwork is POST /networks, with optional subnets and routes.
func (s *Server) createNetwork(c *call) (any, error) {
	var req schema.NetworkCreateRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	c.kind, c.name = KindNetwork, req.Name
	if req.Name == "" {
		return nil, errInvalid("name", "is required")
	}
	ipRange, ok := parseNet(req.IPRange)
	if !ok || !isPrivate(ipRange) {
		return nil, errInvalid("ip_range", "must be an RFC 1918 IPv4 range, not %q", req.IPRange)
	}
	if ones, _ := ipRange.Mask.Size(); ones > 24 {
		return nil, errInvalid("ip_range", "must be at least a /24")
	}
	labels, err := labelsFrom(req.Labels)
	if err != nil {
		return nil, err
	}
	if find(s.st.networks, func(n *schema.Network) bool { return n.Name == req.Name }) != nil {
		return nil, errUnique("name", "network name "+req.Name)
	}
	nw := &schema.Network{ID: s.st.newID(), Name: req.Name, Created: now(), IPRange: ipRange.String(),
		Subnets: []schema.NetworkSubnet{}, Routes: []schema.NetworkRoute{}, Labels: labels,
		ExposeRoutesToVSwitch: req.ExposeRoutesToVSwitch}
	for _, sn := range req.Subnets {
		if err := s.addSubnet(nw, schema.NetworkActionAddSubnetRequest{Type: sn.Type, IPRange: sn.IPRange,
			NetworkZone: sn.NetworkZone, VSwitchID: sn.VSwitchID}); err != nil {
			return nil, err
		}
	}
	for _, r := range req.Routes {
		if err := addRoute(nw, r); err != nil {
			return nil, err
		}
	}
	s.st.networks[nw.ID] = nw
	s.log.created(KindNetwork, nw.Name)
	for _, sn := range nw.Subnets {
		s.log.created(KindNetworkSubnet, nw.Name+":"+sn.IPRange)
	}
	return schema.NetworkCreateResponse{Network: s.renderNetwork(nw)}, nil
}

// listNetworks is GET /networks.
func (s *Server) listNetworks(c *call) (any, error) {
	page, meta, err := listPage(c, sorted(s.st.networks), func(n *schema.Network) string { return n.Name },
		func(n *schema.Network) map[string]string { return n.Labels }, s.renderNetwork)
	if err != nil {
		return nil, err
	}
	return struct {
		schema.NetworkListResponse
		schema.MetaResponse
	}{schema.NetworkListResponse{Networks: page}, meta}, nil
}

// getNetwork is GET /networks/{id}.
func (s *Server) getNetwork(c *call) (any, error) {
	nw, err := lookup(c, s.st.networks, "network")
	if err != nil {
		return nil, err
	}
	return schema.NetworkGetResponse{Network: s.renderNetwork(nw)}, nil
}

// updateNetwork is PUT /networks/{id}: name, labels, route exposure.
func (s *Server) updateNetwork(c *call) (any, error) {
	nw, err := lookup(c, s.st.networks, "network")
	if err != nil {
		return nil, err
	}
	c.kind, c.name = KindNetwork, nw.Name
	var req schema.NetworkUpdateRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if req.Name != "" && req.Name != nw.Name {
		if find(s.st.networks, func(n *schema.Network) bool { return n.Name == req.Name }) != nil {
			return nil, errUnique("name", "network name "+req.Name)
		}
	}
	if req.Labels != nil {
		labels, err := labelsFrom(req.Labels)
		if err != nil {
			return nil, err
		}
		nw.Labels = labels
	}
	if req.Name != "" {
		nw.Name = req.Name
	}
	if req.ExposeRoutesToVSwitch != nil {
		nw.ExposeRoutesToVSwitch = *req.ExposeRoutesToVSwitch
	}
	return schema.NetworkUpdateResponse{Network: s.renderNetwork(nw)}, nil
}

// deleteNetwork is DELETE /networks/{id}. As the API documents, attached
// servers and load balancers are detached.
func (s *Server) deleteNetwork(c *call) (any, error) {
	nw, err := lookup(c, s.st.networks, "network")
	if err != nil {
		return nil, err
	}
	c.kind, c.name = KindNetwork, nw.Name
	if nw.Protection.Delete {
		return nil, errProtected("network " + nw.Name)
	}
	for _, srv := range s.st.servers {
		srv.PrivateNet = slices.DeleteFunc(srv.PrivateNet, func(pn schema.ServerPrivateNet) bool { return pn.Network == nw.ID })
	}
	for _, lb := range s.st.loadBalancers {
		lb.PrivateNet = slices.DeleteFunc(lb.PrivateNet, func(pn schema.LoadBalancerPrivateNet) bool { return pn.Network == nw.ID })
	}
	delete(s.st.networks, nw.ID)
	return nil, nil
}

// addSubnet validates a subnet and adds it with the network's gateway.
func (s *Server) addSubnet(nw *schema.Network, req schema.NetworkActionAddSubnetRequest) error {
	switch req.Type {
	case "cloud", "server":
	case "vswitch":
		if req.VSwitchID == 0 {
			return errInvalid("vswitch_id", "is required for vswitch subnets")
		}
	default:
		return errInvalid("type", "must be cloud, server or vswitch")
	}
	if !slices.ContainsFunc(locations, func(l schema.Location) bool { return l.NetworkZone == req.NetworkZone }) {
		return errInvalid("network_zone", "unknown network zone %q", req.NetworkZone)
	}
	parent, _ := parseNet(nw.IPRange)
	n, ok := parseNet(req.IPRange)
	if !ok || !within(n, parent) {
		return errInvalid("ip_range", "%q is not within the network's ip_range %s", req.IPRange, nw.IPRange)
	}
	if ones, _ := n.Mask.Size(); ones > 30 {
		return errInvalid("ip_range", "must be at least a /30")
	}
	for _, sn := range nw.Subnets {
		if other, _ := parseNet(sn.IPRange); overlap(n, other) {
			return errInvalid("ip_range", "%s overlaps subnet %s", n, sn.IPRange)
		}
	}
	nw.Subnets = append(nw.Subnets, schema.NetworkSubnet{Type: req.Type, IPRange: n.String(),
		NetworkZone: req.NetworkZone, Gateway: gateway(nw), VSwitchID: req.VSwitchID})
	return nil
}

// addRoute validates a route and adds it.
func addRoute(nw *schema.Network, r schema.NetworkRoute) error {
	dst, ok := parseNet(r.Destination)
	if !ok {
		return errInvalid("destination", "invalid destination %q", r.Destination)
	}
	parent, _ := parseNet(nw.IPRange)
	if gw := parseIP(r.Gateway); gw == nil || !parent.Contains(gw) || r.Gateway == gateway(nw) {
		return errInvalid("gateway", "gateway %q must be an address of the network", r.Gateway)
	}
	nw.Routes = append(nw.Routes, schema.NetworkRoute{Destination: dst.String(), Gateway: r.Gateway})
	return nil
}
