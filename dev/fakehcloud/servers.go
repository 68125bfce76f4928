package fakehcloud

import (
	"fmt"
	"regexp"

	"github.com/hetznercloud/hcloud-go/v2/hcloud/schema"
)

// maxUserData is the API's limit on cloud-init user data.
const maxUserData = 32 << 10

var hostname = regexp.MustCompile(`^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$`)

// serverJSON is schema.Server with its public_net replaced: the API
// answers null for a disabled public IPv4 or IPv6 (hcloud-go's own
// fixtures show it), which schema.ServerPublicNet, made of values,
// cannot express. Everything else is encoded with the schema types.
type serverJSON struct {
	schema.Server
	PublicNet serverPublicNetJSON `json:"public_net"`
}

type serverPublicNetJSON struct {
	IPv4        *schema.ServerPublicNetIPv4 `json:"ipv4"`
	IPv6        *schema.ServerPublicNetIPv6 `json:"ipv6"`
	FloatingIPs []int64                     `json:"floating_ips"`
	Firewalls   []schema.ServerFirewall     `json:"firewalls"`
}

// renderServer is the server with what the API derives: its firewalls,
// load balancers and placement group.
func (s *Server) renderServer(srv *server) serverJSON {
	out := serverJSON{Server: srv.Server}
	out.Labels = labelsOrEmpty(srv.Labels)
	out.PrivateNet = []schema.ServerPrivateNet{}
	for _, pn := range srv.PrivateNet {
		pn.AliasIPs = append([]string{}, pn.AliasIPs...)
		out.PrivateNet = append(out.PrivateNet, pn)
	}
	out.Volumes, out.LoadBalancers = []int64{}, []int64{}
	for _, lb := range sorted(s.st.loadBalancers) {
		if s.targets(lb, srv) {
			out.LoadBalancers = append(out.LoadBalancers, lb.ID)
		}
	}
	if pg, ok := s.st.placementGroups[srv.placementGroup]; ok {
		r := s.renderPlacementGroup(pg)
		out.PlacementGroup = &r
	}
	out.PublicNet = serverPublicNetJSON{FloatingIPs: []int64{}, Firewalls: s.serverFirewalls(srv)}
	if srv.publicIPv4 {
		v4 := srv.Server.PublicNet.IPv4
		out.PublicNet.IPv4 = &v4
	}
	if srv.publicIPv6 {
		v6 := srv.Server.PublicNet.IPv6
		v6.DNSPtr = []schema.ServerPublicNetIPv6DNSPtr{}
		out.PublicNet.IPv6 = &v6
	}
	return out
}

// serverCreateResponse is schema.ServerCreateResponse with serverJSON.
type serverCreateResponse struct {
	Server       serverJSON      `json:"server"`
	Action       schema.Action   `json:"action"`
	RootPassword *string         `json:"root_password"`
	NextActions  []schema.Action `json:"next_actions"`
}

// createServer is POST /servers. Everything is checked before anything
// changes, so a rejected request leaves no trace but the request log.
func (s *Server) createServer(c *call) (any, error) {
	var req schema.ServerCreateRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	c.kind, c.name = KindServer, req.Name
	srv, pips, err := s.newServer(req)
	if err != nil {
		return nil, err
	}
	s.st.servers[srv.ID] = srv
	create := s.newAction("create_server", ref("server", srv.ID))
	next, err := s.attachAtCreate(srv, req)
	if err != nil {
		s.forgetServer(srv)
		return nil, err
	}
	for _, p := range pips {
		s.assign(p, srv)
	}
	s.log.created(KindServer, srv.Name)
	s.log.serverCreated(req)
	for _, pn := range srv.PrivateNet {
		s.log.created(KindServerNetwork, srv.Name+":"+s.st.networks[pn.Network].Name)
	}
	resp := serverCreateResponse{Action: create, NextActions: next}
	if len(req.SSHKeys) == 0 {
		pw := fmt.Sprintf("fake-root-password-%d", srv.ID)
		resp.RootPassword = &pw
	}
	resp.Server = s.renderServer(srv)
	return resp, nil
}

// attachAtCreate starts the server, attaches the networks and applies the
// firewalls of a create request: the create response's next_actions.
func (s *Server) attachAtCreate(srv *server, req schema.ServerCreateRequest) ([]schema.Action, error) {
	next := []schema.Action{}
	if srv.Status == "running" {
		next = append(next, s.newAction("start_server", ref("server", srv.ID)))
	}
	for _, id := range req.Networks {
		ip, err := s.allocIP(s.st.networks[id], srv.Location.NetworkZone, "", "")
		if err != nil {
			return nil, err
		}
		srv.PrivateNet = append(srv.PrivateNet, schema.ServerPrivateNet{Network: id, IP: ip, AliasIPs: []string{}, MACAddress: s.newMAC()})
		next = append(next, s.newAction("attach_to_network", ref("server", srv.ID), ref("network", id)))
	}
	for _, f := range req.Firewalls {
		acts, err := s.applyFirewall(s.st.firewalls[f.Firewall],
			[]schema.FirewallResource{{Type: "server", Server: &schema.FirewallResourceServer{ID: srv.ID}}})
		if err != nil {
			return nil, err
		}
		next = append(next, acts...)
	}
	return next, nil
}

