//lint:file-ignore SA1019 hcloud-go deprecates datacenters, which the API still serves; the fake answers for them.

package fakehcloud

import (
	"slices"

	"github.com/hetznercloud/hcloud-go/v2/hcloud/schema"
)

// datacenterNames are the one datacenter of each location, by location.
var datacenterNames = []struct {
	id          int64
	name, descr string
}{
	{4, "fsn1-dc14", "Falkenstein 1 virtual DC 14"},
	{2, "nbg1-dc3", "Nuremberg 1 virtual DC 3"},
	{3, "hel1-dc2", "Helsinki 1 virtual DC 2"},
	{5, "ash-dc1", "Ashburn virtual DC 1"},
	{6, "hil-dc1", "Hillsboro virtual DC 1"},
	{7, "sin-dc1", "Singapore virtual DC 1"},
}

// datacenters are derived from locations and server types, so the
// server types each lists agree with where the types are available.
func datacenters() []schema.Datacenter {
	out := make([]schema.Datacenter, 0, len(locations))
	for i, l := range locations {
		var ids []int64
		for _, st := range serverTypes() {
			if slices.ContainsFunc(st.Locations, func(sl schema.ServerTypeLocation) bool { return sl.ID == l.ID }) {
				ids = append(ids, st.ID)
			}
		}
		dc := datacenterNames[i]
		out = append(out, schema.Datacenter{
			ID: dc.id, Name: dc.name, Description: dc.descr, Location: l,
			ServerTypes: &schema.DatacenterServerTypes{Supported: ids, Available: ids, AvailableForMigration: ids},
		})
	}
	return out
}

// listDatacenters is GET /datacenters. The API's answer also recommends
// a datacenter, which schema.DatacenterListResponse has no field for:
// fsn1-dc14.
func (s *Server) listDatacenters(c *call) (any, error) {
	return catalogList(c, datacenters(), func(d *schema.Datacenter) string { return d.Name },
		func(p []schema.Datacenter, m schema.MetaResponse) any {
			return struct {
				schema.DatacenterListResponse
				schema.MetaResponse
				Recommendation int64 `json:"recommendation"`
			}{schema.DatacenterListResponse{Datacenters: p}, m, datacenterNames[0].id}
		})
}

// getDatacenter is GET /datacenters/{id}.
func (s *Server) getDatacenter(c *call) (any, error) {
	return catalogGet(c, datacenters(), func(d *schema.Datacenter) int64 { return d.ID }, "datacenter",
		func(d schema.Datacenter) any { return schema.DatacenterGetResponse{Datacenter: d} })
}
