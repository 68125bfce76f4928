package fakehcloud

import (
	"fmt"
	"slices"

	"github.com/hetznercloud/hcloud-go/v2/hcloud/schema"
)

// serviceChange is a service as add_service, update_service and the
// create request give it: every field optional. The schema's request
// types differ only in which fields are pointers, so all three convert
// into this one.
type serviceChange struct {
	Protocol        *string `json:"protocol"`
	ListenPort      *int    `json:"listen_port"`
	DestinationPort *int    `json:"destination_port"`
	Proxyprotocol   *bool   `json:"proxyprotocol"`
	HTTP            *struct {
		CookieName     *string  `json:"cookie_name"`
		CookieLifetime *int     `json:"cookie_lifetime"`
		Certificates   *[]int64 `json:"certificates"`
		RedirectHTTP   *bool    `json:"redirect_http"`
		StickySessions *bool    `json:"sticky_sessions"`
		TimeoutIdle    *int     `json:"timeout_idle"`
	} `json:"http"`
	HealthCheck *struct {
		Protocol *string `json:"protocol"`
		Port     *int    `json:"port"`
		Interval *int    `json:"interval"`
		Timeout  *int    `json:"timeout"`
		Retries  *int    `json:"retries"`
		HTTP     *struct {
			Domain      *string   `json:"domain"`
			Path        *string   `json:"path"`
			Response    *string   `json:"response"`
			StatusCodes *[]string `json:"status_codes"`
			TLS         *bool     `json:"tls"`
		} `json:"http"`
	} `json:"health_check"`
}

// set copies *p to *dst if p is not nil.
func set[T any](dst *T, p *T) {
	if p != nil {
		*dst = *p
	}
}

// validPort reports whether p is a TCP port.
func validPort(p int) bool { return p >= 1 && p <= 65535 }

// applyService changes svc as ch asks, filling in what the API defaults:
// ports from the protocol, HTTP settings for HTTP(S) services and a health
// check every 15 s on the destination port.
func applyService(svc *schema.LoadBalancerService, ch serviceChange) error {
	set(&svc.Protocol, ch.Protocol)
	switch svc.Protocol {
	case "tcp", "http", "https":
	default:
		return errInvalid("protocol", "must be tcp, http or https")
	}
	set(&svc.ListenPort, ch.ListenPort)
	if svc.ListenPort == 0 {
		svc.ListenPort = map[string]int{"http": 80, "https": 443}[svc.Protocol]
	}
	set(&svc.DestinationPort, ch.DestinationPort)
	if svc.DestinationPort == 0 {
		svc.DestinationPort = map[string]int{"tcp": svc.ListenPort, "http": 80, "https": 80}[svc.Protocol]
	}
	if !validPort(svc.ListenPort) || !validPort(svc.DestinationPort) {
		return errInvalid("listen_port", "ports must be between 1 and 65535")
	}
	set(&svc.Proxyprotocol, ch.Proxyprotocol)
	switch {
	case svc.Protocol == "tcp":
		svc.HTTP = nil
	case svc.HTTP == nil:
		svc.HTTP = &schema.LoadBalancerServiceHTTP{CookieName: "HCLBSTICKY", CookieLifetime: 300, Certificates: []int64{}}
	}
	if h := ch.HTTP; h != nil && svc.HTTP != nil {
		set(&svc.HTTP.CookieName, h.CookieName)
		set(&svc.HTTP.CookieLifetime, h.CookieLifetime)
		set(&svc.HTTP.Certificates, h.Certificates)
		set(&svc.HTTP.RedirectHTTP, h.RedirectHTTP)
		set(&svc.HTTP.StickySessions, h.StickySessions)
		set(&svc.HTTP.TimeoutIdle, h.TimeoutIdle)
	}
	if svc.HealthCheck == nil {
		proto := map[string]string{"tcp": "tcp", "http": "http", "https": "http"}[svc.Protocol]
		svc.HealthCheck = &schema.LoadBalancerServiceHealthCheck{Protocol: proto, Port: svc.DestinationPort,
			Interval: 15, Timeout: 10, Retries: 3}
	}
	hc := svc.HealthCheck
	if ch.HealthCheck != nil {
		set(&hc.Protocol, ch.HealthCheck.Protocol)
		set(&hc.Port, ch.HealthCheck.Port)
		set(&hc.Interval, ch.HealthCheck.Interval)
		set(&hc.Timeout, ch.HealthCheck.Timeout)
		set(&hc.Retries, ch.HealthCheck.Retries)
	}
	switch hc.Protocol {
	case "tcp":
		hc.HTTP = nil
	case "http":
		if hc.HTTP == nil {
			hc.HTTP = &schema.LoadBalancerServiceHealthCheckHTTP{Path: "/", StatusCodes: []string{"2??", "3??"}}
		}
		if ch.HealthCheck != nil && ch.HealthCheck.HTTP != nil {
			h := ch.HealthCheck.HTTP
			set(&hc.HTTP.Domain, h.Domain)
			set(&hc.HTTP.Path, h.Path)
			set(&hc.HTTP.Response, h.Response)
			set(&hc.HTTP.StatusCodes, h.StatusCodes)
			set(&hc.HTTP.TLS, h.TLS)
		}
	default:
		return errInvalid("health_check", "protocol must be tcp or http")
	}
	if !validPort(hc.Port) || hc.Interval < 3 || hc.Timeout < 1 || hc.Retries < 0 {
		return errInvalid("health_check", "invalid port, interval, timeout or retries")
	}
	return nil
}

