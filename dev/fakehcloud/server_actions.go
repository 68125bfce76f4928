package fakehcloud

import (
	"slices"

	"github.com/hetznercloud/hcloud-go/v2/hcloud/schema"
)

// power answers the power actions: each sets the status the server ends
// up in (a reboot or reset ends running).
func power(command, status string) func(*Server, *call) (any, error) {
	return func(s *Server, c *call) (any, error) {
		srv, err := serverCall(s, c, nil)
		if err != nil {
			return nil, err
		}
		srv.Status = status
		return actionResponse(s.newAction(command, ref("server", srv.ID))), nil
	}
}

// attachServerToNetwork is POST /servers/{id}/actions/attach_to_network.
func (s *Server) attachServerToNetwork(c *call) (any, error) {
	var req schema.ServerActionAttachToNetworkRequest
	srv, err := serverCall(s, c, &req)
	if err != nil {
		return nil, err
	}
	nw, ok := s.st.networks[req.Network]
	if !ok {
		return nil, errNotFound("network")
	}
	if slices.ContainsFunc(srv.PrivateNet, func(pn schema.ServerPrivateNet) bool { return pn.Network == nw.ID }) {
		return nil, newError("server_already_attached", "server %s is already attached to network %s", srv.Name, nw.Name)
	}
	want, ipRange := "", ""
	if req.IP != nil {
		want = *req.IP
	}
	if req.IPRange != nil {
		ipRange = *req.IPRange
	}
	ip, err := s.allocIP(nw, srv.Location.NetworkZone, want, ipRange)
	if err != nil {
		return nil, err
	}
	pn := schema.ServerPrivateNet{Network: nw.ID, IP: ip, AliasIPs: []string{}, MACAddress: s.newMAC()}
	for _, a := range req.AliasIPs {
		if a == nil {
			continue
		}
		alias, err := s.allocIP(nw, srv.Location.NetworkZone, *a, "")
		if err != nil || alias == ip {
			return nil, newError("ip_not_available", "alias IP %s is not available", *a)
		}
		pn.AliasIPs = append(pn.AliasIPs, alias)
	}
	srv.PrivateNet = append(srv.PrivateNet, pn)
	s.log.created(KindServerNetwork, srv.Name+":"+nw.Name)
	return actionResponse(s.newAction("attach_to_network", ref("server", srv.ID), ref("network", nw.ID))), nil
}

// detachServerFromNetwork is POST /servers/{id}/actions/detach_from_network.
func (s *Server) detachServerFromNetwork(c *call) (any, error) {
	var req schema.ServerActionDetachFromNetworkRequest
	srv, err := serverCall(s, c, &req)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(srv.PrivateNet, func(pn schema.ServerPrivateNet) bool { return pn.Network == req.Network })
	if i < 0 {
		return nil, newError("server_not_attached_to_network", "server %s is not attached to network %d", srv.Name, req.Network)
	}
	srv.PrivateNet = slices.Delete(srv.PrivateNet, i, i+1)
	return actionResponse(s.newAction("detach_from_network", ref("server", srv.ID), ref("network", req.Network))), nil
}

// changeServerAliasIPs is POST /servers/{id}/actions/change_alias_ips.
func (s *Server) changeServerAliasIPs(c *call) (any, error) {
	var req schema.ServerActionChangeAliasIPsRequest
	srv, err := serverCall(s, c, &req)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(srv.PrivateNet, func(pn schema.ServerPrivateNet) bool { return pn.Network == req.Network })
	if i < 0 {
		return nil, newError("server_not_attached_to_network", "server %s is not attached to network %d", srv.Name, req.Network)
	}
	nw := s.st.networks[req.Network]
	old := srv.PrivateNet[i].AliasIPs
	srv.PrivateNet[i].AliasIPs = []string{}
	for _, a := range req.AliasIPs {
		alias, err := s.allocIP(nw, srv.Location.NetworkZone, a, "")
		if err != nil || alias == srv.PrivateNet[i].IP {
			srv.PrivateNet[i].AliasIPs = old
			return nil, newError("ip_not_available", "alias IP %s is not available", a)
		}
		srv.PrivateNet[i].AliasIPs = append(srv.PrivateNet[i].AliasIPs, alias)
	}
	return actionResponse(s.newAction("change_alias_ips", ref("server", srv.ID), ref("network", req.Network))), nil
}

