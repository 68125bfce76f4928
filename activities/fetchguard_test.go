package activities

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/netguard"
)

// devFetch and devHTTP fetch as openova --allow-http-fetch does: the
// tests' servers are plain http on loopback.
var (
	devFetch = netguard.Policy{AllowHTTP: true}
	devHTTP  = devFetch.Client(0)
)

// A catalog index the fetch policy refuses is a permanent error that says
// why (the URL must change; retrying cannot help), and no request leaves:
// at a metadata address, by name or by a redirect, and over plain http
// unless in development. With no client set, only https is fetched.
func TestCatalogIndexKeepsToTheFetchPolicy(t *testing.T) {
	var asked atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/index.yaml" {
			asked.Store(true)
		}
		http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	cases := []struct {
		name string
		a    *Catalog
		url  string
		want string
	}{
		{"metadata address", &Catalog{HTTP: devHTTP}, "http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"},
		{"metadata over https", &Catalog{}, "https://169.254.169.254/index.yaml", "169.254.169.254 is a link-local address"},
		{"metadata name", &Catalog{}, "https://metadata.google.internal/computeMetadata/v1/", "names a cloud metadata service"},
		{"redirect to metadata", &Catalog{HTTP: devHTTP}, srv.URL + "/redirect", "169.254.169.254 is a link-local address"},
		{"plain http by default", &Catalog{}, srv.URL + "/index.yaml", "give an https URL"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.a.load(context.Background(), tc.url)
			require.ErrorContains(t, err, "is refused: ")
			require.ErrorContains(t, err, tc.want)
			var app *temporal.ApplicationError
			require.True(t, errors.As(err, &app))
			require.Equal(t, catalog.ErrInvalidCatalog, app.Type())
			require.True(t, app.NonRetryable())
		})
	}
	require.False(t, asked.Load(), "plain http was refused before the request")
}
