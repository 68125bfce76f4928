package fakehcloud

import (
	"slices"

	"github.com/hetznercloud/hcloud-go/v2/hcloud/schema"
)

// rrsetCall starts an RRSet action: the zone and RRSet of the path and
// the decoded body.
func rrsetCall(s *Server, c *call, req any) (*zone, *schema.ZoneRRSet, error) {
	z, r, err := s.pathRRSet(c)
	if err != nil {
		return nil, nil, err
	}
	if err := c.decode(req); err != nil {
		return nil, nil, err
	}
	return z, r, nil
}

// errChangeProtected is the answer to changing or deleting an RRSet with
// change protection.
func errChangeProtected(r *schema.ZoneRRSet) *apiError {
	return newError("protected", "RRSet %s is protected against changes", r.ID)
}

// setRRSetRecords is POST .../rrsets/{rr_name}/{rr_type}/actions/set_records:
// the records replace the RRSet's, which is how the provider changes a
// record's value in place.
func (s *Server) setRRSetRecords(c *call) (any, error) {
	var req schema.ZoneRRSetSetRecordsRequest
	z, r, err := rrsetCall(s, c, &req)
	if err != nil {
		return nil, err
	}
	if r.Protection.Change {
		return nil, errChangeProtected(r)
	}
	if len(req.Records) > maxRecords {
		return nil, errInvalid("records", "at most %d records", maxRecords)
	}
	if err := validRecords(r.Type, req.Records); err != nil {
		return nil, err
	}
	r.Records = slices.Clone(req.Records)
	return actionResponse(s.newAction("set_rrset_records", ref("zone", z.ID))), nil
}

// changeRRSetTTL is POST .../rrsets/{rr_name}/{rr_type}/actions/change_ttl;
// a null ttl makes the RRSet use the zone's.
func (s *Server) changeRRSetTTL(c *call) (any, error) {
	var req schema.ZoneRRSetChangeTTLRequest
	z, r, err := rrsetCall(s, c, &req)
	if err != nil {
		return nil, err
	}
	if r.Protection.Change {
		return nil, errChangeProtected(r)
	}
	if err := validTTL(req.TTL); err != nil {
		return nil, err
	}
	r.TTL = req.TTL
	return actionResponse(s.newAction("change_rrset_ttl", ref("zone", z.ID))), nil
}

// changeRRSetProtection is POST .../rrsets/{rr_name}/{rr_type}/actions/change_protection.
func (s *Server) changeRRSetProtection(c *call) (any, error) {
	var req schema.ZoneRRSetChangeProtectionRequest
	z, r, err := rrsetCall(s, c, &req)
	if err != nil {
		return nil, err
	}
	if req.Change == nil {
		return nil, errInvalid("change", "is required")
	}
	r.Protection.Change = *req.Change
	return actionResponse(s.newAction("change_rrset_protection", ref("zone", z.ID))), nil
}
