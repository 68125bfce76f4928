package fakehcloud

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/hetznercloud/hcloud-go/v2/hcloud"
	"github.com/stretchr/testify/require"
)

// exercisePrimaryIPs walks a Primary IP through what hcloud_primary_ip and
// a server's public_net { ipv4 = ... } do with it: create in a location,
// read, update, a server created with it, unassign and assign with the
// server off, delete of the server (which keeps it: auto_delete is off),
// delete. It leaves nothing behind.
func exercisePrimaryIPs(e *env) {
	t, c, ctx := e.t, e.client, e.ctx
	res, _, err := c.PrimaryIP.Create(ctx, hcloud.PrimaryIPCreateOpts{Name: "gw-ipv4", Type: hcloud.PrimaryIPTypeIPv4,
		Location: "fsn1", AssigneeType: "server", AutoDelete: hcloud.Ptr(false), Labels: map[string]string{"role": "gateway"}})
	require.NoError(t, err)
	e.wait(res.Action)
	pip := res.PrimaryIP
	require.Zero(t, pip.AssigneeID)
	all, err := c.PrimaryIP.All(ctx)
	require.NoError(t, err)
	require.Len(t, all, 1)
	byIP, _, err := c.PrimaryIP.GetByIP(ctx, pip.IP.String())
	require.NoError(t, err)
	require.Equal(t, pip.ID, byIP.ID)
	pip, _, err = c.PrimaryIP.Update(ctx, pip, hcloud.PrimaryIPUpdateOpts{Labels: &map[string]string{"role": "gateway", "touched": "yes"}})
	require.NoError(t, err)
	require.Equal(t, "yes", pip.Labels["touched"])
	e.do(c.PrimaryIP.ChangeDNSPtr(ctx, hcloud.PrimaryIPChangeDNSPtrOpts{ID: pip.ID, IP: pip.IP.String(), DNSPtr: "gw.example.com"}))
	for _, on := range []bool{true, false} {
		e.do(c.PrimaryIP.ChangeProtection(ctx, hcloud.PrimaryIPChangeProtectionOpts{ID: pip.ID, Delete: on}))
	}

	gw := createServer(e, hcloud.ServerCreateOpts{Name: "gw", ServerType: &hcloud.ServerType{Name: "cx22"},
		Image: &hcloud.Image{Name: "ubuntu-24.04"}, Location: &hcloud.Location{Name: "fsn1"},
		PublicNet: &hcloud.ServerCreatePublicNet{EnableIPv4: true, EnableIPv6: true, IPv4: pip}})
	require.Equal(t, pip.IP.String(), gw.PublicNet.IPv4.IP.String(), "the server uses the Primary IP's address")
	require.Equal(t, pip.ID, gw.PublicNet.IPv4.ID)
	pip, _, err = c.PrimaryIP.GetByID(ctx, pip.ID)
	require.NoError(t, err)
	require.Equal(t, gw.ID, pip.AssigneeID)

	e.do(c.Server.Poweroff(ctx, gw))
	e.do(c.PrimaryIP.Unassign(ctx, pip.ID))
	gw, _, err = c.Server.GetByID(ctx, gw.ID)
	require.NoError(t, err)
	require.True(t, gw.PublicNet.IPv4.IsUnspecified(), "unassigned, the server has no IPv4")
	e.do(c.PrimaryIP.Assign(ctx, hcloud.PrimaryIPAssignOpts{ID: pip.ID, AssigneeID: gw.ID, AssigneeType: "server"}))
	e.do(c.Server.Poweron(ctx, gw))

	for _, path := range []string{"/primary_ips/actions", fmt.Sprintf("/primary_ips/%d/actions", pip.ID)} {
		status, body := e.raw("GET", path, "")
		require.Equal(t, http.StatusOK, status, body)
		var list struct{ Actions []struct{ ID int64 } }
		require.NoError(t, json.Unmarshal([]byte(body), &list))
		require.NotEmpty(t, list.Actions, path)
		status, body = e.raw("GET", fmt.Sprintf("%s/%d", path, list.Actions[0].ID), "")
		require.Equal(t, http.StatusOK, status, body)
	}

	del, _, err := c.Server.DeleteWithResult(ctx, gw)
	require.NoError(t, err)
	e.wait(del.Action)
	pip, _, err = c.PrimaryIP.GetByID(ctx, pip.ID)
	require.NoError(t, err)
	require.Zero(t, pip.AssigneeID, "deleting the server unassigns a Primary IP without auto_delete")
	_, err = c.PrimaryIP.Delete(ctx, pip)
	require.NoError(t, err)
}