// addService adds a service; listen ports are unique per load balancer.
func (s *Server) addService(lb *schema.LoadBalancer, ch serviceChange) error {
	if ch.Protocol == nil {
		return errInvalid("protocol", "is required")
	}
	if *ch.Protocol == "tcp" && ch.ListenPort == nil {
		return errInvalid("listen_port", "is required for tcp services")
	}
	var svc schema.LoadBalancerService
	if err := applyService(&svc, ch); err != nil {
		return err
	}
	if slices.ContainsFunc(lb.Services, func(o schema.LoadBalancerService) bool { return o.ListenPort == svc.ListenPort }) {
		return newError("source_port_already_used", "listen port %d is already used", svc.ListenPort)
	}
	if len(lb.Services) >= lb.LoadBalancerType.MaxServices {
		return newError("resource_limit_exceeded", "load balancer %s has no room for more services", lb.Name)
	}
	lb.Services = append(lb.Services, svc)
	return nil
}

// addServiceAction is POST /load_balancers/{id}/actions/add_service.
func (s *Server) addServiceAction(c *call) (any, error) {
	var req schema.LoadBalancerActionAddServiceRequest
	lb, err := loadBalancerCall(s, c, &req)
	if err != nil {
		return nil, err
	}
	var ch serviceChange
	if err := convert(req, &ch); err != nil {
		return nil, err
	}
	if err := s.addService(lb, ch); err != nil {
		return nil, err
	}
	port := lb.Services[len(lb.Services)-1].ListenPort
	s.log.created(KindLoadBalancerService, fmt.Sprintf("%s:%d", lb.Name, port))
	return actionResponse(s.newAction("add_service", ref("load_balancer", lb.ID))), nil
}

// updateServiceAction is POST /load_balancers/{id}/actions/update_service.
func (s *Server) updateServiceAction(c *call) (any, error) {
	var req schema.LoadBalancerActionUpdateServiceRequest
	lb, err := loadBalancerCall(s, c, &req)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(lb.Services, func(o schema.LoadBalancerService) bool { return o.ListenPort == req.ListenPort })
	if i < 0 {
		return nil, errNotFound(fmt.Sprintf("service on port %d", req.ListenPort))
	}
	var ch serviceChange
	if err := convert(req, &ch); err != nil {
		return nil, err
	}
	svc := lb.Services[i]
	if svc.HTTP != nil {
		h := *svc.HTTP
		svc.HTTP = &h
	}
	hc := *svc.HealthCheck
	svc.HealthCheck = &hc
	if hc.HTTP != nil {
		h := *hc.HTTP
		hc.HTTP = &h
	}
	if err := applyService(&svc, ch); err != nil {
		return nil, err
	}
	lb.Services[i] = svc
	return actionResponse(s.newAction("update_service", ref("load_balancer", lb.ID))), nil
}

// deleteServiceAction is POST /load_balancers/{id}/actions/delete_service.
func (s *Server) deleteServiceAction(c *call) (any, error) {
	var req schema.LoadBalancerDeleteServiceRequest
	lb, err := loadBalancerCall(s, c, &req)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(lb.Services, func(o schema.LoadBalancerService) bool { return o.ListenPort == req.ListenPort })
	if i < 0 {
		return nil, errNotFound(fmt.Sprintf("service on port %d", req.ListenPort))
	}
	lb.Services = slices.Delete(lb.Services, i, i+1)
	return actionResponse(s.newAction("delete_service", ref("load_balancer", lb.ID))), nil
}