// addServerToPlacementGroup is POST /servers/{id}/actions/add_to_placement_group.
func (s *Server) addServerToPlacementGroup(c *call) (any, error) {
	var req schema.ServerActionAddToPlacementGroupRequest
	srv, err := serverCall(s, c, &req)
	if err != nil {
		return nil, err
	}
	if err := s.joinPlacementGroup(srv, req.PlacementGroup); err != nil {
		return nil, err
	}
	return actionResponse(s.newAction("add_to_placement_group", ref("server", srv.ID),
		ref("placement_group", req.PlacementGroup))), nil
}

// removeServerFromPlacementGroup is POST /servers/{id}/actions/remove_from_placement_group.
func (s *Server) removeServerFromPlacementGroup(c *call) (any, error) {
	srv, err := serverCall(s, c, nil)
	if err != nil {
		return nil, err
	}
	if srv.placementGroup == 0 {
		return nil, newError("server_not_in_placement_group", "server %s is in no placement group", srv.Name)
	}
	pg := srv.placementGroup
	srv.placementGroup = 0
	return actionResponse(s.newAction("remove_from_placement_group", ref("server", srv.ID), ref("placement_group", pg))), nil
}

// changeServerProtection is POST /servers/{id}/actions/change_protection.
func (s *Server) changeServerProtection(c *call) (any, error) {
	var req schema.ServerActionChangeProtectionRequest
	srv, err := serverCall(s, c, &req)
	if err != nil {
		return nil, err
	}
	if req.Delete != nil {
		srv.Protection.Delete = *req.Delete
	}
	if req.Rebuild != nil {
		srv.Protection.Rebuild = *req.Rebuild
	}
	return actionResponse(s.newAction("change_protection", ref("server", srv.ID))), nil
}

// backup answers enable_backup and disable_backup.
func backup(enable bool) func(*Server, *call) (any, error) {
	return func(s *Server, c *call) (any, error) {
		srv, err := serverCall(s, c, nil)
		if err != nil {
			return nil, err
		}
		srv.BackupWindow = nil
		command := "disable_backup"
		if enable {
			w := "22-02"
			srv.BackupWindow, command = &w, "enable_backup"
		}
		return actionResponse(s.newAction(command, ref("server", srv.ID))), nil
	}
}

// changeServerType is POST /servers/{id}/actions/change_type; like the
// API it needs the server off (the provider powers it off first).
func (s *Server) changeServerType(c *call) (any, error) {
	var req schema.ServerActionChangeTypeRequest
	srv, err := serverCall(s, c, &req)
	if err != nil {
		return nil, err
	}
	st, ok := serverType(req.ServerType)
	if !ok || st.Architecture != srv.ServerType.Architecture || !availableIn(st, srv.Location) {
		return nil, newError("invalid_server_type", "server type %v does not fit server %s", req.ServerType, srv.Name)
	}
	if srv.Status != "off" {
		return nil, newError("server_not_stopped", "server %s must be stopped", srv.Name)
	}
	srv.ServerType = st
	if req.UpgradeDisk {
		srv.PrimaryDiskSize = st.Disk
	}
	return actionResponse(s.newAction("change_server_type", ref("server", srv.ID))), nil
}

// rebuildServer is POST /servers/{id}/actions/rebuild, with new user data
// if given.
func (s *Server) rebuildServer(c *call) (any, error) {
	var req schema.ServerActionRebuildRequest
	srv, err := serverCall(s, c, &req)
	if err != nil {
		return nil, err
	}
	if srv.Protection.Rebuild {
		return nil, newError("protected", "server %s is protected against rebuilds", srv.Name)
	}
	im, ok := image(req.Image, srv.ServerType.Architecture)
	if !ok {
		return nil, errInvalid("image", "image %v not found", req.Image)
	}
	srv.Image = &im
	if req.UserData != nil && len(*req.UserData) > maxUserData {
		return nil, errInvalid("user_data", "is longer than %d bytes", maxUserData)
	}
	if req.UserData != nil {
		srv.userData = *req.UserData
	}
	srv.Status = "running"
	return schema.ServerActionRebuildResponse{Action: s.newAction("rebuild_server", ref("server", srv.ID))}, nil
}
