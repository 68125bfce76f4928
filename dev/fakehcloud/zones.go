package fakehcloud

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"

	"github.com/hetznercloud/hcloud-go/v2/hcloud/schema"
)

// DNS zones are part of the Cloud API since 2025. openova does not create
// zones: the platform's domain is bought and delegated to Hetzner outside
// any run, and a run only adds records to it (data "hcloud_zone" and
// hcloud_zone_rrset). So zones exist from New (Options.Zones) and are
// served to read; their RRSets are served to create, change and delete.
// The SOA and NS RRSets the API keeps at a zone's apex are not modelled:
// no test of openova reads them, and they would show in every Live.

// zone is a zone as stored: its API form and its RRSets by ID.
type zone struct {
	schema.Zone
	rrsets map[string]*schema.ZoneRRSet // by ID, "name/TYPE"
}

// hetznerNameservers are the authoritative nameservers the API assigns to
// a zone in primary mode.
var hetznerNameservers = []string{"hydrogen.ns.hetzner.com.", "oxygen.ns.hetzner.com.", "helium.ns.hetzner.de."}

// defaultZoneTTL is the TTL of a zone created without one, and so of its
// RRSets without their own.
const defaultZoneTTL = 3600

// zoneName is what the API takes as a zone name: lower case, at least two
// labels (subdomains of a public suffix), no final dot, at most 255
// characters (checked apart).
var zoneName = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// addZone creates a zone in primary mode, as Options.Zones asks. A name
// the API would refuse, or a zone given twice, is a bug in the test and
// panics rather than leaving a zone the real API could never have.
func (st *state) addZone(name string) {
	if len(name) > 255 || !zoneName.MatchString(name) {
		panic(fmt.Sprintf("fakehcloud: Options.Zones: %q is not a zone name (lower case, no final dot, like acme.example)", name))
	}
	if find(st.zones, func(z *zone) bool { return z.Name == name }) != nil {
		panic(fmt.Sprintf("fakehcloud: Options.Zones: %q is given twice", name))
	}
	t := now()
	z := &zone{Zone: schema.Zone{ID: st.newID(), Name: name, Created: t, TTL: defaultZoneTTL, Mode: "primary",
		Labels: map[string]string{}, Registrar: "other", Status: "ok",
		AuthoritativeNameservers: schema.ZoneAuthoritativeNameservers{Assigned: hetznerNameservers,
			Delegated: hetznerNameservers, DelegationLastCheck: t, DelegationStatus: "valid"}},
		rrsets: map[string]*schema.ZoneRRSet{}}
	st.zones[z.ID] = z
}

// renderZone is the zone as the API shows it: lists never null, and the
// number of records in its RRSets.
func renderZone(z *zone) schema.Zone {
	out := z.Zone
	out.Labels = labelsOrEmpty(z.Labels)
	out.PrimaryNameservers = []schema.ZonePrimaryNameserver{}
	out.AuthoritativeNameservers.Assigned = slices.Clone(z.AuthoritativeNameservers.Assigned)
	out.AuthoritativeNameservers.Delegated = slices.Clone(z.AuthoritativeNameservers.Delegated)
	out.RecordCount = 0
	for _, r := range z.rrsets {
		out.RecordCount += len(r.Records)
	}
	return out
}

// pathZone is the zone of the {id_or_name} path parameter: a number is an
// ID, anything else a name (a zone name always has a dot).
func (s *Server) pathZone(c *call) (*zone, error) {
	v := c.r.PathValue("id_or_name")
	if id, err := strconv.ParseInt(v, 10, 64); err == nil {
		if z, ok := s.st.zones[id]; ok {
			return z, nil
		}
		return nil, errNotFound("zone")
	}
	if z := find(s.st.zones, func(z *zone) bool { return z.Name == v }); z != nil {
		return z, nil
	}
	return nil, errNotFound("zone")
}

// listZones is GET /zones, also filtered by mode.
func (s *Server) listZones(c *call) (any, error) {
	items := sorted(s.st.zones)
	if mode := c.r.URL.Query().Get("mode"); mode != "" {
		items = slicesFilter(items, func(z *zone) bool { return z.Mode == mode })
	}
	page, meta, err := listPage(c, items, func(z *zone) string { return z.Name },
		func(z *zone) map[string]string { return z.Labels }, renderZone)
	if err != nil {
		return nil, err
	}
	return struct {
		schema.ZoneListResponse
		schema.MetaResponse
	}{schema.ZoneListResponse{Zones: page}, meta}, nil
}

// getZone is GET /zones/{id_or_name}, which the provider's hcloud_zone
// data source reads by name.
func (s *Server) getZone(c *call) (any, error) {
	z, err := s.pathZone(c)
	if err != nil {
		return nil, err
	}
	return schema.ZoneGetResponse{Zone: renderZone(z)}, nil
}
