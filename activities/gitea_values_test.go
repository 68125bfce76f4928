package activities

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/Masterminds/semver/v3"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/openova-io/core/catalog"
)

// giteaReadCharts are a chart version of each major whose subcharts were
// read upstream (giteaSubcharts), for the majors the catalog no longer
// offers: a platform bootstrapped on one still upgrades from it.
var giteaReadCharts = map[uint64]string{10: "10.6.0", 11: "11.0.1", 12: "12.1.3"}

// giteaChartVersions are the chart versions the values are rendered for:
// every Gitea release of the catalog, and one of each other chart major
// whose subcharts were read upstream.
func giteaChartVersions(t *testing.T) []string {
	t.Helper()
	comp, ok := catalog.Default().Get("gitea")
	require.True(t, ok)
	var out []string
	offered := map[uint64]bool{}
	for _, v := range comp.Versions {
		out = append(out, v.HelmChartVersion())
		offered[semver.MustParse(v.HelmChartVersion()).Major()] = true
	}
	for _, major := range slices.Sorted(maps.Keys(giteaSubcharts)) {
		if !offered[major] {
			require.Contains(t, giteaReadCharts, major, "a chart version of major %d to render", major)
			out = append(out, giteaReadCharts[major])
		}
	}
	return out
}

// The chart's values, for every chart version the catalog offers (and the
// later majors that were read): they parse, run one pod on SQLite that
// serves HTTPS with the mounted certificate on NodePort 30300, take the
// admin from the Secret, allow push mirrors to private addresses, and turn
// off every Bitnami subchart of that chart version.
func TestGiteaValues(t *testing.T) {
	for _, version := range giteaChartVersions(t) {
		t.Run(version, func(t *testing.T) {
			text, err := renderGiteaValues(giteaValuesInput{ChartVersion: version, RootURL: "https://gitea.fsn1.example.com:3000", AdminEmail: "openova-admin@openova.invalid"})
			require.NoError(t, err)
			var v map[string]any
			require.NoError(t, yaml.Unmarshal([]byte(text), &v))
			at := func(path string) any {
				var cur any = v
				for _, k := range strings.Split(path, ".") {
					m, ok := cur.(map[string]any)
					require.True(t, ok, "%s: %s is not a map", path, k)
					cur, ok = m[k]
					require.True(t, ok, "%s is not set", path)
				}
				return cur
			}

			major := semver.MustParse(version).Major()
			subs := giteaSubcharts[major]
			require.NotEmpty(t, subs)
			for _, s := range subs {
				require.Equal(t, false, at(s+".enabled"), "the Bitnami subchart %s is off", s)
			}
			for key, want := range map[string]any{
				"replicaCount":                                float64(1),
				"strategy.type":                               "Recreate",
				"persistence.enabled":                         true,
				"test.enabled":                                false,
				"service.http.type":                           "NodePort",
				"service.http.port":                           float64(GiteaPort),
				"service.http.nodePort":                       float64(GiteaNodePort),
				"gitea.admin.existingSecret":                  GiteaAdminSecret,
				"gitea.admin.username":                        "",
				"gitea.admin.password":                        "",
				"gitea.admin.passwordMode":                    "keepUpdated",
				"gitea.config.database.DB_TYPE":               "sqlite3",
				"gitea.config.server.PROTOCOL":                "https",
				"gitea.config.server.CERT_FILE":               "/etc/gitea-tls/tls.crt",
				"gitea.config.server.KEY_FILE":                "/etc/gitea-tls/tls.key",
				"gitea.config.server.ROOT_URL":                "https://gitea.fsn1.example.com:3000/",
				"gitea.config.server.DOMAIN":                  "gitea.fsn1.example.com",
				"gitea.config.migrations.ALLOW_LOCALNETWORKS": true,
			} {
				require.Equal(t, want, at(key), key)
			}
			require.Equal(t, []any{map[string]any{"name": GiteaTLSSecret, "secret": map[string]any{"secretName": GiteaTLSSecret, "defaultMode": float64(0o440)}}}, at("extraVolumes"))
			require.Equal(t, []any{map[string]any{"name": GiteaTLSSecret, "mountPath": "/etc/gitea-tls", "readOnly": true}}, at("extraContainerVolumeMounts"))
		})
	}
}

// With the other region's CA in the TLS Secret, git trusts it for the push
// mirror; without, no [git.config] is written (git keeps the system roots).
func TestGiteaValues_MirrorCA(t *testing.T) {
	for _, mirror := range []bool{false, true} {
		text, err := renderGiteaValues(giteaValuesInput{ChartVersion: "10.6.0", RootURL: "https://gitea.example.com/", MirrorCA: mirror})
		require.NoError(t, err)
		var v struct {
			Gitea struct {
				Config map[string]map[string]any `json:"config"`
			} `json:"gitea"`
		}
		require.NoError(t, yaml.Unmarshal([]byte(text), &v))
		section, ok := v.Gitea.Config["git.config"]
		require.Equal(t, mirror, ok, "git.config written only with a mirror CA")
		if mirror {
			require.Equal(t, map[string]any{"http.sslCAInfo": "/etc/gitea-tls/ca.crt"}, section)
		}
	}
}

// A chart version that is not semantic, or whose major's subcharts were
// not read, is refused: it might bring a Bitnami subchart back.
func TestGiteaValues_UnreadChartRefused(t *testing.T) {
	for _, version := range []string{"", "latest", "9.6.1", "13.0.0"} {
		t.Run(version, func(t *testing.T) {
			_, err := renderGiteaValues(giteaValuesInput{ChartVersion: version, RootURL: "https://gitea.example.com/"})
			require.Error(t, err)
		})
	}
	_, err := renderGiteaValues(giteaValuesInput{ChartVersion: "10.6.0", RootURL: "http://gitea.example.com/"})
	require.ErrorContains(t, err, "is not https://")
}
