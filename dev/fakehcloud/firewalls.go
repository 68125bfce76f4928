package fakehcloud

import (
	"net"
	"regexp"
	"slices"

	"github.com/hetznercloud/hcloud-go/v2/hcloud/schema"
)

// Firewalls are stored with applied_to as it was asked for (servers and
// label selectors); the servers a selector matches are worked out when
// the firewall or a server is rendered, so they follow label changes.

var portSpec = regexp.MustCompile(`^(any|\d{1,5}(-\d{1,5})?)$`)

// toRules validates the rules of a request and converts them.
func toRules(in []schema.FirewallRuleRequest) ([]schema.FirewallRule, error) {
	out := []schema.FirewallRule{}
	for _, r := range in {
		if r.Direction != "in" && r.Direction != "out" {
			return nil, errInvalid("rules", "direction must be in or out, not %q", r.Direction)
		}
		switch r.Protocol {
		case "tcp", "udp":
			if r.Port == nil || !portSpec.MatchString(*r.Port) {
				return nil, errInvalid("rules", "%s rules need a port, a range or any", r.Protocol)
			}
		case "icmp", "esp", "gre":
			if r.Port != nil {
				return nil, errInvalid("rules", "%s rules take no port", r.Protocol)
			}
		default:
			return nil, errInvalid("rules", "unknown protocol %q", r.Protocol)
		}
		ips := r.SourceIPs
		if r.Direction == "out" {
			ips = r.DestinationIPs
		}
		if len(ips) == 0 {
			return nil, errInvalid("rules", "%s rules need %s", r.Direction, map[string]string{"in": "source_ips", "out": "destination_ips"}[r.Direction])
		}
		for _, cidr := range slices.Concat(r.SourceIPs, r.DestinationIPs) {
			if _, _, err := net.ParseCIDR(cidr); err != nil {
				return nil, errInvalid("rules", "invalid CIDR %q", cidr)
			}
		}
		out = append(out, schema.FirewallRule{Direction: r.Direction, Protocol: r.Protocol, Port: r.Port,
			Description: r.Description, SourceIPs: append([]string{}, r.SourceIPs...),
			DestinationIPs: append([]string{}, r.DestinationIPs...)})
	}
	return out, nil
}

// sameResource reports whether two applied_to entries name the same thing.
func sameResource(a, b schema.FirewallResource) bool {
	switch {
	case a.Type != b.Type:
		return false
	case a.Type == "server":
		return a.Server != nil && b.Server != nil && a.Server.ID == b.Server.ID
	default:
		return a.LabelSelector != nil && b.LabelSelector != nil && a.LabelSelector.Selector == b.LabelSelector.Selector
	}
}

// checkResource validates an applied_to entry of a request.
func (s *Server) checkResource(r schema.FirewallResource) (schema.FirewallResource, error) {
	switch {
	case r.Type == "server" && r.Server != nil:
		srv, ok := s.st.servers[r.Server.ID]
		if !ok {
			return r, newError("firewall_resource_not_found", "server %d not found", r.Server.ID)
		}
		if !srv.publicIPv4 && !srv.publicIPv6 {
			return r, newError("private_net_only_server", "server %s has no public interface", srv.Name)
		}
		return schema.FirewallResource{Type: "server", Server: &schema.FirewallResourceServer{ID: r.Server.ID}}, nil
	case r.Type == "label_selector" && r.LabelSelector != nil:
		if _, err := parseSelector(r.LabelSelector.Selector); err != nil {
			return r, err
		}
		return schema.FirewallResource{Type: "label_selector",
			LabelSelector: &schema.FirewallResourceLabelSelector{Selector: r.LabelSelector.Selector}}, nil
	}
	return r, errInvalid("apply_to", "need type server with server, or label_selector with label_selector")
}

