package activities

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/Masterminds/semver/v3"
	"sigs.k8s.io/yaml"
)

// Where each region's Gitea runs and how it is reached. The region's load
// balancer passes TCP 3000 through to the NodePort (TLS ends in Gitea), so
// the bootstrap reaches https://<load balancer>:3000 and the other region's
// push mirror https://<gateway's private address>:30300 over the WireGuard
// link.
const (
	GiteaNamespace   = "gitea"
	GiteaAdminSecret = "gitea-admin" // keys username and password (the chart's gitea.admin.existingSecret)
	GiteaTLSSecret   = "gitea-tls"   // kubernetes.io/tls: tls.crt, tls.key
	GiteaHelmChart   = "gitea"       // the HelmChart in kube-system; also the Helm release's name
	GiteaNodePort    = 30300
	GiteaPort        = 3000
	// giteaTLSDir is where the gitea container mounts GiteaTLSSecret.
	giteaTLSDir = "/etc/gitea-tls"
	// giteaMirrorCAKey is the other region's CA in GiteaTLSSecret.
	giteaMirrorCAKey = "ca.crt"
)

// giteaSubcharts are the Bitnami subcharts of each major version of the
// Gitea chart (its Chart.yaml dependencies, each with a condition
// <name>.enabled). Their images were withdrawn in 2025 and no longer pull,
// so every one of them is turned off. Read upstream (gitea.com/gitea/helm-chart,
// mirrored on GitHub as project-mirrors/gitea-helm-chart): 10.x at
// 77aa11a3 (10.4.1) and 5c7e78b4 (10.6.0), the catalog's refs until issue
// 20; 11.x at 11.0.1; 12.x since "Migrate to Valkey from Redis" (#775,
// 6e4e414), and again at 12.6.0 and 12.7.0, the catalog's releases, as
// linode/apl-core vendors them (8f7c324b and 0514ace1). A chart major not
// listed here has not been read, and is refused rather than installed with
// a subchart left on.
var giteaSubcharts = map[uint64][]string{
	10: {"postgresql", "postgresql-ha", "redis", "redis-cluster"},
	11: {"postgresql", "postgresql-ha", "redis", "redis-cluster"},
	12: {"postgresql", "postgresql-ha", "valkey", "valkey-cluster"},
}

// giteaChartSubcharts are the subcharts of a chart version, or an error
// that says why the version cannot be installed.
func giteaChartSubcharts(version string) ([]string, error) {
	v, err := semver.StrictNewVersion(strings.TrimPrefix(version, "v"))
	if err != nil {
		return nil, fmt.Errorf("gitea chart version %q is not a semantic version", version)
	}
	subs, ok := giteaSubcharts[v.Major()]
	if !ok {
		return nil, fmt.Errorf("gitea chart %s: openova knows the subcharts of chart majors 10 to 12 only, and installs none it has not read (add its Bitnami subcharts to giteaSubcharts)", version)
	}
	return subs, nil
}

// giteaValues are the chart's values (keys read in the chart's values.yaml
// and templates at the versions above): one pod on SQLite, serving HTTPS
// with the mounted gitea-tls certificate on port 3000 behind NodePort 30300,
// the admin from the gitea-admin Secret. Nothing secret is in them, only
// the Secrets' names: the values travel in the HelmChart, which anyone who
// may read kube-system's HelmCharts can read.
type giteaValues struct {
	ReplicaCount int `json:"replicaCount"`
	// Recreate: a rolling update would run a second pod on the same
	// SQLite file (the chart's default is RollingUpdate with maxSurge 100%).
	Strategy                   map[string]string `json:"strategy"`
	Persistence                map[string]bool   `json:"persistence"`
	Service                    giteaService      `json:"service"`
	Test                       map[string]bool   `json:"test"`
	Gitea                      giteaSection      `json:"gitea"`
	ExtraVolumes               []map[string]any  `json:"extraVolumes"`
	ExtraContainerVolumeMounts []map[string]any  `json:"extraContainerVolumeMounts"`
}

type giteaService struct {
	HTTP struct {
		Type     string `json:"type"`
		Port     int    `json:"port"`
		NodePort int    `json:"nodePort"`
	} `json:"http"`
}

