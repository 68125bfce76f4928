package activities

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/openova-io/core/catalog"
	catalogremote "github.com/openova-io/core/catalogindex"
)

// A remote catalog index served over HTTP on loopback: a good one adds
// versions; unreachable ones stay retryable; bad ones are rejected for good
// with a message naming the field; URLs never leak credentials.
func TestCatalogRemoteIndex(t *testing.T) {
	const good = `apiVersion: catalog.openova.io/v1
components:
  - name: grafana
    versions:
      - version: v11.5.0
        released: 2025-01-28
        changelog: "## Grafana 11.5.0"
`
	cases := []struct {
		name      string
		status    int
		body      string
		wantErr   string
		wantType  string
		retryable bool
		check     func(t *testing.T, c *catalog.Catalog)
	}{
		{name: "adds versions", status: 200, body: good, check: func(t *testing.T, c *catalog.Catalog) {
			g, ok := c.Get("grafana")
			require.True(t, ok)
			_, ok = g.Find("v11.5.0")
			require.True(t, ok)
			_, ok = catalog.Default().Components["grafana"].Find("v11.5.0")
			require.False(t, ok, "the embedded catalog is not changed")
		}},
		{name: "HTTP error is retryable", status: 503, body: "down", wantErr: "HTTP 503", wantType: ErrIndexUnreachable, retryable: true},
		{name: "not YAML", status: 200, body: "{{{", wantErr: "catalog index", wantType: catalog.ErrInvalidCatalog},
		{name: "wrong apiVersion", status: 200, body: strings.Replace(good, "catalog.openova.io/v1", "v9", 1), wantErr: "apiVersion", wantType: catalog.ErrInvalidCatalog},
		{name: "bad version names the field", status: 200, body: strings.Replace(good, "v11.5.0", "eleven", 1), wantErr: "versions[0].version", wantType: catalog.ErrInvalidCatalog},
		{name: "unknown dependency", status: 200, body: good + `  - name: newthing
    title: New
    description: d
    category: a-la-carte
    chart: {name: newthing, repository: https://charts.example}
    requires: [{name: nosuch}]
    versions: [{version: v1.0.0, released: 2025-01-01, changelog: x}]
`, wantErr: "nosuch", wantType: catalog.ErrInvalidCatalog},
		{name: "oversized", status: 200, body: strings.Repeat("#", catalogremote.MaxIndexBytes+10), wantErr: "larger than 4 MiB", wantType: catalog.ErrInvalidCatalog},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			url := strings.Replace(srv.URL, "http://", "http://user:idx-s3cret@", 1) + "/index.yaml?token=idx-s3cret"
			c, err := (&Catalog{HTTP: devHTTP}).load(context.Background(), url)
			if tc.wantErr == "" {
				require.NoError(t, err)
				tc.check(t, c)
				return
			}
			require.ErrorContains(t, err, tc.wantErr)
			require.NotContains(t, err.Error(), "idx-s3cret")
			var app *temporal.ApplicationError
			require.True(t, errors.As(err, &app))
			require.Equal(t, tc.wantType, app.Type())
			require.Equal(t, !tc.retryable, app.NonRetryable())
		})
	}
}

func TestCatalogIndexUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	_, err := (&Catalog{HTTP: devHTTP}).load(context.Background(), url+"/index.yaml")
	var app *temporal.ApplicationError
	require.True(t, errors.As(err, &app))
	require.Equal(t, ErrIndexUnreachable, app.Type())
	require.False(t, app.NonRetryable())
}