// newServer validates a create request and builds the server it asks for,
// with the Primary IPs it names (assigned once the server exists).
func (s *Server) newServer(req schema.ServerCreateRequest) (*server, []*schema.PrimaryIP, error) {
	srv, err := s.newServerChecked(req)
	if err != nil {
		return nil, nil, err
	}
	var pips []*schema.PrimaryIP
	if req.PublicNet != nil {
		for _, want := range []struct {
			id  int64
			typ string
		}{{req.PublicNet.IPv4ID, "ipv4"}, {req.PublicNet.IPv6ID, "ipv6"}} {
			p, err := s.primaryIPForServer(want.id, want.typ, srv.Location)
			if err != nil {
				return nil, nil, err
			}
			if p != nil {
				pips = append(pips, p)
			}
		}
	}
	if req.PlacementGroup != 0 {
		if err := s.joinPlacementGroup(srv, req.PlacementGroup); err != nil {
			return nil, nil, err
		}
	}
	srv.ID = s.st.newID()
	srv.Server.IncludedTraffic = includedTraffic(srv.Location)
	if len(pips) == 0 || pips[0].Type != "ipv4" {
		ip := s.publicIPv4(KindServer, req.Name)
		srv.Server.PublicNet.IPv4 = schema.ServerPublicNetIPv4{ID: s.st.newID(), IP: ip, DNSPtr: reverseDNS(ip)}
	}
	srv.Server.PublicNet.IPv6 = schema.ServerPublicNetIPv6{ID: s.st.newID(), IP: fmt.Sprintf("2001:db8:%x::/64", srv.ID)}
	for _, p := range pips {
		// the Primary IP's address replaces the one the API would make
		if p.Type == "ipv4" {
			srv.publicIPv4 = false
		} else {
			srv.publicIPv6 = false
		}
	}
	return srv, pips, nil
}

// newServerChecked checks a create request and builds the server without
// its ID, addresses and placement group.
func (s *Server) newServerChecked(req schema.ServerCreateRequest) (*server, error) {
	if !hostname.MatchString(req.Name) {
		return nil, errInvalid("name", "%q is not a valid hostname", req.Name)
	}
	if find(s.st.servers, func(o *server) bool { return o.Name == req.Name }) != nil {
		return nil, errUnique("name", "server name "+req.Name)
	}
	st, ok := serverType(req.ServerType)
	if !ok {
		return nil, errInvalid("server_type", "server type %v not found", req.ServerType)
	}
	im, ok := image(req.Image, st.Architecture)
	if !ok {
		return nil, errInvalid("image", "image %v not found for architecture %s", req.Image, st.Architecture)
	}
	locName := req.Location
	if locName == "" {
		locName = s.opts.DefaultLocation
	}
	loc, ok := location(locName)
	if !ok {
		return nil, errInvalid("location", "location %q not found", locName)
	}
	if !availableIn(st, loc) {
		return nil, errInvalid("server_type", "server type %s is not available in %s", st.Name, loc.Name)
	}
	if len(req.UserData) > maxUserData {
		return nil, errInvalid("user_data", "is longer than %d bytes", maxUserData)
	}
	labels, err := labelsFrom(req.Labels)
	if err != nil {
		return nil, err
	}
	for _, id := range req.SSHKeys {
		if s.st.sshKeys[id] == nil {
			return nil, errInvalid("ssh_keys", "SSH key %d not found", id)
		}
	}
	for _, id := range req.Networks {
		if s.st.networks[id] == nil {
			return nil, errInvalid("networks", "network %d not found", id)
		}
	}
	for _, f := range req.Firewalls {
		if s.st.firewalls[f.Firewall] == nil {
			return nil, errInvalid("firewalls", "firewall %d not found", f.Firewall)
		}
	}
	srv := &server{publicIPv4: true, publicIPv6: true, userData: req.UserData}
	if req.PublicNet != nil {
		srv.publicIPv4, srv.publicIPv6 = req.PublicNet.EnableIPv4, req.PublicNet.EnableIPv6
	}
	status := "running"
	if req.StartAfterCreate != nil && !*req.StartAfterCreate {
		status = "off"
	}
	traffic := uint64(0)
	srv.Server = schema.Server{
		Name: req.Name, Status: status, Created: now(), ServerType: st, Location: loc,
		Image: &im, Labels: labels, PrimaryDiskSize: st.Disk,
		OutgoingTraffic: &traffic, IngoingTraffic: &traffic, PrivateNet: []schema.ServerPrivateNet{},
	}
	return srv, nil
}
