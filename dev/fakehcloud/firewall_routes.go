package fakehcloud

import (
	"github.com/hetznercloud/hcloud-go/v2/hcloud/schema"
)

// createFirewall is POST /firewalls: rules and where to apply it, with
// an apply_firewall action per applied resource.
func (s *Server) createFirewall(c *call) (any, error) {
	var req schema.FirewallCreateRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	c.kind, c.name = KindFirewall, req.Name
	if req.Name == "" {
		return nil, errInvalid("name", "is required")
	}
	rules, err := toRules(req.Rules)
	if err != nil {
		return nil, err
	}
	labels, err := labelsFrom(req.Labels)
	if err != nil {
		return nil, err
	}
	if find(s.st.firewalls, func(f *schema.Firewall) bool { return f.Name == req.Name }) != nil {
		return nil, errUnique("name", "firewall name "+req.Name)
	}
	fw := &schema.Firewall{ID: s.st.newID(), Name: req.Name, Labels: labels, Created: now(), Rules: rules,
		AppliedTo: []schema.FirewallResource{}}
	actions, err := s.applyFirewall(fw, req.ApplyTo)
	if err != nil {
		return nil, err
	}
	s.st.firewalls[fw.ID] = fw
	s.log.created(KindFirewall, fw.Name)
	return schema.FirewallCreateResponse{Firewall: s.renderFirewall(fw), Actions: actions}, nil
}

// listFirewalls is GET /firewalls.
func (s *Server) listFirewalls(c *call) (any, error) {
	page, meta, err := listPage(c, sorted(s.st.firewalls), func(f *schema.Firewall) string { return f.Name },
		func(f *schema.Firewall) map[string]string { return f.Labels }, s.renderFirewall)
	if err != nil {
		return nil, err
	}
	return struct {
		schema.FirewallListResponse
		schema.MetaResponse
	}{schema.FirewallListResponse{Firewalls: page}, meta}, nil
}

// getFirewall is GET /firewalls/{id}.
func (s *Server) getFirewall(c *call) (any, error) {
	fw, err := lookup(c, s.st.firewalls, "firewall")
	if err != nil {
		return nil, err
	}
	return schema.FirewallGetResponse{Firewall: s.renderFirewall(fw)}, nil
}

// firewallCall starts a firewall route: the firewall of the path and the
// decoded body.
func firewallCall(s *Server, c *call, req any) (*schema.Firewall, error) {
	fw, err := lookup(c, s.st.firewalls, "firewall")
	if err != nil {
		return nil, err
	}
	c.kind, c.name = KindFirewall, fw.Name
	if req != nil {
		if err := c.decode(req); err != nil {
			return nil, err
		}
	}
	return fw, nil
}

// updateFirewall is PUT /firewalls/{id}: name and labels.
func (s *Server) updateFirewall(c *call) (any, error) {
	var req schema.FirewallUpdateRequest
	fw, err := firewallCall(s, c, &req)
	if err != nil {
		return nil, err
	}
	if req.Name != nil && *req.Name != fw.Name {
		if find(s.st.firewalls, func(f *schema.Firewall) bool { return f.Name == *req.Name }) != nil {
			return nil, errUnique("name", "firewall name "+*req.Name)
		}
	}
	if req.Labels != nil {
		labels, err := labelsFrom(req.Labels)
		if err != nil {
			return nil, err
		}
		fw.Labels = labels
	}
	if req.Name != nil && *req.Name != "" {
		fw.Name = *req.Name
	}
	return schema.FirewallUpdateResponse{Firewall: s.renderFirewall(fw)}, nil
}

// deleteFirewall is DELETE /firewalls/{id}. Like the API it refuses while
// the firewall is still applied (resource_in_use); the provider removes it
// from its resources first.
func (s *Server) deleteFirewall(c *call) (any, error) {
	fw, err := firewallCall(s, c, nil)
	if err != nil {
		return nil, err
	}
	if len(fw.AppliedTo) > 0 {
		return nil, newError("resource_in_use", "firewall %s is still applied to a resource", fw.Name)
	}
	delete(s.st.firewalls, fw.ID)
	return nil, nil
}

// setFirewallRules is POST /firewalls/{id}/actions/set_rules.
func (s *Server) setFirewallRules(c *call) (any, error) {
	var req schema.FirewallActionSetRulesRequest
	fw, err := firewallCall(s, c, &req)
	if err != nil {
		return nil, err
	}
	rules, err := toRules(req.Rules)
	if err != nil {
		return nil, err
	}
	fw.Rules = rules
	return schema.FirewallActionSetRulesResponse{
		Actions: []schema.Action{s.newAction("set_firewall_rules", ref("firewall", fw.ID))},
	}, nil
}

// applyFirewallToResources is POST /firewalls/{id}/actions/apply_to_resources.
func (s *Server) applyFirewallToResources(c *call) (any, error) {
	var req schema.FirewallActionApplyToResourcesRequest
	fw, err := firewallCall(s, c, &req)
	if err != nil {
		return nil, err
	}
	actions, err := s.applyFirewall(fw, req.ApplyTo)
	if err != nil {
		return nil, err
	}
	return schema.FirewallActionApplyToResourcesResponse{Actions: actions}, nil
}

// removeFirewallFromResources is POST /firewalls/{id}/actions/remove_from_resources.
func (s *Server) removeFirewallFromResources(c *call) (any, error) {
	var req schema.FirewallActionRemoveFromResourcesRequest
	fw, err := firewallCall(s, c, &req)
	if err != nil {
		return nil, err
	}
	actions, err := s.removeFirewall(fw, req.RemoveFrom)
	if err != nil {
		return nil, err
	}
	return schema.FirewallActionRemoveFromResourcesResponse{Actions: actions}, nil
}
