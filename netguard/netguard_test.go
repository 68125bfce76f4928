package netguard

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCheckURL(t *testing.T) {
	dev := Policy{AllowHTTP: true}
	cases := []struct {
		name   string
		policy Policy
		url    string
		also   []string
		err    string // "" admits
	}{
		{"https name", Policy{}, "https://catalog.example.com/index.yaml", nil, ""},
		{"https private address", Policy{}, "https://10.0.0.5:8443/index.yaml", nil, ""},
		{"https loopback", Policy{}, "https://127.0.0.1/x", nil, ""},
		{"http refused by default", Policy{}, "http://catalog.example.com/index.yaml", nil, "give an https URL (openova allows http only with --allow-http-fetch"},
		{"http in development", dev, "http://127.0.0.1:8080/index.yaml", nil, ""},
		{"ftp", dev, "ftp://x/y", nil, `"ftp" is not a scheme openova fetches with: give an https URL`},
		{"ssh only where asked for", Policy{}, "ssh://git@git.example.com/p.git", nil, "give an https URL"},
		{"ssh for Git", Policy{}, "ssh://git@git.example.com/p.git", []string{"ssh"}, ""},
		{"file never", dev, "file:///etc/passwd", []string{"ssh"}, "give an https or ssh URL"},
		{"no host", Policy{}, "https:///x", nil, "has no host"},
		{"not a URL", Policy{}, "https://[::1", nil, "does not parse"},
		{"metadata over http", dev, "http://169.254.169.254/", nil, "169.254.169.254 is a link-local address"},
		{"metadata over https", Policy{}, "https://169.254.169.254/latest/meta-data/", nil, "169.254.169.254 is a link-local address"},
		{"metadata, default policy, http", Policy{}, "http://169.254.169.254/", nil, "plain http"},
		{"link-local", Policy{}, "https://169.254.10.1/", nil, "link-local"},
		{"IPv6 link-local", Policy{}, "https://[fe80::1]/", nil, "fe80::1 is a link-local address"},
		{"IPv6 link-local with zone", Policy{}, "https://[fe80::1%25eth0]/", nil, "link-local"},
		{"AWS IPv6 metadata", Policy{}, "https://[fd00:ec2::254]/", nil, "fd00:ec2::254 is a cloud metadata address"},
		{"GCP IPv6 metadata", Policy{}, "https://[fd20:ce::254]/", nil, "cloud metadata address"},
		{"Alibaba metadata", Policy{}, "https://100.100.100.200/latest/meta-data/", nil, "100.100.100.200 is a cloud metadata address"},
		{"Azure WireServer", Policy{}, "https://168.63.129.16/", nil, "cloud metadata address"},
		{"IPv4-mapped metadata", Policy{}, "https://[::ffff:169.254.169.254]/", nil, "169.254.169.254 is a link-local address"},
		{"NAT64 metadata", Policy{}, "https://[64:ff9b::a9fe:a9fe]/", nil, "169.254.169.254 is a link-local address"},
		{"6to4 metadata", Policy{}, "https://[2002:a9fe:a9fe::1]/", nil, "169.254.169.254 is a link-local address"},
		{"GCP metadata name", Policy{}, "https://metadata.google.internal/computeMetadata/v1/", nil, "names a cloud metadata service"},
		{"GCP metadata name, upper case, trailing dot", Policy{}, "https://METADATA.google.internal./", nil, "names a cloud metadata service"},
		{"bare metadata name", Policy{}, "https://metadata/", nil, "names a cloud metadata service"},
		{"decimal address", Policy{}, "https://2852039166/", nil, "neither a host name nor an IP address in the usual form"},
		{"hex address", Policy{}, "https://0xa9fea9fe/", nil, "usual form"},
		{"short dotted address", Policy{}, "https://169.254.43518/", nil, "usual form"},
		{"unspecified", Policy{}, "https://0.0.0.0/", nil, "not the address of a server"},
		{"unspecified IPv6 with a zone ending in a dot (found by FuzzCheckURL)", Policy{}, "https://[::%25.]/", nil, "not the address of a server"},
		{"multicast", Policy{}, "https://[ff02::1]/", nil, "not the address of a server"},
		{"a name with digits is a name", Policy{}, "https://git01.example.com/", nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.policy.CheckURL(tc.url, tc.also...)
			if tc.err == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tc.err)
			var refused *Error
			require.ErrorAs(t, err, &refused)
		})
	}
}

// A refusal names the host, never the URL: a URL may carry credentials.
func TestCheckURLNeverRepeatsCredentials(t *testing.T) {
	for _, raw := range []string{"http://u:hunter2@git.example.com/p.git?token=hunter2", "https://u:hunter2@169.254.169.254/?token=hunter2", "ftp://u:hunter2@x/"} {
		err := Policy{}.CheckURL(raw)
		require.Error(t, err)
		require.NotContains(t, err.Error(), "hunter2")
	}
}

func TestSameOrigin(t *testing.T) {
	cases := []struct {
		from, to string
		same     bool
	}{
		{"https://git.example.com/a.git", "https://git.example.com/b.git", true},
		{"https://git.example.com/a.git", "https://GIT.example.com:443/a.git", true},
		{"http://git.example.com/a.git", "https://git.example.com/a.git", true},
		{"https://git.example.com/a.git", "http://git.example.com/a.git", false},
		{"http://git.example.com:8080/a.git", "https://git.example.com:8443/a.git", false},
		{"https://git.example.com/a.git", "https://git.example.com:8443/a.git", false},
		{"https://git.example.com/a.git", "https://evil.example.com/a.git", false},
		{"https://git.example.com/a.git", "https://git.example.com.evil.example/a.git", false},
		{"http://127.0.0.1:3000/a.git", "http://127.0.0.1:3001/a.git", false},
	}
	for _, tc := range cases {
		from, err := url.Parse(tc.from)
		require.NoError(t, err)
		to, err := url.Parse(tc.to)
		require.NoError(t, err)
		require.Equal(t, tc.same, SameOrigin(from, to), "%s -> %s", tc.from, tc.to)
	}
}

// A host that is not an address but carries a zone (only a literal IPv6
// address may) is refused by name, as a host name never holds a '%'.
func TestCheckHostRefusesAZoneOnANonAddress(t *testing.T) {
	for _, h := range []string{"host%eth0", "[git.example.com%25]"} {
		err := CheckHost(h)
		require.Error(t, err, h)
		require.ErrorContains(t, err, "neither a host name nor an IP address")
	}
	require.NoError(t, CheckHost("git.example.com."))
}