func TestPrimaryIPLifecycle(t *testing.T) {
	e := newEnv(t, Options{ActionRunningReports: 1})
	exercisePrimaryIPs(e)
	require.Empty(t, e.fake.Live())
	require.Equal(t, 1, e.fake.CreateCount(KindPrimaryIP, "gw-ipv4"))
}

// Each route's refusals, as the API documents them.
func TestPrimaryIPRoutes(t *testing.T) {
	rec := &recorder{}
	e := newEnv(t, Options{NoPrimaryIPs: []string{"sin"}, OnExchange: rec.add})
	c, ctx := e.client, e.ctx
	newPIP := func(name, loc string, autoDelete bool) *hcloud.PrimaryIP {
		res, _, err := c.PrimaryIP.Create(ctx, hcloud.PrimaryIPCreateOpts{Name: name, Type: hcloud.PrimaryIPTypeIPv4, Location: loc,
			AssigneeType: "server", AutoDelete: &autoDelete})
		require.NoError(t, err)
		return res.PrimaryIP
	}
	free := newPIP("free", "fsn1", false)
	inNbg := newPIP("in-nbg", "nbg1", false)
	auto := newPIP("auto", "fsn1", true)
	server := func(name string, start bool, pn *hcloud.ServerCreatePublicNet) *hcloud.Server {
		res, _, err := c.Server.Create(ctx, hcloud.ServerCreateOpts{Name: name, ServerType: &hcloud.ServerType{Name: "cx22"},
			Image: &hcloud.Image{Name: "ubuntu-24.04"}, Location: &hcloud.Location{Name: "fsn1"}, StartAfterCreate: &start, PublicNet: pn})
		require.NoError(t, err)
		return res.Server
	}
	holder := server("holder", false, &hcloud.ServerCreatePublicNet{EnableIPv4: true, EnableIPv6: true, IPv4: auto})
	running := server("running", true, nil)
	onRunning := newPIP("on-running", "fsn1", true)
	server("running-with-ip", true, &hcloud.ServerCreatePublicNet{EnableIPv4: true, IPv4: onRunning})
	bare := server("bare", false, &hcloud.ServerCreatePublicNet{EnableIPv4: false, EnableIPv6: true})

	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		code                     string
	}{
		{"create without a name", "POST", "/primary_ips", `{"type":"ipv4","location":"fsn1","assignee_type":"server"}`, 400, "invalid_input"},
		{"create of an unknown type", "POST", "/primary_ips", `{"name":"x","type":"ipv5","location":"fsn1","assignee_type":"server"}`, 400, "invalid_input"},
		{"create without a place", "POST", "/primary_ips", `{"name":"x","type":"ipv4","assignee_type":"server"}`, 400, "invalid_input"},
		{"create in an unknown location", "POST", "/primary_ips", `{"name":"x","type":"ipv4","location":"mars1","assignee_type":"server"}`, 400, "invalid_input"},
		{"create where none are offered", "POST", "/primary_ips", `{"name":"x","type":"ipv4","location":"sin","assignee_type":"server"}`, 400, "invalid_input"},
		{"create with a taken name", "POST", "/primary_ips", `{"name":"free","type":"ipv4","location":"fsn1","assignee_type":"server"}`, 409, "uniqueness_error"},
		{"create for a running server", "POST", "/primary_ips", fmt.Sprintf(`{"name":"x","type":"ipv4","assignee_id":%d,"assignee_type":"server"}`, running.ID), 422, "server_not_stopped"},
		{"create for a server with an IPv4", "POST", "/primary_ips", fmt.Sprintf(`{"name":"x","type":"ipv4","assignee_id":%d,"assignee_type":"server"}`, holder.ID), 422, "server_has_ipv4"},
		{"get of a missing one", "GET", "/primary_ips/1", "", 404, "not_found"},
		{"rename to a taken name", "PUT", fmt.Sprintf("/primary_ips/%d", free.ID), `{"name":"auto"}`, 409, "uniqueness_error"},
		{"delete of an assigned one", "DELETE", fmt.Sprintf("/primary_ips/%d", auto.ID), "", 422, "must_be_unassigned"},
		{"assign to a running server", "POST", fmt.Sprintf("/primary_ips/%d/actions/assign", free.ID), fmt.Sprintf(`{"assignee_id":%d,"assignee_type":"server"}`, running.ID), 422, "server_not_stopped"},
		{"assign to a server that has an IPv4", "POST", fmt.Sprintf("/primary_ips/%d/actions/assign", free.ID), fmt.Sprintf(`{"assignee_id":%d,"assignee_type":"server"}`, holder.ID), 422, "server_has_ipv4"},
		{"assign one assigned elsewhere", "POST", fmt.Sprintf("/primary_ips/%d/actions/assign", auto.ID), fmt.Sprintf(`{"assignee_id":%d,"assignee_type":"server"}`, bare.ID), 422, "primary_ip_already_assigned"},
		{"assign across locations", "POST", fmt.Sprintf("/primary_ips/%d/actions/assign", inNbg.ID), fmt.Sprintf(`{"assignee_id":%d,"assignee_type":"server"}`, bare.ID), 400, "invalid_input"},
		{"unassign from a running server", "POST", fmt.Sprintf("/primary_ips/%d/actions/unassign", onRunning.ID), "", 422, "server_not_stopped"},
		{"protection of a missing one", "POST", "/primary_ips/1/actions/change_protection", `{"delete":true}`, 404, "not_found"},
		{"update of a missing one", "PUT", "/primary_ips/1", `{"name":"y"}`, 404, "not_found"},
		{"assign to a missing server", "POST", fmt.Sprintf("/primary_ips/%d/actions/assign", free.ID), `{"assignee_id":1,"assignee_type":"server"}`, 404, "not_found"},
		{"dns pointer for another address", "POST", fmt.Sprintf("/primary_ips/%d/actions/change_dns_ptr", free.ID), `{"ip":"192.0.2.1","dns_ptr":"x.example.com"}`, 400, "invalid_input"},
		{"server with a missing Primary IP", "POST", "/servers", `{"name":"s1","server_type":"cx22","image":"ubuntu-24.04","location":"fsn1","public_net":{"enable_ipv4":true,"enable_ipv6":true,"ipv4":1}}`, 400, "invalid_input"},
		{"server with an assigned Primary IP", "POST", "/servers", fmt.Sprintf(`{"name":"s1","server_type":"cx22","image":"ubuntu-24.04","location":"fsn1","public_net":{"enable_ipv4":true,"enable_ipv6":true,"ipv4":%d}}`, auto.ID), 422, "primary_ip_already_assigned"},
		{"server in another location than its Primary IP", "POST", "/servers", fmt.Sprintf(`{"name":"s1","server_type":"cx22","image":"ubuntu-24.04","location":"fsn1","public_net":{"enable_ipv4":true,"enable_ipv6":true,"ipv4":%d}}`, inNbg.ID), 400, "invalid_input"},
		{"an IPv4 Primary IP as IPv6", "POST", "/servers", fmt.Sprintf(`{"name":"s1","server_type":"cx22","image":"ubuntu-24.04","location":"fsn1","public_net":{"enable_ipv4":true,"enable_ipv6":true,"ipv6":%d}}`, free.ID), 400, "invalid_input"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := e.raw(tc.method, tc.path, tc.body)
			require.Equal(t, tc.status, status, body)
			require.Contains(t, body, `"code":"`+tc.code+`"`)
		})
	}
	require.Len(t, e.fake.Created(KindServer), 4, "no refused server was created")

	// Assign, unassign and auto_delete change what the server shows.
	e.do(c.PrimaryIP.Assign(ctx, hcloud.PrimaryIPAssignOpts{ID: free.ID, AssigneeID: bare.ID, AssigneeType: "server"}))
	got, _, err := c.Server.GetByID(ctx, bare.ID)
	require.NoError(t, err)
	require.Equal(t, free.IP.String(), got.PublicNet.IPv4.IP.String())
	e.do(c.PrimaryIP.Unassign(ctx, free.ID))
	e.do(c.PrimaryIP.Unassign(ctx, free.ID)) // a second time changes nothing
	got, _, err = c.Server.GetByID(ctx, bare.ID)
	require.NoError(t, err)
	require.True(t, got.PublicNet.IPv4.IsUnspecified())
	res, _, err := c.Server.DeleteWithResult(ctx, holder)
	require.NoError(t, err)
	e.wait(res.Action)
	gone, _, err := c.PrimaryIP.GetByID(ctx, auto.ID)
	require.NoError(t, err)
	require.Nil(t, gone, "auto_delete: deleted with its server")

	e.do(c.PrimaryIP.ChangeProtection(ctx, hcloud.PrimaryIPChangeProtectionOpts{ID: free.ID, Delete: true}))
	_, err = c.PrimaryIP.Delete(ctx, free)
	requireAPIError(t, err, hcloud.ErrorCodeProtected, http.StatusForbidden)

	// Every answer, refusals included, is one the API's description allows.
	sc := newSpecChecker(t)
	for _, ex := range rec.all() {
		require.NoError(t, sc.check(ex), "%s %s -> %d: %s", ex.Method, ex.Path, ex.Status, ex.Body)
	}
}

