package fakehcloud

import (
	"fmt"
	"strconv"

	"github.com/hetznercloud/hcloud-go/v2/hcloud/schema"
)

// locations are the API's six locations, with the IDs, descriptions,
// network zones and coordinates the API returns for them.
var locations = []schema.Location{
	{ID: 1, Name: "fsn1", Description: "Falkenstein DC Park 1", Country: "DE", City: "Falkenstein",
		Latitude: 50.47612, Longitude: 12.370071, NetworkZone: "eu-central"},
	{ID: 2, Name: "nbg1", Description: "Nuremberg DC Park 1", Country: "DE", City: "Nuremberg",
		Latitude: 49.452102, Longitude: 11.076665, NetworkZone: "eu-central"},
	{ID: 3, Name: "hel1", Description: "Helsinki DC Park 1", Country: "FI", City: "Helsinki",
		Latitude: 60.169855, Longitude: 24.938379, NetworkZone: "eu-central"},
	{ID: 4, Name: "ash", Description: "Ashburn, VA", Country: "US", City: "Ashburn, VA",
		Latitude: 39.045821, Longitude: -77.487073, NetworkZone: "us-east"},
	{ID: 5, Name: "hil", Description: "Hillsboro, OR", Country: "US", City: "Hillsboro, OR",
		Latitude: 45.54222, Longitude: -122.951924, NetworkZone: "us-west"},
	{ID: 6, Name: "sin", Description: "Singapore", Country: "SG", City: "Singapore",
		Latitude: 1.283333, Longitude: 103.833333, NetworkZone: "ap-southeast"},
}

// location finds a location by name or ID.
func location(idOrName string) (schema.Location, bool) {
	for _, l := range locations {
		if l.Name == idOrName || strconv.FormatInt(l.ID, 10) == idOrName {
			return l, true
		}
	}
	return schema.Location{}, false
}

// catalogList answers a list route of the catalog: name filter and pages.
func catalogList[T any](c *call, items []T, name func(*T) string, wrap func([]T, schema.MetaResponse) any) (any, error) {
	ptrs := make([]*T, len(items))
	for i := range items {
		ptrs[i] = &items[i]
	}
	page, meta, err := listPage(c, ptrs, name, nil, func(t *T) T { return *t })
	if err != nil {
		return nil, err
	}
	return wrap(page, meta), nil
}

// catalogGet answers a get route of the catalog by numeric ID.
func catalogGet[T any](c *call, items []T, id func(*T) int64, what string, wrap func(T) any) (any, error) {
	want, err := c.pathID("id", what)
	if err != nil {
		return nil, err
	}
	for i := range items {
		if id(&items[i]) == want {
			return wrap(items[i]), nil
		}
	}
	return nil, errNotFound(what)
}

// listLocations is GET /locations.
func (s *Server) listLocations(c *call) (any, error) {
	return catalogList(c, locations, func(l *schema.Location) string { return l.Name },
		func(p []schema.Location, m schema.MetaResponse) any {
			return struct {
				schema.LocationListResponse
				schema.MetaResponse
			}{schema.LocationListResponse{Locations: p}, m}
		})
}

// getLocation is GET /locations/{id}.
func (s *Server) getLocation(c *call) (any, error) {
	return catalogGet(c, locations, func(l *schema.Location) int64 { return l.ID }, "location",
		func(l schema.Location) any { return schema.LocationGetResponse{Location: l} })
}

// price is a price of the API: net and gross (19% VAT) as strings.
func price(net float64) schema.Price {
	return schema.Price{Net: fmt.Sprintf("%.4f", net), Gross: fmt.Sprintf("%.4f", net*1.19)}
}

// tb is a terabyte in bytes, the unit of included traffic.
const tb = 1 << 40

// includedTraffic is what a plan includes per month in a location: 20 TB
// in the EU, 1 TB elsewhere.
func includedTraffic(l schema.Location) uint64 {
	if l.NetworkZone == "eu-central" {
		return 20 * tb
	}
	return 1 * tb
}
