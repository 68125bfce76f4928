package fakehcloud

import (
	"fmt"
	"slices"

	"github.com/hetznercloud/hcloud-go/v2/hcloud/schema"
)

// Primary IPs are public addresses that exist apart from servers, so an
// address can be known (and written into another machine's configuration)
// before the server that will carry it boots. A server created with one
// in public_net uses its address; deleting the server deletes the Primary
// IP if auto_delete is set and unassigns it otherwise. The addresses a
// server gets without one are not listed as Primary IPs here (the API
// creates auto-deleted ones for them).

// renderPrimaryIP is the Primary IP as the API shows it: labels and DNS
// pointers never null.
func renderPrimaryIP(p *schema.PrimaryIP) schema.PrimaryIP {
	out := *p
	out.Labels = labelsOrEmpty(p.Labels)
	out.DNSPtr = append([]schema.PrimaryIPDNSPTR{}, p.DNSPtr...)
	if p.AssigneeID != nil {
		id := *p.AssigneeID
		out.AssigneeID = &id
	}
	return out
}

// createPrimaryIP is POST /primary_ips: in a location, or assigned to a
// server at once (in the server's location). Everything is checked
// before anything changes.
func (s *Server) createPrimaryIP(c *call) (any, error) {
	var req schema.PrimaryIPCreateRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	c.kind, c.name = KindPrimaryIP, req.Name
	if req.Name == "" {
		return nil, errInvalid("name", "is required")
	}
	if req.Type != "ipv4" && req.Type != "ipv6" {
		return nil, errInvalid("type", "must be ipv4 or ipv6")
	}
	if find(s.st.primaryIPs, func(p *schema.PrimaryIP) bool { return p.Name == req.Name }) != nil {
		return nil, errUnique("name", "primary IP name "+req.Name)
	}
	labels, err := labelsFrom(req.Labels)
	if err != nil {
		return nil, err
	}
	locName := req.Location // the deprecated datacenter is not taken
	var srv *server
	if req.AssigneeID != nil {
		if locName != "" {
			return nil, errInvalid("assignee_id", "location and assignee_id are mutually exclusive")
		}
		if srv = s.st.servers[*req.AssigneeID]; srv == nil {
			return nil, errInvalid("assignee_id", "server %d not found", *req.AssigneeID)
		}
		if err := s.canAssign(srv, req.Type); err != nil {
			return nil, err
		}
		locName = srv.Location.Name
	}
	if locName == "" {
		return nil, errInvalid("location", "location or assignee_id is required")
	}
	loc, err := s.primaryIPLocation(locName)
	if err != nil {
		return nil, err
	}
	p := &schema.PrimaryIP{ID: s.st.newID(), Name: req.Name, Type: req.Type, Labels: labels, Created: now(),
		Location: loc, AssigneeType: "server", DNSPtr: []schema.PrimaryIPDNSPTR{}}
	if req.AutoDelete != nil {
		p.AutoDelete = *req.AutoDelete
	}
	if p.Type == "ipv4" {
		p.IP = s.publicIPv4(KindPrimaryIP, p.Name)
		p.DNSPtr = []schema.PrimaryIPDNSPTR{{IP: p.IP, DNSPtr: reverseDNS(p.IP)}}
	} else {
		p.IP = fmt.Sprintf("2001:db8:%x::/64", p.ID)
	}
	s.st.primaryIPs[p.ID] = p
	s.log.created(KindPrimaryIP, p.Name)
	a := s.newAction("create_primary_ip", ref("primary_ip", p.ID))
	if srv != nil {
		s.assign(p, srv)
		a.Resources = append(a.Resources, ref("server", srv.ID))
		s.st.actions[a.ID].Resources = slices.Clone(a.Resources)
	}
	return schema.PrimaryIPCreateResponse{PrimaryIP: renderPrimaryIP(p), Action: &a}, nil
}

// primaryIPLocation is the location of that name, if it offers Primary
// IPs (Options.NoPrimaryIPs names those that do not).
func (s *Server) primaryIPLocation(name string) (schema.Location, error) {
	loc, ok := location(name)
	if !ok {
		return schema.Location{}, errInvalid("location", "location %q not found", name)
	}
	if slices.Contains(s.opts.NoPrimaryIPs, loc.Name) {
		return schema.Location{}, errInvalid("location", "Primary IPs are not available in %s", loc.Name)
	}
	return loc, nil
}

// listPrimaryIPs is GET /primary_ips, also filtered by ip.
func (s *Server) listPrimaryIPs(c *call) (any, error) {
	items := sorted(s.st.primaryIPs)
	if ip := c.r.URL.Query().Get("ip"); ip != "" {
		items = slicesFilter(items, func(p *schema.PrimaryIP) bool { return p.IP == ip })
	}
	page, meta, err := listPage(c, items, func(p *schema.PrimaryIP) string { return p.Name },
		func(p *schema.PrimaryIP) map[string]string { return p.Labels }, renderPrimaryIP)
	if err != nil {
		return nil, err
	}
	return struct {
		schema.PrimaryIPListResponse
		schema.MetaResponse
	}{schema.PrimaryIPListResponse{PrimaryIPs: page}, meta}, nil
}

// getPrimaryIP is GET /primary_ips/{id}.
func (s *Server) getPrimaryIP(c *call) (any, error) {
	p, err := lookup(c, s.st.primaryIPs, "primary IP")
	if err != nil {
		return nil, err
	}
	return schema.PrimaryIPGetResponse{PrimaryIP: renderPrimaryIP(p)}, nil
}

// updatePrimaryIP is PUT /primary_ips/{id}: name, labels, auto_delete.
func (s *Server) updatePrimaryIP(c *call) (any, error) {
	p, err := lookup(c, s.st.primaryIPs, "primary IP")
	if err != nil {
		return nil, err
	}
	c.kind, c.name = KindPrimaryIP, p.Name
	var req schema.PrimaryIPUpdateRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if req.Name != "" && req.Name != p.Name {
		if find(s.st.primaryIPs, func(o *schema.PrimaryIP) bool { return o.Name == req.Name }) != nil {
			return nil, errUnique("name", "primary IP name "+req.Name)
		}
	}
	if req.Labels != nil {
		labels, err := labelsFrom(req.Labels)
		if err != nil {
			return nil, err
		}
		p.Labels = labels
	}
	if req.Name != "" {
		p.Name = req.Name
	}
	if req.AutoDelete != nil {
		p.AutoDelete = *req.AutoDelete
	}
	return schema.PrimaryIPUpdateResponse{PrimaryIP: renderPrimaryIP(p)}, nil
}

// deletePrimaryIP is DELETE /primary_ips/{id}. Since 1 May 2026 the API
// no longer unassigns it on the way: an assigned one must be unassigned
// first (the provider powers the server off and does so).
func (s *Server) deletePrimaryIP(c *call) (any, error) {
	p, err := lookup(c, s.st.primaryIPs, "primary IP")
	if err != nil {
		return nil, err
	}
	c.kind, c.name = KindPrimaryIP, p.Name
	if p.Protection.Delete {
		return nil, errProtected("primary IP " + p.Name)
	}
	if p.AssigneeID != nil {
		return nil, newError("must_be_unassigned", "primary IP %s is assigned to server %d: unassign it first", p.Name, *p.AssigneeID)
	}
	delete(s.st.primaryIPs, p.ID)
	return nil, nil
}