// Hetzner's 32,768-byte limit on user data, at create and at rebuild,
// answered as the API does: invalid_input naming the field.
func TestUserDataLimit(t *testing.T) {
	e := newEnv(t, Options{})
	for _, tc := range []struct {
		name  string
		size  int
		valid bool
	}{{"at the limit", maxUserData, true}, {"one byte over", maxUserData + 1, false}} {
		t.Run(tc.name, func(t *testing.T) {
			data := "#cloud-config\n" + strings.Repeat("#", tc.size-len("#cloud-config\n"))
			body, err := json.Marshal(map[string]any{"name": fmt.Sprintf("ud-%d", tc.size), "server_type": "cx22", "image": "ubuntu-24.04", "user_data": data})
			require.NoError(t, err)
			status, resp := e.raw("POST", "/servers", string(body))
			if tc.valid {
				require.Equal(t, http.StatusCreated, status, resp)
				return
			}
			require.Equal(t, http.StatusBadRequest, status)
			require.JSONEq(t, `{"error":{"code":"invalid_input","message":"invalid input in field 'user_data'",
				"details":{"fields":[{"name":"user_data","messages":["is longer than 32768 bytes"]}]}}}`, resp)
			srv, _, err := e.client.Server.GetByName(e.ctx, "ud-32768")
			require.NoError(t, err)
			rebuild, err := json.Marshal(map[string]any{"image": "ubuntu-24.04", "user_data": data})
			require.NoError(t, err)
			status, resp = e.raw("POST", fmt.Sprintf("/servers/%d/actions/rebuild", srv.ID), string(rebuild))
			require.Equal(t, http.StatusBadRequest, status, resp)
			require.Contains(t, resp, `"name":"user_data"`)
		})
	}
}

