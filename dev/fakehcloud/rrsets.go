package fakehcloud

import (
	"maps"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/hetznercloud/hcloud-go/v2/hcloud/schema"
)

// An RRSet is all records of one name and type in a zone. It has no
// number: its ID is "name/TYPE", and paths name it by both. The provider's
// hcloud_zone_rrset creates it with its records and changes it in place
// (records with set_records, TTL with change_ttl, labels with PUT), so a
// new address is no replacement and the name never resolves to nothing
// in between.

// rrsetTypes are the types the API supports.
var rrsetTypes = []string{"A", "AAAA", "CAA", "CNAME", "DS", "HINFO", "HTTPS", "MX", "NS", "PTR", "RP", "SOA", "SRV",
	"SVCB", "TLSA", "TXT"}

// The bounds of an RRSet's TTL, in seconds.
const (
	minTTL = 60
	maxTTL = 2147483647
)

// maxRecords is the most records set_records takes.
const maxRecords = 50

// rrsetLabel is one label of a record name: letters in lower case, digits,
// hyphens inside and underscores (for _acme-challenge and SRV names).
// validRRSetName also takes "*" as the first label, for a wildcard.
var rrsetLabel = regexp.MustCompile(`^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$`)

// validRRSetName applies the API's rules for an RRSet's name: lower case,
// relative to the zone (no final dot, not ending in the zone's name), "@"
// for the apex.
func validRRSetName(z *zone, name string) error {
	switch {
	case name == "":
		return errInvalid("name", "is required")
	case name == "@":
		return nil
	case name != strings.ToLower(name):
		return errInvalid("name", "must be in lower case")
	case strings.HasSuffix(name, "."):
		return errInvalid("name", "must be relative to the zone, without a final dot")
	case name == z.Name:
		return errInvalid("name", "must be relative to the zone: use @ for %s", z.Name)
	case strings.HasSuffix(name, "."+z.Name):
		return errInvalid("name", "must be relative to the zone: use %q", strings.TrimSuffix(name, "."+z.Name))
	}
	for i, l := range strings.Split(name, ".") {
		if !rrsetLabel.MatchString(l) && (l != "*" || i > 0) {
			return errInvalid("name", "%q is not a valid record name", name)
		}
	}
	return nil
}

// validRRSetType checks a type, of a request or of a path.
func validRRSetType(typ string) error {
	if !slices.Contains(rrsetTypes, typ) {
		return errInvalid("type", "unsupported type %q: one of %s", typ, strings.Join(rrsetTypes, ", "))
	}
	return nil
}

// validTTL checks a TTL; none means the zone's.
func validTTL(ttl *int) error {
	if ttl != nil && (*ttl < minTTL || *ttl > maxTTL) {
		return errInvalid("ttl", "must be between %d and %d", minTTL, maxTTL)
	}
	return nil
}

// validRecords checks records for an RRSet of a type: at least one,
// distinct values, and the address an A or AAAA record holds.
func validRecords(typ string, records []schema.ZoneRRSetRecord) error {
	if len(records) == 0 {
		return errInvalid("records", "must not be empty")
	}
	seen := map[string]bool{}
	for _, r := range records {
		if r.Value == "" {
			return errInvalid("records", "a record value must not be empty")
		}
		if seen[r.Value] {
			return errInvalid("records", "%q is given more than once", r.Value)
		}
		seen[r.Value] = true
		addr, err := netip.ParseAddr(r.Value)
		switch {
		case typ == "A" && (err != nil || !addr.Is4()):
			return errInvalid("records", "%q is not an IPv4 address", r.Value)
		case typ == "AAAA" && (err != nil || !addr.Is6() || addr.Is4In6() || addr.Zone() != ""):
			return errInvalid("records", "%q is not an IPv6 address", r.Value)
		}
	}
	return nil
}

// rrsetKind is the name Created and Live give an RRSet: "zone:name/TYPE".
func rrsetKind(z *zone, id string) string { return z.Name + ":" + id }

// renderRRSet is the RRSet as the API shows it: labels never null.
func renderRRSet(r *schema.ZoneRRSet) schema.ZoneRRSet {
	out := *r
	out.Labels = labelsOrEmpty(r.Labels)
	out.Records = append([]schema.ZoneRRSetRecord{}, r.Records...)
	if r.TTL != nil {
		ttl := *r.TTL
		out.TTL = &ttl
	}
	return out
}

// pathRRSet is the zone and RRSet the path names. An unknown zone or
// RRSet is not_found, which hcloud-go turns into "gone" (nil).
func (s *Server) pathRRSet(c *call) (*zone, *schema.ZoneRRSet, error) {
	z, err := s.pathZone(c)
	if err != nil {
		return nil, nil, err
	}
	typ := c.r.PathValue("rr_type")
	if err := validRRSetType(typ); err != nil {
		return nil, nil, err
	}
	id := c.r.PathValue("rr_name") + "/" + typ
	c.kind, c.name = KindZoneRRSet, rrsetKind(z, id)
	r, ok := z.rrsets[id]
	if !ok {
		return nil, nil, errNotFound("RRSet")
	}
	return z, r, nil
}

