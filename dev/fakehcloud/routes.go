package fakehcloud

import (
	"net/http"
	"strings"
)

// Route is one method and path pattern the fake serves. Patterns are
// relative to URL() and name their parameters like the API's OpenAPI
// description does ({id}, {action_id}).
type Route struct {
	Method  string
	Pattern string
}

// route is a Route with the status of its success and its handler.
type route struct {
	Route
	status int
	handle func(*Server, *call) (any, error)
}

// Routes are all the routes the fake serves.
func Routes() []Route {
	out := make([]Route, len(routes))
	for i, rt := range routes {
		out[i] = rt.Route
	}
	return out
}

const (
	get, post, put, del = http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete
	ok, created, none   = http.StatusOK, http.StatusCreated, http.StatusNoContent
)

// rrsetPath is the path of one RRSet: a zone's RRSets are named by name
// and type, not by a number.
const rrsetPath = "/zones/{id_or_name}/rrsets/{rr_name}/{rr_type}"

// routes is the table of everything served.
var routes = concat(
	[]route{
		{Route{get, "/actions"}, ok, (*Server).listActions},
		{Route{get, "/actions/{id}"}, ok, (*Server).getAction},
		{Route{get, "/locations"}, ok, (*Server).listLocations},
		{Route{get, "/locations/{id}"}, ok, (*Server).getLocation},
		{Route{get, "/datacenters"}, ok, (*Server).listDatacenters},
		{Route{get, "/datacenters/{id}"}, ok, (*Server).getDatacenter},
		{Route{get, "/server_types"}, ok, (*Server).listServerTypes},
		{Route{get, "/server_types/{id}"}, ok, (*Server).getServerType},
		{Route{get, "/images"}, ok, (*Server).listImages},
		{Route{get, "/images/{id}"}, ok, (*Server).getImage},
		{Route{get, "/load_balancer_types"}, ok, (*Server).listLoadBalancerTypes},
		{Route{get, "/load_balancer_types/{id}"}, ok, (*Server).getLoadBalancerType},
		{Route{get, "/pricing"}, ok, (*Server).getPricing},

		{Route{get, "/ssh_keys"}, ok, (*Server).listSSHKeys},
		{Route{post, "/ssh_keys"}, created, (*Server).createSSHKey},
		{Route{get, "/ssh_keys/{id}"}, ok, (*Server).getSSHKey},
		{Route{put, "/ssh_keys/{id}"}, ok, (*Server).updateSSHKey},
		{Route{del, "/ssh_keys/{id}"}, none, (*Server).deleteSSHKey},

		{Route{get, "/placement_groups"}, ok, (*Server).listPlacementGroups},
		{Route{post, "/placement_groups"}, created, (*Server).createPlacementGroup},
		{Route{get, "/placement_groups/{id}"}, ok, (*Server).getPlacementGroup},
		{Route{put, "/placement_groups/{id}"}, ok, (*Server).updatePlacementGroup},
		{Route{del, "/placement_groups/{id}"}, none, (*Server).deletePlacementGroup},

		{Route{get, "/networks"}, ok, (*Server).listNetworks},
		{Route{post, "/networks"}, created, (*Server).createNetwork},
		{Route{get, "/networks/{id}"}, ok, (*Server).getNetwork},
		{Route{put, "/networks/{id}"}, ok, (*Server).updateNetwork},
		{Route{del, "/networks/{id}"}, none, (*Server).deleteNetwork},
		{Route{post, "/networks/{id}/actions/add_subnet"}, created, (*Server).addSubnetAction},
		{Route{post, "/networks/{id}/actions/delete_subnet"}, created, (*Server).deleteSubnetAction},
		{Route{post, "/networks/{id}/actions/add_route"}, created, (*Server).addRouteAction},
		{Route{post, "/networks/{id}/actions/delete_route"}, created, (*Server).deleteRouteAction},
		{Route{post, "/networks/{id}/actions/change_ip_range"}, created, (*Server).changeNetworkIPRange},
		{Route{post, "/networks/{id}/actions/change_protection"}, created, (*Server).changeNetworkProtection},

		{Route{get, "/firewalls"}, ok, (*Server).listFirewalls},
		{Route{post, "/firewalls"}, created, (*Server).createFirewall},
		{Route{get, "/firewalls/{id}"}, ok, (*Server).getFirewall},
		{Route{put, "/firewalls/{id}"}, ok, (*Server).updateFirewall},
		{Route{del, "/firewalls/{id}"}, none, (*Server).deleteFirewall},
		{Route{post, "/firewalls/{id}/actions/set_rules"}, created, (*Server).setFirewallRules},
		{Route{post, "/firewalls/{id}/actions/apply_to_resources"}, created, (*Server).applyFirewallToResources},
		{Route{post, "/firewalls/{id}/actions/remove_from_resources"}, created, (*Server).removeFirewallFromResources},

		{Route{get, "/servers"}, ok, (*Server).listServers},
		{Route{post, "/servers"}, created, (*Server).createServer},
		{Route{get, "/servers/{id}"}, ok, (*Server).getServer},
		{Route{put, "/servers/{id}"}, ok, (*Server).updateServer},
		{Route{del, "/servers/{id}"}, ok, (*Server).deleteServer},
		{Route{post, "/servers/{id}/actions/poweron"}, created, power("start_server", "running")},
		{Route{post, "/servers/{id}/actions/poweroff"}, created, power("stop_server", "off")},
		{Route{post, "/servers/{id}/actions/shutdown"}, created, power("shutdown_server", "off")},
		{Route{post, "/servers/{id}/actions/reboot"}, created, power("reboot_server", "running")},
		{Route{post, "/servers/{id}/actions/reset"}, created, power("reset_server", "running")},
		{Route{post, "/servers/{id}/actions/attach_to_network"}, created, (*Server).attachServerToNetwork},
		{Route{post, "/servers/{id}/actions/detach_from_network"}, created, (*Server).detachServerFromNetwork},
		{Route{post, "/servers/{id}/actions/change_alias_ips"}, created, (*Server).changeServerAliasIPs},
		{Route{post, "/servers/{id}/actions/add_to_placement_group"}, created, (*Server).addServerToPlacementGroup},
		{Route{post, "/servers/{id}/actions/remove_from_placement_group"}, created, (*Server).removeServerFromPlacementGroup},
		{Route{post, "/servers/{id}/actions/change_protection"}, created, (*Server).changeServerProtection},
		{Route{post, "/servers/{id}/actions/enable_backup"}, created, backup(true)},
		{Route{post, "/servers/{id}/actions/disable_backup"}, created, backup(false)},
		{Route{post, "/servers/{id}/actions/change_type"}, created, (*Server).changeServerType},
		{Route{post, "/servers/{id}/actions/rebuild"}, created, (*Server).rebuildServer},

		{Route{get, "/primary_ips"}, ok, (*Server).listPrimaryIPs},
		{Route{post, "/primary_ips"}, created, (*Server).createPrimaryIP},
		{Route{get, "/primary_ips/{id}"}, ok, (*Server).getPrimaryIP},
		{Route{put, "/primary_ips/{id}"}, ok, (*Server).updatePrimaryIP},
		{Route{del, "/primary_ips/{id}"}, none, (*Server).deletePrimaryIP},
		{Route{post, "/primary_ips/{id}/actions/assign"}, created, (*Server).assignPrimaryIP},
		{Route{post, "/primary_ips/{id}/actions/unassign"}, created, (*Server).unassignPrimaryIP},
		{Route{post, "/primary_ips/{id}/actions/change_protection"}, created, (*Server).changePrimaryIPProtection},
		{Route{post, "/primary_ips/{id}/actions/change_dns_ptr"}, created, (*Server).changePrimaryIPDNSPtr},

		{Route{get, "/load_balancers"}, ok, (*Server).listLoadBalancers},
		{Route{post, "/load_balancers"}, created, (*Server).createLoadBalancer},
		{Route{get, "/load_balancers/{id}"}, ok, (*Server).getLoadBalancer},
		{Route{put, "/load_balancers/{id}"}, ok, (*Server).updateLoadBalancer},
		{Route{del, "/load_balancers/{id}"}, created, (*Server).deleteLoadBalancer},
		{Route{post, "/load_balancers/{id}/actions/add_service"}, created, (*Server).addServiceAction},
		{Route{post, "/load_balancers/{id}/actions/update_service"}, created, (*Server).updateServiceAction},
		{Route{post, "/load_balancers/{id}/actions/delete_service"}, created, (*Server).deleteServiceAction},
		{Route{post, "/load_balancers/{id}/actions/add_target"}, created, (*Server).addTargetAction},
		{Route{post, "/load_balancers/{id}/actions/remove_target"}, created, (*Server).removeTargetAction},
		{Route{post, "/load_balancers/{id}/actions/attach_to_network"}, created, (*Server).attachLoadBalancerToNetwork},
		{Route{post, "/load_balancers/{id}/actions/detach_from_network"}, created, (*Server).detachLoadBalancerFromNetwork},
		{Route{post, "/load_balancers/{id}/actions/enable_public_interface"}, created, publicInterface(true)},
		{Route{post, "/load_balancers/{id}/actions/disable_public_interface"}, created, publicInterface(false)},
		{Route{post, "/load_balancers/{id}/actions/change_algorithm"}, created, (*Server).changeLoadBalancerAlgorithm},
		{Route{post, "/load_balancers/{id}/actions/change_protection"}, created, (*Server).changeLoadBalancerProtection},
		{Route{post, "/load_balancers/{id}/actions/change_type"}, created, (*Server).changeLoadBalancerType},

		{Route{get, "/zones"}, ok, (*Server).listZones},
		{Route{get, "/zones/{id_or_name}"}, ok, (*Server).getZone},
		{Route{get, "/zones/{id_or_name}/rrsets"}, ok, (*Server).listRRSets},
		{Route{post, "/zones/{id_or_name}/rrsets"}, created, (*Server).createRRSet},
		{Route{get, rrsetPath}, ok, (*Server).getRRSet},
		{Route{put, rrsetPath}, ok, (*Server).updateRRSet},
		{Route{del, rrsetPath}, created, (*Server).deleteRRSet},
		{Route{post, rrsetPath + "/actions/set_records"}, created, (*Server).setRRSetRecords},
		{Route{post, rrsetPath + "/actions/change_ttl"}, created, (*Server).changeRRSetTTL},
		{Route{post, rrsetPath + "/actions/change_protection"}, created, (*Server).changeRRSetProtection},
	},
	actionRoutes("servers", "server"),
	actionRoutes("networks", "network"),
	actionRoutes("firewalls", "firewall"),
	actionRoutes("load_balancers", "load_balancer"),
	actionRoutes("primary_ips", "primary_ip"),
)