type giteaSection struct {
	Admin struct {
		ExistingSecret string `json:"existingSecret"`
		// Username and Password are emptied: the chart's defaults (a
		// published password) must not apply if the Secret is ever unset.
		Username     string `json:"username"`
		Password     string `json:"password"`
		Email        string `json:"email"`
		PasswordMode string `json:"passwordMode"`
	} `json:"admin"`
	// Config is app.ini, section by section.
	Config map[string]map[string]any `json:"config"`
}

// giteaValuesInput is what the values depend on.
type giteaValuesInput struct {
	ChartVersion string
	RootURL      string
	AdminEmail   string
	// MirrorCA: the TLS Secret holds the other region's CA, which git
	// trusts for the push mirror.
	MirrorCA bool
}

// renderGiteaValues is the chart's valuesContent (YAML).
func renderGiteaValues(in giteaValuesInput) (string, error) {
	subs, err := giteaChartSubcharts(in.ChartVersion)
	if err != nil {
		return "", err
	}
	root, err := url.Parse(in.RootURL)
	if err != nil || root.Scheme != "https" || root.Hostname() == "" || root.User != nil {
		return "", fmt.Errorf("gitea's root URL %q is not https://host[:port]/ without credentials", in.RootURL)
	}
	v := giteaValues{
		ReplicaCount: 1,
		Strategy:     map[string]string{"type": "Recreate"},
		Persistence:  map[string]bool{"enabled": true},
		Test:         map[string]bool{"enabled": false},
		ExtraVolumes: []map[string]any{{"name": GiteaTLSSecret,
			// 0440 with the chart's fsGroup 1000: the rootless image's
			// user reads the key, others on the node do not.
			"secret": map[string]any{"secretName": GiteaTLSSecret, "defaultMode": 0o440}}},
		ExtraContainerVolumeMounts: []map[string]any{{"name": GiteaTLSSecret, "mountPath": giteaTLSDir, "readOnly": true}},
	}
	v.Service.HTTP.Type, v.Service.HTTP.Port, v.Service.HTTP.NodePort = "NodePort", GiteaPort, GiteaNodePort
	a := &v.Gitea.Admin
	a.ExistingSecret, a.Email, a.PasswordMode = GiteaAdminSecret, in.AdminEmail, "keepUpdated"
	v.Gitea.Config = map[string]map[string]any{
		"server": {
			"PROTOCOL":  "https",
			"HTTP_PORT": GiteaPort,
			"CERT_FILE": giteaTLSDir + "/tls.crt",
			"KEY_FILE":  giteaTLSDir + "/tls.key",
			"DOMAIN":    root.Hostname(),
			"ROOT_URL":  strings.TrimSuffix(root.String(), "/") + "/",
			// Git goes over HTTPS only: no SSH server, no SSH URLs.
			"DISABLE_SSH":      true,
			"START_SSH_SERVER": false,
		},
		// SQLite's file defaults to APP_DATA_PATH/gitea.db, /data on the
		// chart's volume.
		"database": {"DB_TYPE": "sqlite3"},
		// With no Redis or Valkey: sessions and cache in memory, queues
		// on disk (the chart's own defaults, said here so no default of
		// a later chart brings a server back).
		"session": {"PROVIDER": "memory"},
		"cache":   {"ADAPTER": "memory"},
		"queue":   {"TYPE": "level"},
		// Push mirrors go to the other region's private address over the
		// WireGuard link, which Gitea refuses by default.
		"migrations": {"ALLOW_LOCALNETWORKS": true},
		"service":    {"DISABLE_REGISTRATION": true},
	}
	if in.MirrorCA {
		// Gitea passes [git.config] to every git it runs, the push
		// mirror's git push among them. One CA for all of git's HTTPS:
		// this Gitea only ever pushes to the other region.
		v.Gitea.Config["git.config"] = map[string]any{"http.sslCAInfo": giteaTLSDir + "/" + giteaMirrorCAKey}
	}
	b, err := yaml.Marshal(v)
	if err != nil {
		return "", err
	}
	off := map[string]map[string]bool{}
	for _, s := range subs {
		off[s] = map[string]bool{"enabled": false}
	}
	o, err := yaml.Marshal(off)
	if err != nil {
		return "", err
	}
	return "# openova: Gitea as one pod on SQLite, chart " + strconv.Quote(in.ChartVersion) + "\n" + string(b) + string(o), nil
}
