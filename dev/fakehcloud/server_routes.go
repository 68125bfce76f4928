package fakehcloud

import (
	"slices"

	"github.com/hetznercloud/hcloud-go/v2/hcloud/schema"
)

// listServers is GET /servers, also filtered by status.
func (s *Server) listServers(c *call) (any, error) {
	items := sorted(s.st.servers)
	if st := c.r.URL.Query()["status"]; len(st) > 0 {
		items = slicesFilter(items, func(srv *server) bool { return slices.Contains(st, srv.Status) })
	}
	page, meta, err := listPage(c, items, func(srv *server) string { return srv.Name },
		func(srv *server) map[string]string { return srv.Labels }, s.renderServer)
	if err != nil {
		return nil, err
	}
	return struct {
		Servers []serverJSON `json:"servers"`
		schema.MetaResponse
	}{page, meta}, nil
}

// getServer is GET /servers/{id}.
func (s *Server) getServer(c *call) (any, error) {
	srv, err := lookup(c, s.st.servers, "server")
	if err != nil {
		return nil, err
	}
	return struct {
		Server serverJSON `json:"server"`
	}{s.renderServer(srv)}, nil
}

// updateServer is PUT /servers/{id}: name and labels.
func (s *Server) updateServer(c *call) (any, error) {
	var req schema.ServerUpdateRequest
	srv, err := serverCall(s, c, &req)
	if err != nil {
		return nil, err
	}
	if req.Name != "" && req.Name != srv.Name {
		if !hostname.MatchString(req.Name) {
			return nil, errInvalid("name", "%q is not a valid hostname", req.Name)
		}
		if find(s.st.servers, func(o *server) bool { return o.Name == req.Name }) != nil {
			return nil, errUnique("name", "server name "+req.Name)
		}
		srv.Name = req.Name
	}
	if req.Labels != nil {
		labels, err := labelsFrom(req.Labels)
		if err != nil {
			return nil, err
		}
		srv.Labels = labels
	}
	return struct {
		Server serverJSON `json:"server"`
	}{s.renderServer(srv)}, nil
}

// deleteServer is DELETE /servers/{id}. As the API documents, whatever
// is attached (firewalls, placement group, networks, load balancer
// targets) is detached with it.
func (s *Server) deleteServer(c *call) (any, error) {
	srv, err := serverCall(s, c, nil)
	if err != nil {
		return nil, err
	}
	if srv.Protection.Delete {
		return nil, errProtected("server " + srv.Name)
	}
	a := s.newAction("delete_server", ref("server", srv.ID))
	s.forgetServer(srv)
	return actionResponse(a), nil
}

// forgetServer removes a server and every reference to it.
func (s *Server) forgetServer(srv *server) {
	for _, fw := range s.st.firewalls {
		fw.AppliedTo = slices.DeleteFunc(fw.AppliedTo, func(a schema.FirewallResource) bool {
			return a.Type == "server" && a.Server.ID == srv.ID
		})
	}
	for _, lb := range s.st.loadBalancers {
		lb.Targets = slices.DeleteFunc(lb.Targets, func(t schema.LoadBalancerTarget) bool {
			return t.Type == "server" && t.Server.ID == srv.ID
		})
	}
	s.releasePrimaryIPs(srv)
	delete(s.st.servers, srv.ID)
}

// serverCall starts a server route: the server of the path and the
// decoded body, if the route takes one.
func serverCall(s *Server, c *call, req any) (*server, error) {
	srv, err := lookup(c, s.st.servers, "server")
	if err != nil {
		return nil, err
	}
	c.kind, c.name = KindServer, srv.Name
	if req != nil && len(c.body) > 0 {
		if err := c.decode(req); err != nil {
			return nil, err
		}
	}
	return srv, nil
}