// actionRoutes are the four routes that read the actions of a type of
// resource.
func actionRoutes(path, typ string) []route {
	return []route{
		{Route{get, "/" + path + "/actions"}, ok, typeActions(typ)},
		{Route{get, "/" + path + "/actions/{id}"}, ok, typeAction(typ)},
		{Route{get, "/" + path + "/{id}/actions"}, ok, resourceActions(typ)},
		{Route{get, "/" + path + "/{id}/actions/{action_id}"}, ok, resourceAction(typ)},
	}
}

func concat(parts ...[]route) []route {
	var out []route
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// match finds the route for a request path below /v1 and sets its path
// parameters on r. http.ServeMux cannot hold this table: the API has both
// /servers/actions/{id} and /servers/{id}/actions, which overlap, so where
// several routes match, the one with a literal segment first wins.
func match(r *http.Request, path string) *route {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	var best *route
	bestScore := -1
	for i := range routes {
		rt := &routes[i]
		if rt.Method != r.Method && (r.Method != http.MethodHead || rt.Method != get) {
			continue
		}
		pat := strings.Split(strings.Trim(rt.Pattern, "/"), "/")
		if len(pat) != len(segs) {
			continue
		}
		score, okay := 0, true
		for j, p := range pat {
			switch {
			case strings.HasPrefix(p, "{"):
			case p == segs[j]:
				score |= 1 << (len(pat) - j)
			default:
				okay = false
			}
		}
		if okay && score > bestScore {
			best, bestScore = rt, score
		}
	}
	if best != nil {
		for j, p := range strings.Split(strings.Trim(best.Pattern, "/"), "/") {
			if strings.HasPrefix(p, "{") {
				r.SetPathValue(strings.Trim(p, "{}"), segs[j])
			}
		}
	}
	return best
}
