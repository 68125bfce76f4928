package fakehcloud

import (
	"github.com/hetznercloud/hcloud-go/v2/hcloud/schema"
)

// primaryIPCall starts a Primary IP action: the Primary IP of the path
// and the decoded body.
func primaryIPCall(s *Server, c *call, req any) (*schema.PrimaryIP, error) {
	p, err := lookup(c, s.st.primaryIPs, "primary IP")
	if err != nil {
		return nil, err
	}
	c.kind, c.name = KindPrimaryIP, p.Name
	if req != nil {
		if err := c.decode(req); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// canAssign checks that a server can take a Primary IP of that type: it
// is off and has no address of that family yet, as the API requires.
func (s *Server) canAssign(srv *server, typ string) error {
	if srv.Status != "off" {
		return newError("server_not_stopped", "server %s is running: power it off first", srv.Name)
	}
	if typ == "ipv4" && srv.publicIPv4 {
		return newError("server_has_ipv4", "server %s already has an IPv4 address", srv.Name)
	}
	if typ == "ipv6" && srv.publicIPv6 {
		return newError("server_has_ipv6", "server %s already has an IPv6 address", srv.Name)
	}
	return nil
}

// assign gives the server the Primary IP's address.
func (s *Server) assign(p *schema.PrimaryIP, srv *server) {
	id := srv.ID
	p.AssigneeID, p.AssigneeType = &id, "server"
	if p.Type == "ipv4" {
		srv.publicIPv4 = true
		srv.Server.PublicNet.IPv4 = schema.ServerPublicNetIPv4{ID: p.ID, IP: p.IP, DNSPtr: reverseDNS(p.IP)}
	} else {
		srv.publicIPv6 = true
		srv.Server.PublicNet.IPv6 = schema.ServerPublicNetIPv6{ID: p.ID, IP: p.IP}
	}
}

// unassign takes the Primary IP's address from its server, if it has one.
func (s *Server) unassign(p *schema.PrimaryIP) {
	if p.AssigneeID == nil {
		return
	}
	if srv := s.st.servers[*p.AssigneeID]; srv != nil {
		if p.Type == "ipv4" && srv.Server.PublicNet.IPv4.ID == p.ID {
			srv.publicIPv4 = false
			srv.Server.PublicNet.IPv4 = schema.ServerPublicNetIPv4{}
		}
		if p.Type == "ipv6" && srv.Server.PublicNet.IPv6.ID == p.ID {
			srv.publicIPv6 = false
			srv.Server.PublicNet.IPv6 = schema.ServerPublicNetIPv6{}
		}
	}
	p.AssigneeID = nil
}

// releasePrimaryIPs is what deleting a server does to its Primary IPs:
// deleted if auto_delete is set, unassigned otherwise.
func (s *Server) releasePrimaryIPs(srv *server) {
	for _, p := range sorted(s.st.primaryIPs) {
		if p.AssigneeID == nil || *p.AssigneeID != srv.ID {
			continue
		}
		s.unassign(p)
		if p.AutoDelete {
			delete(s.st.primaryIPs, p.ID)
		}
	}
}

// assignPrimaryIP is POST /primary_ips/{id}/actions/assign.
func (s *Server) assignPrimaryIP(c *call) (any, error) {
	var req schema.PrimaryIPActionAssignRequest
	p, err := primaryIPCall(s, c, &req)
	if err != nil {
		return nil, err
	}
	if req.AssigneeType != "server" {
		return nil, errInvalid("assignee_type", "must be server")
	}
	srv := s.st.servers[req.AssigneeID]
	if srv == nil {
		return nil, errNotFound("server")
	}
	if p.AssigneeID != nil {
		if *p.AssigneeID == srv.ID {
			return actionResponse(s.newAction("assign_primary_ip", ref("primary_ip", p.ID), ref("server", srv.ID))), nil
		}
		return nil, newError("primary_ip_already_assigned", "primary IP %s is already assigned to server %d", p.Name, *p.AssigneeID)
	}
	if srv.Location.Name != p.Location.Name {
		return nil, errInvalid("assignee_id", "server %s is in %s, the primary IP in %s", srv.Name, srv.Location.Name, p.Location.Name)
	}
	if err := s.canAssign(srv, p.Type); err != nil {
		return nil, err
	}
	s.assign(p, srv)
	return actionResponse(s.newAction("assign_primary_ip", ref("primary_ip", p.ID), ref("server", srv.ID))), nil
}

// unassignPrimaryIP is POST /primary_ips/{id}/actions/unassign; the
// server must be off.
func (s *Server) unassignPrimaryIP(c *call) (any, error) {
	p, err := primaryIPCall(s, c, nil)
	if err != nil {
		return nil, err
	}
	refs := []schema.ActionResourceReference{ref("primary_ip", p.ID)}
	if p.AssigneeID != nil {
		srv := s.st.servers[*p.AssigneeID]
		if srv != nil && srv.Status != "off" {
			return nil, newError("server_not_stopped", "server %s is running: power it off first", srv.Name)
		}
		refs = append(refs, ref("server", *p.AssigneeID))
		s.unassign(p)
	}
	return actionResponse(s.newAction("unassign_primary_ip", refs...)), nil
}

// changePrimaryIPProtection is POST /primary_ips/{id}/actions/change_protection.
func (s *Server) changePrimaryIPProtection(c *call) (any, error) {
	var req schema.PrimaryIPActionChangeProtectionRequest
	p, err := primaryIPCall(s, c, &req)
	if err != nil {
		return nil, err
	}
	p.Protection.Delete = req.Delete
	return actionResponse(s.newAction("change_protection", ref("primary_ip", p.ID))), nil
}

// changePrimaryIPDNSPtr is POST /primary_ips/{id}/actions/change_dns_ptr:
// a null dns_ptr resets the default.
func (s *Server) changePrimaryIPDNSPtr(c *call) (any, error) {
	var req schema.PrimaryIPActionChangeDNSPtrRequest
	p, err := primaryIPCall(s, c, &req)
	if err != nil {
		return nil, err
	}
	if p.Type == "ipv4" && req.IP != p.IP {
		return nil, errInvalid("ip", "%q is not the address of primary IP %s", req.IP, p.Name)
	}
	ptr := reverseDNS(req.IP)
	if req.DNSPtr != nil {
		ptr = *req.DNSPtr
	}
	var kept []schema.PrimaryIPDNSPTR
	for _, d := range p.DNSPtr {
		if d.IP != req.IP {
			kept = append(kept, d)
		}
	}
	if ptr != "" {
		kept = append(kept, schema.PrimaryIPDNSPTR{IP: req.IP, DNSPtr: ptr})
	}
	p.DNSPtr = kept
	if p.AssigneeID != nil && p.Type == "ipv4" {
		if srv := s.st.servers[*p.AssigneeID]; srv != nil {
			srv.Server.PublicNet.IPv4.DNSPtr = ptr
		}
	}
	return actionResponse(s.newAction("change_dns_ptr", ref("primary_ip", p.ID))), nil
}

// primaryIPForServer checks the Primary IP a create request names for one
// family of a server in loc, and returns it (nil when none is named).
func (s *Server) primaryIPForServer(id int64, typ string, loc schema.Location) (*schema.PrimaryIP, error) {
	if id == 0 {
		return nil, nil
	}
	field := "public_net." + typ
	p := s.st.primaryIPs[id]
	switch {
	case p == nil:
		return nil, errInvalid(field, "primary IP %d not found", id)
	case p.Type != typ:
		return nil, errInvalid(field, "primary IP %s is of type %s", p.Name, p.Type)
	case p.AssigneeID != nil:
		return nil, newError("primary_ip_already_assigned", "primary IP %s is already assigned to server %d", p.Name, *p.AssigneeID)
	case p.Location.Name != loc.Name:
		return nil, errInvalid(field, "primary IP %s is in %s, not %s", p.Name, p.Location.Name, loc.Name)
	}
	return p, nil
}