// Routes are state: add_route shows in the network, delete_route takes it
// away, and what the API refuses leaves the routes as they were.
func TestNetworkRoutes(t *testing.T) {
	e := newEnv(t, Options{})
	c, ctx := e.client, e.ctx
	nw, _, err := c.Network.Create(ctx, hcloud.NetworkCreateOpts{Name: "net", IPRange: cidr(t, "10.0.0.0/16")})
	require.NoError(t, err)
	route := func(dst, gw string) hcloud.NetworkRoute {
		return hcloud.NetworkRoute{Destination: cidr(t, dst), Gateway: net.ParseIP(gw)}
	}
	routes := func() []string {
		got, _, err := c.Network.GetByID(ctx, nw.ID)
		require.NoError(t, err)
		var out []string
		for _, r := range got.Routes {
			out = append(out, r.Destination.String()+"->"+r.Gateway.String())
		}
		return out
	}
	for _, dst := range []string{"10.1.0.0/16", "10.44.0.0/16", "10.45.0.0/16"} {
		e.do(c.Network.AddRoute(ctx, nw, hcloud.NetworkAddRouteOpts{Route: route(dst, "10.0.1.2")}))
	}
	require.Equal(t, []string{"10.1.0.0/16->10.0.1.2", "10.44.0.0/16->10.0.1.2", "10.45.0.0/16->10.0.1.2"}, routes())
	require.Len(t, e.fake.Live()[KindNetworkRoute], 3)

	for _, tc := range []struct {
		name, path, body string
		status           int
	}{
		{"a gateway outside the network", "add_route", `{"destination":"10.2.0.0/16","gateway":"192.168.0.1"}`, 400},
		{"the network's own gateway", "add_route", `{"destination":"10.2.0.0/16","gateway":"10.0.0.1"}`, 400},
		{"not a destination", "add_route", `{"destination":"ten","gateway":"10.0.1.2"}`, 400},
		{"a route that is not there", "delete_route", `{"destination":"10.9.0.0/16","gateway":"10.0.1.2"}`, 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := e.raw("POST", fmt.Sprintf("/networks/%d/actions/%s", nw.ID, tc.path), tc.body)
			require.Equal(t, tc.status, status, body)
		})
	}
	require.Len(t, routes(), 3)
	e.do(c.Network.DeleteRoute(ctx, nw, hcloud.NetworkDeleteRouteOpts{Route: route("10.44.0.0/16", "10.0.1.2")}))
	require.Equal(t, []string{"10.1.0.0/16->10.0.1.2", "10.45.0.0/16->10.0.1.2"}, routes())
}
