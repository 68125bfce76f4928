package fakehcloud

import (
	"slices"

	"github.com/hetznercloud/hcloud-go/v2/hcloud/schema"
)

// GET /pricing answers what everything costs, per location. It is also
// where the API says in which locations a Primary IP can be had: the
// primary_ips prices list, per IP type, only the locations that offer
// them, so a location of Options.NoPrimaryIPs has no price there (and
// creating one there is refused, see primaryIPLocation).
//
// The response is built here rather than from schema.Pricing, which still
// carries fields the API no longer returns (traffic, a Primary IP's
// datacenter) and that the OpenAPI description does not have.

type pricingResponse struct {
	Pricing pricing `json:"pricing"`
}

type pricing struct {
	Currency          string                           `json:"currency"`
	VATRate           string                           `json:"vat_rate"`
	Image             schema.PricingImage              `json:"image"`
	FloatingIP        schema.PricingFloatingIP         `json:"floating_ip"`
	FloatingIPs       []schema.PricingFloatingIPType   `json:"floating_ips"`
	PrimaryIPs        []pricingPrimaryIP               `json:"primary_ips"`
	ServerBackup      schema.PricingServerBackup       `json:"server_backup"`
	ServerTypes       []schema.PricingServerType       `json:"server_types"`
	LoadBalancerTypes []schema.PricingLoadBalancerType `json:"load_balancer_types"`
	Volume            schema.PricingVolume             `json:"volume"`
}

type pricingPrimaryIP struct {
	Type   string                  `json:"type"`
	Prices []pricingPrimaryIPPrice `json:"prices"`
}

type pricingPrimaryIPPrice struct {
	Location     string       `json:"location"`
	PriceHourly  schema.Price `json:"price_hourly"`
	PriceMonthly schema.Price `json:"price_monthly"`
}

// getPricing is GET /pricing.
func (s *Server) getPricing(*call) (any, error) {
	p := pricing{
		Currency: "EUR", VATRate: "19.00",
		Image:        schema.PricingImage{PricePerGBMonth: price(0.0119)},
		FloatingIP:   schema.PricingFloatingIP{PriceMonthly: price(3)},
		ServerBackup: schema.PricingServerBackup{Percentage: "20.00"},
		Volume:       schema.PricingVolume{PricePerGBPerMonth: price(0.044)},
	}
	for _, ipType := range []struct {
		name      string
		hourlyNet float64
	}{{"ipv4", 0.0008}, {"ipv6", 0}} {
		fip := schema.PricingFloatingIPType{Type: ipType.name}
		pip := pricingPrimaryIP{Type: ipType.name}
		for _, l := range locations {
			fip.Prices = append(fip.Prices, schema.PricingFloatingIPTypePrice{Location: l.Name, PriceMonthly: price(3)})
			if !slices.Contains(s.opts.NoPrimaryIPs, l.Name) {
				pip.Prices = append(pip.Prices, pricingPrimaryIPPrice{Location: l.Name,
					PriceHourly: price(ipType.hourlyNet), PriceMonthly: price(ipType.hourlyNet * 730)})
			}
		}
		p.FloatingIPs = append(p.FloatingIPs, fip)
		p.PrimaryIPs = append(p.PrimaryIPs, pip)
	}
	for _, st := range serverTypes() {
		p.ServerTypes = append(p.ServerTypes, schema.PricingServerType{ID: st.ID, Name: st.Name, Prices: st.Prices})
	}
	for _, lt := range loadBalancerTypes() {
		p.LoadBalancerTypes = append(p.LoadBalancerTypes, schema.PricingLoadBalancerType{ID: lt.ID, Name: lt.Name, Prices: lt.Prices})
	}
	return pricingResponse{p}, nil
}
