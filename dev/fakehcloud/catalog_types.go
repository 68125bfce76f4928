package fakehcloud

import (
	"slices"
	"time"

	"github.com/hetznercloud/hcloud-go/v2/hcloud/schema"
)

// plan is a server type of the catalog in brief.
type plan struct {
	id                 int64
	name, cpu, arch    string
	cores, disk        int
	memory, hourlyNet  float64
	locations          []string
	descr, storageType string
}

var (
	euOnly   = []string{"fsn1", "nbg1", "hel1"}
	anywhere = []string{"fsn1", "nbg1", "hel1", "ash", "hil", "sin"}
)

// plans are a few real server types: shared Intel (cx, EU only), shared
// AMD (cpx, everywhere) and Ampere arm64 (cax, EU only).
var plans = []plan{
	{22, "cpx11", "shared", "x86", 2, 40, 2, 0.0073, anywhere, "CPX 11", "local"},
	{23, "cpx21", "shared", "x86", 3, 80, 4, 0.0127, anywhere, "CPX 21", "local"},
	{24, "cpx31", "shared", "x86", 4, 160, 8, 0.0230, anywhere, "CPX 31", "local"},
	{45, "cax11", "shared", "arm", 2, 40, 4, 0.0063, euOnly, "CAX11", "local"},
	{93, "cax21", "shared", "arm", 4, 80, 8, 0.0111, euOnly, "CAX21", "local"},
	{104, "cx22", "shared", "x86", 2, 40, 4, 0.0060, euOnly, "CX22", "local"},
	{105, "cx32", "shared", "x86", 4, 80, 8, 0.0113, euOnly, "CX32", "local"},
}

// serverTypes renders the plans as the API shows server types.
func serverTypes() []schema.ServerType {
	out := make([]schema.ServerType, 0, len(plans))
	for _, p := range plans {
		st := schema.ServerType{
			ID: p.id, Name: p.name, Description: p.descr, Category: "shared", Cores: p.cores,
			Memory: float32(p.memory), Disk: p.disk, StorageType: p.storageType, CPUType: p.cpu,
			Architecture: p.arch,
		}
		for _, name := range p.locations {
			l, _ := location(name)
			st.Locations = append(st.Locations, schema.ServerTypeLocation{ID: l.ID, Name: l.Name, Available: true, Recommended: true})
			st.Prices = append(st.Prices, schema.PricingServerTypePrice{
				Location: l.Name, PriceHourly: price(p.hourlyNet), PriceMonthly: price(p.hourlyNet * 730),
				IncludedTraffic: includedTraffic(l), PricePerTBTraffic: price(1),
			})
		}
		out = append(out, st)
	}
	return out
}

// serverType finds a server type by ID or name.
func serverType(o schema.IDOrName) (schema.ServerType, bool) {
	for _, st := range serverTypes() {
		if (o.ID != 0 && st.ID == o.ID) || (o.Name != "" && st.Name == o.Name) {
			return st, true
		}
	}
	return schema.ServerType{}, false
}

// availableIn reports whether the server type can be created in a location.
func availableIn(st schema.ServerType, l schema.Location) bool {
	return slices.ContainsFunc(st.Locations, func(sl schema.ServerTypeLocation) bool { return sl.ID == l.ID })
}

// images are the system images of a few distributions, for both
// architectures like the API's (one name, one image per architecture).
func images() []schema.Image {
	created := time.Date(2024, 4, 25, 12, 0, 0, 0, time.UTC)
	var out []schema.Image
	for i, d := range []struct{ name, flavor, version, descr string }{
		{"ubuntu-24.04", "ubuntu", "24.04", "Ubuntu 24.04"},
		{"ubuntu-22.04", "ubuntu", "22.04", "Ubuntu 22.04"},
		{"debian-12", "debian", "12", "Debian 12"},
	} {
		for j, arch := range []string{"x86", "arm"} {
			out = append(out, schema.Image{
				ID: 161547269 + int64(2*i+j), Status: "available", Type: "system", Name: &d.name,
				Description: d.descr, DiskSize: 5, Created: &created, OSFlavor: d.flavor,
				OSVersion: &d.version, Architecture: arch, RapidDeploy: true, Labels: map[string]string{},
			})
		}
	}
	return out
}

// image finds an image by ID, or by name for an architecture.
func image(o schema.IDOrName, arch string) (schema.Image, bool) {
	for _, im := range images() {
		if (o.ID != 0 && im.ID == o.ID) || (o.Name != "" && *im.Name == o.Name && im.Architecture == arch) {
			return im, true
		}
	}
	return schema.Image{}, false
}