// createRRSet is POST /zones/{id_or_name}/rrsets. Everything is checked
// before anything changes; a name and type already in the zone is
// uniqueness_error.
func (s *Server) createRRSet(c *call) (any, error) {
	z, err := s.pathZone(c)
	if err != nil {
		return nil, err
	}
	var req schema.ZoneRRSetCreateRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	id := req.Name + "/" + req.Type
	c.kind, c.name = KindZoneRRSet, rrsetKind(z, id)
	if err := validRRSetName(z, req.Name); err != nil {
		return nil, err
	}
	if err := validRRSetType(req.Type); err != nil {
		return nil, err
	}
	if err := validTTL(req.TTL); err != nil {
		return nil, err
	}
	if err := validRecords(req.Type, req.Records); err != nil {
		return nil, err
	}
	labels, err := labelsFrom(req.Labels)
	if err != nil {
		return nil, err
	}
	if _, taken := z.rrsets[id]; taken {
		return nil, errUnique("name", "RRSet "+id+" in zone "+z.Name)
	}
	r := &schema.ZoneRRSet{ID: id, Name: req.Name, Type: req.Type, TTL: req.TTL, Labels: labels,
		Records: slices.Clone(req.Records), Zone: z.ID}
	z.rrsets[id] = r
	s.log.created(KindZoneRRSet, c.name)
	a := s.newAction("create_rrset", ref("zone", z.ID))
	return schema.ZoneRRSetCreateResponse{RRSet: renderRRSet(r), Action: a}, nil
}

// listRRSets is GET /zones/{id_or_name}/rrsets, also filtered by type
// (repeatable). Its pages hold up to 100, not 50 like other lists.
func (s *Server) listRRSets(c *call) (any, error) {
	z, err := s.pathZone(c)
	if err != nil {
		return nil, err
	}
	q, err := parseList(c)
	if err != nil {
		return nil, err
	}
	if n, err := strconv.Atoi(c.r.URL.Query().Get("per_page")); err == nil && n > maxPerPage {
		q.perPage = min(n, 100)
	}
	types := c.r.URL.Query()["type"]
	var items []*schema.ZoneRRSet
	for _, id := range slices.Sorted(maps.Keys(z.rrsets)) {
		if r := z.rrsets[id]; len(types) == 0 || slices.Contains(types, r.Type) {
			items = append(items, r)
		}
	}
	kept := filter(items, q, func(r *schema.ZoneRRSet) string { return r.Name },
		func(r *schema.ZoneRRSet) map[string]string { return r.Labels })
	out := make([]schema.ZoneRRSet, 0, len(kept))
	for _, r := range kept {
		out = append(out, renderRRSet(r))
	}
	page, meta := paginate(out, q)
	return struct {
		schema.ZoneRRSetListResponse
		schema.MetaResponse
	}{schema.ZoneRRSetListResponse{RRSets: page}, meta}, nil
}

// getRRSet is GET /zones/{id_or_name}/rrsets/{rr_name}/{rr_type}.
func (s *Server) getRRSet(c *call) (any, error) {
	_, r, err := s.pathRRSet(c)
	if err != nil {
		return nil, err
	}
	return schema.ZoneRRSetGetResponse{RRSet: renderRRSet(r)}, nil
}

// updateRRSet is PUT /zones/{id_or_name}/rrsets/{rr_name}/{rr_type}:
// labels only. The provider sends it on every update, {} when the labels
// did not change. Labels are not what change protection guards.
func (s *Server) updateRRSet(c *call) (any, error) {
	_, r, err := s.pathRRSet(c)
	if err != nil {
		return nil, err
	}
	var req schema.ZoneRRSetUpdateRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if req.Labels != nil {
		labels, err := labelsFrom(req.Labels)
		if err != nil {
			return nil, err
		}
		r.Labels = labels
	}
	return schema.ZoneRRSetUpdateResponse{RRSet: renderRRSet(r)}, nil
}

// deleteRRSet is DELETE /zones/{id_or_name}/rrsets/{rr_name}/{rr_type},
// answered with an action; change protection refuses it.
func (s *Server) deleteRRSet(c *call) (any, error) {
	z, r, err := s.pathRRSet(c)
	if err != nil {
		return nil, err
	}
	if r.Protection.Change {
		return nil, errChangeProtected(r)
	}
	delete(z.rrsets, r.ID)
	return actionResponse(s.newAction("delete_rrset", ref("zone", z.ID))), nil
}
