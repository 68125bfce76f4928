package fakehcloud

import (
	"github.com/hetznercloud/hcloud-go/v2/hcloud/schema"
)

// maxSpread is how many servers a spread placement group takes: one per
// physical host, and the API has ten to spread over.
const maxSpread = 10

// renderPlacementGroup is the group with its servers, which the API
// derives from the servers' memberships.
func (s *Server) renderPlacementGroup(pg *schema.PlacementGroup) schema.PlacementGroup {
	out := *pg
	out.Servers = []int64{}
	for _, srv := range sorted(s.st.servers) {
		if srv.placementGroup == pg.ID {
			out.Servers = append(out.Servers, srv.ID)
		}
	}
	return out
}

// createPlacementGroup is POST /placement_groups. The API creates them
// without an action (action is null).
func (s *Server) createPlacementGroup(c *call) (any, error) {
	var req schema.PlacementGroupCreateRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	c.kind, c.name = KindPlacementGroup, req.Name
	if req.Name == "" {
		return nil, errInvalid("name", "is required")
	}
	if req.Type != "spread" {
		return nil, errInvalid("type", "must be spread")
	}
	labels, err := labelsFrom(req.Labels)
	if err != nil {
		return nil, err
	}
	if find(s.st.placementGroups, func(pg *schema.PlacementGroup) bool { return pg.Name == req.Name }) != nil {
		return nil, errUnique("name", "placement group name "+req.Name)
	}
	pg := &schema.PlacementGroup{ID: s.st.newID(), Name: req.Name, Labels: labels, Created: now(), Type: req.Type}
	s.st.placementGroups[pg.ID] = pg
	s.log.created(KindPlacementGroup, pg.Name)
	return schema.PlacementGroupCreateResponse{PlacementGroup: s.renderPlacementGroup(pg)}, nil
}

// listPlacementGroups is GET /placement_groups, also filtered by type.
func (s *Server) listPlacementGroups(c *call) (any, error) {
	items := sorted(s.st.placementGroups)
	if t := c.r.URL.Query().Get("type"); t != "" {
		items = slicesFilter(items, func(pg *schema.PlacementGroup) bool { return pg.Type == t })
	}
	page, meta, err := listPage(c, items, func(pg *schema.PlacementGroup) string { return pg.Name },
		func(pg *schema.PlacementGroup) map[string]string { return pg.Labels }, s.renderPlacementGroup)
	if err != nil {
		return nil, err
	}
	return struct {
		schema.PlacementGroupListResponse
		schema.MetaResponse
	}{schema.PlacementGroupListResponse{PlacementGroups: page}, meta}, nil
}

// getPlacementGroup is GET /placement_groups/{id}.
func (s *Server) getPlacementGroup(c *call) (any, error) {
	pg, err := lookup(c, s.st.placementGroups, "placement group")
	if err != nil {
		return nil, err
	}
	return schema.PlacementGroupGetResponse{PlacementGroup: s.renderPlacementGroup(pg)}, nil
}

// updatePlacementGroup is PUT /placement_groups/{id}: name and labels.
func (s *Server) updatePlacementGroup(c *call) (any, error) {
	pg, err := lookup(c, s.st.placementGroups, "placement group")
	if err != nil {
		return nil, err
	}
	c.kind, c.name = KindPlacementGroup, pg.Name
	var req schema.PlacementGroupUpdateRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if req.Name != nil && *req.Name != pg.Name {
		if find(s.st.placementGroups, func(o *schema.PlacementGroup) bool { return o.Name == *req.Name }) != nil {
			return nil, errUnique("name", "placement group name "+*req.Name)
		}
	}
	if req.Labels != nil {
		labels, err := labelsFrom(req.Labels)
		if err != nil {
			return nil, err
		}
		pg.Labels = labels
	}
	if req.Name != nil && *req.Name != "" {
		pg.Name = *req.Name
	}
	return schema.PlacementGroupUpdateResponse{PlacementGroup: s.renderPlacementGroup(pg)}, nil
}

// deletePlacementGroup is DELETE /placement_groups/{id}; its servers
// leave it.
func (s *Server) deletePlacementGroup(c *call) (any, error) {
	pg, err := lookup(c, s.st.placementGroups, "placement group")
	if err != nil {
		return nil, err
	}
	c.kind, c.name = KindPlacementGroup, pg.Name
	for _, srv := range s.st.servers {
		if srv.placementGroup == pg.ID {
			srv.placementGroup = 0
		}
	}
	delete(s.st.placementGroups, pg.ID)
	return nil, nil
}

// joinPlacementGroup puts a server into a group, if there is room.
func (s *Server) joinPlacementGroup(srv *server, id int64) error {
	pg, ok := s.st.placementGroups[id]
	if !ok {
		return errNotFound("placement group")
	}
	if srv.placementGroup == id {
		return nil
	}
	if srv.placementGroup != 0 {
		return newError("server_already_in_placement_group", "server is already in a placement group")
	}
	if len(s.renderPlacementGroup(pg).Servers) >= maxSpread {
		return newError("placement_error", "spread placement group %s is full", pg.Name)
	}
	srv.placementGroup = id
	return nil
}