// loadBalancerTypes are the API's three load balancer types.
func loadBalancerTypes() []schema.LoadBalancerType {
	out := make([]schema.LoadBalancerType, 0, 3)
	for i, t := range []struct {
		name                        string
		conns, svcs, targets, certs int
		hourlyNet                   float64
	}{
		{"lb11", 10000, 5, 25, 10, 0.0088},
		{"lb21", 20000, 15, 75, 25, 0.0264},
		{"lb31", 40000, 30, 150, 50, 0.0528},
	} {
		lt := schema.LoadBalancerType{
			ID: int64(i + 1), Name: t.name, Description: "LB" + t.name[2:], MaxConnections: t.conns,
			MaxServices: t.svcs, MaxTargets: t.targets, MaxAssignedCertificates: t.certs,
		}
		for _, l := range locations {
			lt.Prices = append(lt.Prices, schema.PricingLoadBalancerTypePrice{
				Location: l.Name, PriceHourly: price(t.hourlyNet), PriceMonthly: price(t.hourlyNet * 730),
				IncludedTraffic: includedTraffic(l), PricePerTBTraffic: price(1),
			})
		}
		out = append(out, lt)
	}
	return out
}

// loadBalancerType finds a load balancer type by ID or name.
func loadBalancerType(o schema.IDOrName) (schema.LoadBalancerType, bool) {
	for _, lt := range loadBalancerTypes() {
		if (o.ID != 0 && lt.ID == o.ID) || (o.Name != "" && lt.Name == o.Name) {
			return lt, true
		}
	}
	return schema.LoadBalancerType{}, false
}

// listServerTypes is GET /server_types.
func (s *Server) listServerTypes(c *call) (any, error) {
	return catalogList(c, serverTypes(), func(t *schema.ServerType) string { return t.Name },
		func(p []schema.ServerType, m schema.MetaResponse) any {
			return struct {
				schema.ServerTypeListResponse
				schema.MetaResponse
			}{schema.ServerTypeListResponse{ServerTypes: p}, m}
		})
}

// getServerType is GET /server_types/{id}.
func (s *Server) getServerType(c *call) (any, error) {
	return catalogGet(c, serverTypes(), func(t *schema.ServerType) int64 { return t.ID }, "server type",
		func(t schema.ServerType) any { return schema.ServerTypeGetResponse{ServerType: t} })
}

// listImages is GET /images, filtered by name, architecture, type and
// status as hcloud-go asks when it resolves an image for a server type.
func (s *Server) listImages(c *call) (any, error) {
	q := c.r.URL.Query()
	var kept []schema.Image
	for _, im := range images() {
		if (len(q["architecture"]) == 0 || slices.Contains(q["architecture"], im.Architecture)) &&
			(len(q["type"]) == 0 || slices.Contains(q["type"], im.Type)) &&
			(len(q["status"]) == 0 || slices.Contains(q["status"], im.Status)) {
			kept = append(kept, im)
		}
	}
	return catalogList(c, kept, func(im *schema.Image) string { return *im.Name },
		func(p []schema.Image, m schema.MetaResponse) any {
			return struct {
				schema.ImageListResponse
				schema.MetaResponse
			}{schema.ImageListResponse{Images: p}, m}
		})
}

// getImage is GET /images/{id}.
func (s *Server) getImage(c *call) (any, error) {
	return catalogGet(c, images(), func(im *schema.Image) int64 { return im.ID }, "image",
		func(im schema.Image) any { return schema.ImageGetResponse{Image: im} })
}

// listLoadBalancerTypes is GET /load_balancer_types.
func (s *Server) listLoadBalancerTypes(c *call) (any, error) {
	return catalogList(c, loadBalancerTypes(), func(t *schema.LoadBalancerType) string { return t.Name },
		func(p []schema.LoadBalancerType, m schema.MetaResponse) any {
			return struct {
				schema.LoadBalancerTypeListResponse
				schema.MetaResponse
			}{schema.LoadBalancerTypeListResponse{LoadBalancerTypes: p}, m}
		})
}

// getLoadBalancerType is GET /load_balancer_types/{id}.
func (s *Server) getLoadBalancerType(c *call) (any, error) {
	return catalogGet(c, loadBalancerTypes(), func(t *schema.LoadBalancerType) int64 { return t.ID }, "load balancer type",
		func(t schema.LoadBalancerType) any { return schema.LoadBalancerTypeGetResponse{LoadBalancerType: t} })
}
