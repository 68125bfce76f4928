package fakehcloud

import (
	"slices"
	"strconv"
	"time"

	"github.com/hetznercloud/hcloud-go/v2/hcloud/schema"
)

// state is everything the fake holds; Server.mu guards it. Resources are
// kept in their API form where nothing about them is derived; what the
// API computes from relations (a network's servers, a firewall's matched
// servers, a server's firewalls) is computed when a response is rendered.
type state struct {
	lastID     int64
	lastAction int64
	lastIPv4   int
	lastMAC    int

	sshKeys         map[int64]*schema.SSHKey
	placementGroups map[int64]*schema.PlacementGroup
	networks        map[int64]*schema.Network
	firewalls       map[int64]*schema.Firewall
	servers         map[int64]*server
	loadBalancers   map[int64]*schema.LoadBalancer
	primaryIPs      map[int64]*schema.PrimaryIP
	zones           map[int64]*zone
	actions         map[int64]*action
}

// server is a server as stored: its API form plus what the API keeps but
// does not show (user data, whether each public interface exists, the
// placement group by ID).
type server struct {
	schema.Server
	publicIPv4     bool
	publicIPv6     bool
	placementGroup int64
	userData       string
}

func newState() *state {
	return &state{
		lastID:          1000,
		sshKeys:         map[int64]*schema.SSHKey{},
		placementGroups: map[int64]*schema.PlacementGroup{},
		networks:        map[int64]*schema.Network{},
		firewalls:       map[int64]*schema.Firewall{},
		servers:         map[int64]*server{},
		loadBalancers:   map[int64]*schema.LoadBalancer{},
		primaryIPs:      map[int64]*schema.PrimaryIP{},
		zones:           map[int64]*zone{},
		actions:         map[int64]*action{},
	}
}

// newID is the next resource ID; IDs only grow and are never reused.
func (st *state) newID() int64 {
	st.lastID++
	return st.lastID
}

// now is the time stamped on resources and actions, to the second like
// the API's.
func now() time.Time { return time.Now().UTC().Truncate(time.Second) }

// sorted returns the values of m in ID order, the API's default order.
func sorted[T any](m map[int64]*T) []*T {
	ids := make([]int64, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := make([]*T, 0, len(ids))
	for _, id := range ids {
		out = append(out, m[id])
	}
	return out
}

// find returns the value of m for which match is true, nil if none.
func find[T any](m map[int64]*T, match func(*T) bool) *T {
	for _, v := range sorted(m) {
		if match(v) {
			return v
		}
	}
	return nil
}

// pathID is a numeric path parameter; a malformed one names no resource.
func (c *call) pathID(name, what string) (int64, error) {
	id, err := strconv.ParseInt(c.r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, errNotFound(what)
	}
	return id, nil
}

// lookup finds the resource named by the {id} path parameter.
func lookup[T any](c *call, m map[int64]*T, what string) (*T, error) {
	id, err := c.pathID("id", what)
	if err != nil {
		return nil, err
	}
	v, ok := m[id]
	if !ok {
		return nil, errNotFound(what)
	}
	return v, nil
}

// labelsOrEmpty is the labels the API shows: never null.
func labelsOrEmpty(l map[string]string) map[string]string {
	if l == nil {
		return map[string]string{}
	}
	return l
}

// labelsFrom copies the labels of a request, validated.
func labelsFrom(l *map[string]string) (map[string]string, error) {
	out := map[string]string{}
	if l == nil {
		return out, nil
	}
	for k, v := range *l {
		if err := validLabel(k, v); err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}
