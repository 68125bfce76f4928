package fakehcloud

import (
	"encoding/binary"
	"fmt"
	"net"

	"github.com/hetznercloud/hcloud-go/v2/hcloud/schema"
)

// privateRanges are the RFC 1918 ranges a network's ip_range must lie in.
var privateRanges = []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"}

// parseNet parses an IPv4 CIDR into its canonical network.
func parseNet(s string) (*net.IPNet, bool) {
	_, n, err := net.ParseCIDR(s)
	if err != nil || n.IP.To4() == nil {
		return nil, false
	}
	return n, true
}

// u32 and ipString convert between an IPv4 address and a number.
func u32(ip net.IP) uint32 { return binary.BigEndian.Uint32(ip.To4()) }

func ipString(u uint32) string {
	b := make(net.IP, 4)
	binary.BigEndian.PutUint32(b, u)
	return b.String()
}

// bounds are the first and last address of a network.
func bounds(n *net.IPNet) (uint32, uint32) {
	ones, bits := n.Mask.Size()
	first := u32(n.IP)
	return first, first + uint32(1)<<(bits-ones) - 1
}

// within reports whether inner lies entirely in outer.
func within(inner, outer *net.IPNet) bool {
	a, b := bounds(inner)
	c, d := bounds(outer)
	return a >= c && b <= d
}

// overlap reports whether two networks share an address.
func overlap(x, y *net.IPNet) bool {
	a, b := bounds(x)
	c, d := bounds(y)
	return a <= d && c <= b
}

// isPrivate reports whether n lies in an RFC 1918 range.
func isPrivate(n *net.IPNet) bool {
	for _, r := range privateRanges {
		pr, _ := parseNet(r)
		if within(n, pr) {
			return true
		}
	}
	return false
}

// gateway is the address the API gives every subnet of a network as its
// gateway: the first host of the network's range.
func gateway(nw *schema.Network) string {
	n, _ := parseNet(nw.IPRange)
	first, _ := bounds(n)
	return ipString(first + 1)
}

// usedIPs are the addresses taken in a network: servers' IPs and alias
// IPs and load balancers' IPs.
func (s *Server) usedIPs(netID int64) map[string]bool {
	used := map[string]bool{}
	for _, srv := range s.st.servers {
		for _, pn := range srv.PrivateNet {
			if pn.Network == netID {
				used[pn.IP] = true
				for _, a := range pn.AliasIPs {
					used[a] = true
				}
			}
		}
	}
	for _, lb := range s.st.loadBalancers {
		for _, pn := range lb.PrivateNet {
			if pn.Network == netID {
				used[pn.IP] = true
			}
		}
	}
	return used
}

// allocIP picks a network IP for a server or load balancer in network
// zone zone: want if given (it must lie in a subnet and be free), else the
// first free host of the subnet ipRange names or of the first subnet in
// that zone, skipping the gateway.
func (s *Server) allocIP(nw *schema.Network, zone, want, ipRange string) (string, error) {
	var subnets []*net.IPNet
	for _, sn := range nw.Subnets {
		n, _ := parseNet(sn.IPRange)
		switch {
		case ipRange != "":
			if want, ok := parseNet(ipRange); ok && want.String() == n.String() {
				subnets = append(subnets, n)
			}
		case sn.NetworkZone == zone && sn.Type != "vswitch":
			subnets = append(subnets, n)
		}
	}
	if ipRange != "" && len(subnets) == 0 {
		return "", errInvalid("ip_range", "network %s has no subnet %s", nw.Name, ipRange)
	}
	if len(subnets) == 0 {
		return "", newError("no_subnet_available", "network %s has no subnet in network zone %s", nw.Name, zone)
	}
	used := s.usedIPs(nw.ID)
	used[gateway(nw)] = true
	if want != "" {
		ip := net.ParseIP(want)
		if ip == nil || ip.To4() == nil {
			return "", errInvalid("ip", "invalid IP %q", want)
		}
		for _, n := range subnets {
			if n.Contains(ip) {
				if used[ip.String()] {
					return "", newError("ip_not_available", "IP %s is already used", want)
				}
				return ip.String(), nil
			}
		}
		return "", errInvalid("ip", "IP %s is not in a subnet of network %s", want, nw.Name)
	}
	for _, n := range subnets {
		first, last := bounds(n)
		for u := first + 1; u < last; u++ {
			if !used[ipString(u)] {
				return ipString(u), nil
			}
		}
	}
	return "", newError("no_subnet_available", "no free IP left in network %s", nw.Name)
}

// newMAC is a locally administered MAC address like the API's 86:00:...
func (s *Server) newMAC() string {
	s.st.lastMAC++
	n := s.st.lastMAC
	return fmt.Sprintf("86:00:00:%02x:%02x:%02x", byte(n>>16), byte(n>>8), byte(n))
}

// publicIPv4 is the public address of a new server or load balancer.
func (s *Server) publicIPv4(kind, name string) string {
	if s.opts.PublicIPv4 != nil {
		if ip := s.opts.PublicIPv4(kind, name); ip != "" {
			return ip
		}
	}
	if kind == KindLoadBalancer {
		return "127.0.0.1"
	}
	s.st.lastIPv4++
	return fmt.Sprintf("203.0.113.%d", 1+(s.st.lastIPv4-1)%254)
}

// reverseDNS is the API's default PTR name for a public IPv4.
func reverseDNS(ip string) string {
	p := net.ParseIP(ip).To4()
	if p == nil {
		return ""
	}
	return fmt.Sprintf("static.%d.%d.%d.%d.clients.your-server.de", p[3], p[2], p[1], p[0])
}

// parseIP parses an IPv4 address, nil if it is none.
func parseIP(s string) net.IP {
	ip := net.ParseIP(s)
	if ip == nil {
		return nil
	}
	return ip.To4()
}