// selected are the servers with a public interface a selector matches.
func (s *Server) selected(sel string) []*server {
	parsed, _ := parseSelector(sel)
	var out []*server
	for _, srv := range sorted(s.st.servers) {
		if parsed.matches(srv.Labels) && (srv.publicIPv4 || srv.publicIPv6) {
			out = append(out, srv)
		}
	}
	return out
}

// renderFirewall is the firewall with the servers its selectors match.
func (s *Server) renderFirewall(fw *schema.Firewall) schema.Firewall {
	out := *fw
	out.Rules = slices.Clone(fw.Rules)
	out.AppliedTo = []schema.FirewallResource{}
	for _, a := range fw.AppliedTo {
		if a.Type == "label_selector" {
			a.AppliedToResources = nil
			for _, srv := range s.selected(a.LabelSelector.Selector) {
				a.AppliedToResources = append(a.AppliedToResources,
					schema.FirewallResource{Type: "server", Server: &schema.FirewallResourceServer{ID: srv.ID}})
			}
		}
		out.AppliedTo = append(out.AppliedTo, a)
	}
	return out
}

// serverFirewalls are the firewalls that apply to a server, directly or
// through a label selector, as its public_net.firewalls shows them.
func (s *Server) serverFirewalls(srv *server) []schema.ServerFirewall {
	out := []schema.ServerFirewall{}
	for _, fw := range sorted(s.st.firewalls) {
		if slices.ContainsFunc(fw.AppliedTo, func(a schema.FirewallResource) bool {
			if a.Type == "server" {
				return a.Server.ID == srv.ID
			}
			return slices.Contains(s.selected(a.LabelSelector.Selector), srv)
		}) {
			out = append(out, schema.ServerFirewall{ID: fw.ID, Status: "applied"})
		}
	}
	return out
}

// applyFirewall adds entries to a firewall's applied_to, with one
// apply_firewall action each.
func (s *Server) applyFirewall(fw *schema.Firewall, entries []schema.FirewallResource) ([]schema.Action, error) {
	var add []schema.FirewallResource
	for _, e := range entries {
		r, err := s.checkResource(e)
		if err != nil {
			return nil, err
		}
		if slices.ContainsFunc(slices.Concat(fw.AppliedTo, add), func(a schema.FirewallResource) bool { return sameResource(a, r) }) {
			return nil, newError("firewall_already_applied", "firewall %s is already applied to that resource", fw.Name)
		}
		add = append(add, r)
	}
	actions := []schema.Action{}
	for _, r := range add {
		fw.AppliedTo = append(fw.AppliedTo, r)
		refs := []schema.ActionResourceReference{ref("firewall", fw.ID)}
		if r.Type == "server" {
			refs = append(refs, ref("server", r.Server.ID))
		}
		actions = append(actions, s.newAction("apply_firewall", refs...))
	}
	return actions, nil
}

// removeFirewall takes entries out of a firewall's applied_to, with one
// remove_firewall action each.
func (s *Server) removeFirewall(fw *schema.Firewall, entries []schema.FirewallResource) ([]schema.Action, error) {
	for _, e := range entries {
		if e.Type == "server" && (e.Server == nil || s.st.servers[e.Server.ID] == nil) {
			return nil, newError("firewall_resource_not_found", "server not found")
		}
		if !slices.ContainsFunc(fw.AppliedTo, func(a schema.FirewallResource) bool { return sameResource(a, e) }) {
			return nil, newError("firewall_already_removed", "firewall %s is not applied to that resource", fw.Name)
		}
	}
	actions := []schema.Action{}
	for _, e := range entries {
		fw.AppliedTo = slices.DeleteFunc(fw.AppliedTo, func(a schema.FirewallResource) bool { return sameResource(a, e) })
		refs := []schema.ActionResourceReference{ref("firewall", fw.ID)}
		if e.Type == "server" {
			refs = append(refs, ref("server", e.Server.ID))
		}
		actions = append(actions, s.newAction("remove_firewall", refs...))
	}
	return actions, nil
}
