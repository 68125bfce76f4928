package catalog

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const grafanaIndex = `apiVersion: v1
entries:
  grafana:
    - {name: grafana, version: 8.6.0, appVersion: 11.3.0, created: "2024-10-29T10:00:00Z"}
    - {name: grafana, version: 8.8.2, appVersion: 11.4.0, created: "2024-12-19T10:00:00Z"}
    - {name: grafana, version: 8.5.0-rc.1, appVersion: "latest", created: "2024-09-01T10:00:00Z"}
    - {name: grafana, version: not-semver, appVersion: 1.0.0}
    - {name: grafana, version: 7.0.0, appVersion: 10.0.0, deprecated: true}
  loki:
    - {name: loki, version: 6.0.0, appVersion: 3.0.0}
generated: "2024-12-20T00:00:00Z"
`

func TestParseHelmIndex(t *testing.T) {
	cases := []struct {
		name    string
		data    string
		chart   string
		want    []HelmRelease
		wantErr string
	}{
		{
			name: "newest first, bad and deprecated skipped", data: grafanaIndex, chart: "grafana",
			want: []HelmRelease{{ChartVersion: "8.8.2", AppVersion: "v11.4.0"}, {ChartVersion: "8.6.0", AppVersion: "v11.3.0"}, {ChartVersion: "8.5.0-rc.1"}},
		},
		{name: "chart missing", data: grafanaIndex, chart: "tempo", wantErr: "chart tempo is not in the helm index (entries: 2 charts)"},
		{name: "not YAML", data: "{{{", chart: "grafana", wantErr: "helm index is not valid YAML"},
		{name: "HTML error page", data: "<html><body>502</body></html>", chart: "grafana", wantErr: "helm index"},
		{name: "wrong apiVersion", data: strings.Replace(grafanaIndex, "apiVersion: v1", "apiVersion: v2", 1), chart: "grafana", wantErr: `apiVersion is "v2", want v1`},
		{name: "no semver release", data: "apiVersion: v1\nentries:\n  x:\n    - {version: latest}\n", chart: "x", wantErr: "chart x has no semver release"},
		{name: "too large", data: strings.Repeat("#", MaxHelmIndexSize+1), chart: "x", wantErr: "larger than 64 MiB"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseHelmIndex([]byte(tc.data), tc.chart)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				require.NotContains(t, err.Error(), "\n")
				return
			}
			require.NoError(t, err)
			for i := range got {
				got[i].Created = got[i].Created.UTC().Truncate(0)
				tc.want[i].Created = got[i].Created
			}
			require.Equal(t, tc.want, got)
		})
	}
}

func FuzzParseHelmIndex(f *testing.F) {
	f.Add([]byte(grafanaIndex), "grafana")
	f.Add([]byte("apiVersion: v1\nentries: {}\n"), "x")
	f.Add([]byte("{{{"), "x")
	f.Fuzz(func(t *testing.T, data []byte, chart string) {
		got, err := ParseHelmIndex(data, chart)
		if err == nil {
			require.NotEmpty(t, got)
		}
	})
}
