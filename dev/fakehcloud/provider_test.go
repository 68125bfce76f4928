package fakehcloud

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/dev/testenv"
)

// providerConfig is the provider of the configurations below, pinned to
// the version dev/dev.sh builds and pointed at the fake.
const providerConfig = `
terraform {
  required_providers {
    hcloud = {
      source  = "hetznercloud/hcloud"
      version = "= 1.68.0"
    }
  }
}

variable "endpoint" { type = string }
variable "token" {
  type      = string
  sensitive = true
}

provider "hcloud" {
  endpoint      = var.endpoint
  token         = var.token
  poll_function = "constant"
  poll_interval = "50ms"
}
`

// gatewayConfig is what the link between regions needs of the cloud: a
// Primary IP fixed before the gateway exists, the gateway created with it,
// and a network route sending the other region's networks to the
// gateway.
const gatewayConfig = providerConfig + `
resource "hcloud_primary_ip" "gw" {
  name          = "gw-fsn1"
  type          = "ipv4"
  location      = "fsn1"
  assignee_type = "server"
  auto_delete   = false
}

resource "hcloud_network" "net" {
  name     = "net"
  ip_range = "10.0.0.0/16"
}

resource "hcloud_network_subnet" "nodes" {
  network_id   = hcloud_network.net.id
  type         = "cloud"
  network_zone = "eu-central"
  ip_range     = "10.0.1.0/24"
}

resource "hcloud_server" "gw" {
  name        = "gw"
  server_type = "cx22"
  image       = "ubuntu-24.04"
  location    = "fsn1"
  public_net {
    ipv4_enabled = true
    ipv4         = hcloud_primary_ip.gw.id
    ipv6_enabled = false
  }
  network {
    network_id = hcloud_network.net.id
    ip         = "10.0.1.2"
  }
  depends_on = [hcloud_network_subnet.nodes]
}

resource "hcloud_network_route" "far" {
  for_each    = toset(["10.1.0.0/16", "10.44.0.0/16", "10.45.0.0/16"])
  network_id  = hcloud_network.net.id
  destination = each.value
  gateway     = "10.0.1.2"
  depends_on  = [hcloud_server.gw]
}

output "gateway_ip" { value = hcloud_server.gw.ipv4_address }
output "primary_ip" { value = hcloud_primary_ip.gw.ip_address }
`

// The real provider (built from source) creates a Primary IP, a server
// that uses it and the routes through it; a second plan finds nothing to
// change (so what the fake answers reads back as what was asked), and
// destroy leaves nothing.
func TestProviderGatewayWithPrimaryIP(t *testing.T) {
	fake := New(Options{ActionRunningReports: 1})
	t.Cleanup(fake.Close)
	run := newTofu(t, fake, gatewayConfig).run
	out, code := run("init", "-input=false", "-no-color")
	require.Zero(t, code, out)
	out, code = run("apply", "-auto-approve", "-input=false", "-no-color")
	require.Zero(t, code, out)

	ip, code := run("output", "-raw", "primary_ip")
	require.Zero(t, code, ip)
	gw, code := run("output", "-raw", "gateway_ip")
	require.Zero(t, code, gw)
	require.Equal(t, strings.TrimSpace(ip), strings.TrimSpace(gw), "the gateway's public address is its Primary IP")
	req, ok := fake.ServerCreateRequest("gw")
	require.True(t, ok)
	require.NotNil(t, req.PublicNet)
	require.NotZero(t, req.PublicNet.IPv4ID)
	live := fake.Live()
	require.Equal(t, []string{"gw-fsn1"}, live[KindPrimaryIP])
	require.Equal(t, []string{"net:10.1.0.0/16->10.0.1.2", "net:10.44.0.0/16->10.0.1.2", "net:10.45.0.0/16->10.0.1.2"}, live[KindNetworkRoute])

	out, code = run("plan", "-detailed-exitcode", "-input=false", "-no-color")
	require.Zero(t, code, "a second plan has changes:\n%s", out)

	out, code = run("destroy", "-auto-approve", "-input=false", "-no-color")
	require.Zero(t, code, out)
	require.Empty(t, fake.Live())
	require.Equal(t, 1, fake.CreateCount(KindPrimaryIP, "gw-fsn1"))
	require.NotContains(t, out, fake.Token())
}

// tofuDir is a directory holding a configuration, in which the real tofu
// runs with the provider mirror and the fake's endpoint and token (as the
// variables endpoint and token).
type tofuDir struct {
	t    *testing.T
	fake *Server
	bin  string
	env  map[string]string
	dir  string
}

// newTofu writes config to a fresh directory. The test is skipped (failed
// under CI) if tofu or the provider mirror is not built.
func newTofu(t *testing.T, fake *Server, config string) *tofuDir {
	t.Helper()
	d := &tofuDir{t: t, fake: fake, bin: testenv.Bin(t, "tofu"), env: testenv.TofuEnv(t), dir: t.TempDir()}
	d.write(config)
	return d
}

// write replaces the configuration, as someone editing main.tf would.
func (d *tofuDir) write(config string) {
	d.t.Helper()
	require.NoError(d.t, os.WriteFile(filepath.Join(d.dir, "main.tf"), []byte(config), 0o600))
}

// run runs tofu with args and answers its output and exit code.
func (d *tofuDir) run(args ...string) (string, int) {
	t := d.t
	t.Helper()
	cmd := exec.CommandContext(t.Context(), d.bin, args...)
	cmd.Dir = d.dir
	cmd.Env = append(os.Environ(), "TF_IN_AUTOMATION=1", "TF_VAR_endpoint="+d.fake.URL(), "TF_VAR_token="+d.fake.Token())
	for k, v := range d.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return out.String(), ee.ExitCode()
	}
	require.NoError(t, err, out.String())
	return out.String(), 0
}
