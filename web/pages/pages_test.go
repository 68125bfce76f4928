package pages

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/web/auth"
)

// The user a change carries (and the wizard keys drafts by) is, for a
// user of an OpenID provider, their issuer and subject beside the name
// they show: two accounts may show the same name.
func TestUserIsWhoSignedInNotJustTheirName(t *testing.T) {
	cases := []struct {
		user auth.User
		want string
	}{
		{auth.User{Name: "admin", Method: "password"}, "admin"},
		{auth.User{Name: "grace", Method: "oidc", Identity: "https://login.example.com/realms/ops#42"}, "grace (https://login.example.com/realms/ops#42)"},
	}
	for _, tc := range cases {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r = r.WithContext(auth.WithUser(r.Context(), tc.user))
		c := echo.New().NewContext(r, httptest.NewRecorder())
		require.Equal(t, tc.want, User(c))
	}
}
