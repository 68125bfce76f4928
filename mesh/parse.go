package mesh

import (
	"bufio"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/openova-io/core/secret"
)

// Parse reads a wg-quick configuration, as Render writes it and as wg-quick
// reads it: sections [Interface] and [Peer], "Key = Value" lines with keys
// in any case, '#' comments, blank lines, comma-separated lists, and list
// keys (Address, AllowedIPs) that may repeat. Keys this package does not
// write (DNS, Table, MTU, ...) are refused rather than dropped, so a
// configuration that parses is one that means what Config says. Endpoints
// are IP:port, as the gateways' Primary IPs are. Errors name the line and
// never quote a private or preshared key.
func Parse(text secret.Text) (Config, error) {
	var c Config
	section := ""
	sc := bufio.NewScanner(strings.NewReader(text.Reveal()))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "[") {
			switch strings.ToLower(line) {
			case "[interface]":
				if section != "" {
					return Config{}, fmt.Errorf("line %d: [Interface] must come once, first", n)
				}
				section = "interface"
			case "[peer]":
				if section == "" {
					return Config{}, fmt.Errorf("line %d: [Peer] before [Interface]", n)
				}
				section = "peer"
				c.Peers = append(c.Peers, Peer{})
			default:
				return Config{}, fmt.Errorf("line %d: unknown section %q", n, line)
			}
			continue
		}
		key, value, found := strings.Cut(line, "=")
		if !found {
			return Config{}, fmt.Errorf("line %d: not a section nor a \"Key = Value\" line", n)
		}
		key, value = strings.ToLower(strings.TrimSpace(key)), strings.TrimSpace(value)
		var err error
		switch section {
		case "interface":
			err = c.Interface.set(key, value)
		case "peer":
			err = c.Peers[len(c.Peers)-1].set(key, value)
		default:
			err = fmt.Errorf("%q outside a section", key)
		}
		if err != nil {
			return Config{}, fmt.Errorf("line %d: %w", n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return Config{}, fmt.Errorf("read configuration: %w", err)
	}
	if section == "" {
		return Config{}, fmt.Errorf("no [Interface] section")
	}
	return c, c.Validate()
}

// set applies one line of [Interface].
func (in *Interface) set(key, value string) error {
	switch key {
	case "privatekey":
		if in.PrivateKey != "" {
			return fmt.Errorf("PrivateKey given twice")
		}
		if _, err := decodeKey(value); err != nil {
			return fmt.Errorf("PrivateKey %w", err)
		}
		in.PrivateKey = secret.Text(value)
	case "address":
		ps, err := prefixes("Address", value, false)
		if err != nil {
			return err
		}
		in.Addresses = append(in.Addresses, ps...)
	case "listenport":
		if in.ListenPort != 0 {
			return fmt.Errorf("ListenPort given twice")
		}
		port, err := strconv.ParseUint(value, 10, 16)
		if err != nil || port == 0 {
			return fmt.Errorf("ListenPort %q is not a UDP port (1-65535)", value)
		}
		in.ListenPort = int(port)
	case "postup":
		in.PostUp = append(in.PostUp, value)
	case "postdown":
		in.PostDown = append(in.PostDown, value)
	default:
		return fmt.Errorf("[Interface] key %q is not one openova writes", key)
	}
	return nil
}

// set applies one line of [Peer].
func (p *Peer) set(key, value string) error {
	switch key {
	case "publickey":
		if p.PublicKey != "" {
			return fmt.Errorf("PublicKey given twice")
		}
		if _, err := decodeKey(value); err != nil {
			return fmt.Errorf("PublicKey %w", err)
		}
		p.PublicKey = value
	case "presharedkey":
		if p.PresharedKey != "" {
			return fmt.Errorf("PresharedKey given twice")
		}
		if _, err := decodeKey(value); err != nil {
			return fmt.Errorf("PresharedKey %w", err)
		}
		p.PresharedKey = secret.Text(value)
	case "endpoint":
		if p.Endpoint.IsValid() {
			return fmt.Errorf("the Endpoint is given twice")
		}
		ap, err := netip.ParseAddrPort(value)
		if err != nil || ap.Port() == 0 {
			return fmt.Errorf("the Endpoint %q is not an IP address and port such as 203.0.113.7:51820", value)
		}
		p.Endpoint = ap
	case "allowedips":
		ps, err := prefixes("AllowedIPs", value, true)
		if err != nil {
			return err
		}
		p.AllowedIPs = append(p.AllowedIPs, ps...)
	case "persistentkeepalive":
		if p.PersistentKeepalive != 0 {
			return fmt.Errorf("PersistentKeepalive given twice")
		}
		if value == "off" {
			return nil
		}
		s, err := strconv.ParseUint(value, 10, 16)
		if err != nil {
			return fmt.Errorf("PersistentKeepalive %q is not 0-65535 seconds or off", value)
		}
		p.PersistentKeepalive = int(s)
	default:
		return fmt.Errorf("[Peer] key %q is not one openova writes", key)
	}
	return nil
}

// prefixes parses a comma-separated list of prefixes; masked asks that
// none has host bits set (AllowedIPs are networks; an Address is not).
func prefixes(key, value string, masked bool) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(value, ",") {
		f = strings.TrimSpace(f)
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("%s %q is not a prefix such as 10.44.0.0/16", key, f)
		}
		if masked && p != p.Masked() {
			return nil, fmt.Errorf("%s %s has host bits set: use %s", key, p, p.Masked())
		}
		out = append(out, p)
	}
	return out, nil
}
