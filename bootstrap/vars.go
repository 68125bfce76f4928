package bootstrap

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/openova-io/core/secret"
)

// ModuleVars are the input variables of the contract every provider module
// shares (terraform/modules/contract/variables.tf), one field per
// variable, named by its json tag; TestModuleVarsMatchTheContract holds
// the two to the same names and types. A field with omitempty leaves its
// variable to the module's default when unset; the others are always
// written. Secrets are secret.Text, so the struct prints masked; Values is
// the one place their values come out, for the variables file the runner
// writes.
type ModuleVars struct {
	Organization      string      `json:"organization"`
	Domain            string      `json:"domain"`
	DNSZone           string      `json:"dns_zone,omitempty"`
	Region            string      `json:"region"`
	Role              string      `json:"role"`
	ControlPlaneCount int         `json:"control_plane_count"`
	WorkerCount       int         `json:"worker_count"`
	ControlPlaneSize  string      `json:"control_plane_size"`
	WorkerSize        string      `json:"worker_size"`
	SSHPublicKey      string      `json:"ssh_public_key"`
	ClusterCA         ClusterCA   `json:"cluster_ca"`
	JoinToken         secret.Text `json:"join_token"`
	AgentToken        secret.Text `json:"agent_token"`
	K3sVersion        string      `json:"k3s_version,omitempty"`
	K3sReleaseURL     string      `json:"k3s_release_url,omitempty"`
	NodeCIDR          string      `json:"node_cidr"`
	PodCIDR           string      `json:"pod_cidr"`
	ServiceCIDR       string      `json:"service_cidr"`
	APIPort           int         `json:"api_port,omitempty"`
	GiteaPort         int         `json:"gitea_port,omitempty"`
	ManagerPort       int         `json:"manager_port,omitempty"`
	Link              *Link       `json:"link,omitempty"`
	LinkWGConf        secret.Text `json:"link_wg_conf,omitempty"`
	Cilium            *Cilium     `json:"cilium,omitempty"`
}

// ClusterCA is the cluster_ca variable: the CAs the nodes' k3s uses
// (ClusterPKI's, without the admin certificate).
type ClusterCA struct {
	ServerCACert string      `json:"server_ca_cert"`
	ServerCAKey  secret.Text `json:"server_ca_key"`
	ClientCACert string      `json:"client_ca_cert"`
	ClientCAKey  secret.Text `json:"client_ca_key"`
}

// Link is the link variable: the site-to-site WireGuard link to the other
// region (nil with one region: no gateway address, route or open port).
// The gateway's wg0.conf, which holds its private key, is apart in
// ModuleVars.LinkWGConf: OpenTofu refuses sensitive values where count and
// for_each decide what exists, and this decides.
type Link struct {
	// PeerAddress is the other gateway's public IPv4 (its Primary IP);
	// "" until that exists (the plan shown for approval).
	PeerAddress string `json:"peer_address"`
	// PeerCIDRs are the other region's node, pod and service networks,
	// routed to this region's gateway.
	PeerCIDRs []string `json:"peer_cidrs"`
	// Port is the UDP port WireGuard listens on (mesh.Port).
	Port int `json:"port"`
}

// Cilium is the cilium variable: the CNI's chart and the region's cluster
// ID (nil keeps k3s's flannel).
type Cilium struct {
	ChartRepository string `json:"chart_repository"`
	ChartVersion    string `json:"chart_version"`
	ClusterID       int    `json:"cluster_id"`
}

// Values are the variables as the variables file holds them, secrets
// revealed: the JSON form of v read back into maps, numbers as written.
func (v ModuleVars) Values() (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("module variables: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out map[string]any
	if err := dec.Decode(&out); err != nil {
		return nil, fmt.Errorf("module variables: %w", err)
	}
	return out, nil
}

// Secrets are the values of every secret.Text field of v, each also line
// by line (tofu prints line by line, so a PEM key is redacted per line):
// the runner redacts them from everything tofu prints. Found by type, so a
// secret variable added later is redacted without another list to keep.
func (v ModuleVars) Secrets() []string {
	var out []string
	var walk func(reflect.Value)
	walk = func(x reflect.Value) {
		switch {
		case x.Type() == reflect.TypeFor[secret.Text]():
			if s := x.String(); s != "" {
				out = append(out, s)
				for _, l := range strings.Split(s, "\n") {
					if len(l) >= 16 {
						out = append(out, l)
					}
				}
			}
		case x.Kind() == reflect.Pointer:
			if !x.IsNil() {
				walk(x.Elem())
			}
		case x.Kind() == reflect.Struct:
			for i := range x.NumField() {
				walk(x.Field(i))
			}
		case x.Kind() == reflect.Slice:
			for i := range x.Len() {
				walk(x.Index(i))
			}
		}
	}
	walk(reflect.ValueOf(v))
	return out
}
