package ui

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"
)

// A prerendered body is the same page as the live one, for a full load;
// content that fails to render gives none, so the handler renders live.
func TestPrerenderIsTheLivePage(t *testing.T) {
	content := Card(CardVM{Name: "grafana", Title: "Grafana <dashboards>", Description: "Dashboards & alerts", Status: "Healthy",
		Installed: true, Version: "v13.2.0", UninstallURL: "/platforms/acme/components/grafana/uninstall"})
	page := func(body templ.Component) string {
		e := echo.New()
		rec := httptest.NewRecorder()
		c := e.NewContext(httptest.NewRequest(http.MethodGet, "/", nil), rec)
		require.NoError(t, Render(c, http.StatusOK, Meta{Title: "Components"}, body))
		return rec.Body.String()
	}
	pre := Prerender(content)
	require.NotNil(t, pre)
	live := page(content)
	require.Equal(t, live, page(pre))
	require.Equal(t, live, page(pre), "served again, the same")
	require.Contains(t, live, "Grafana &lt;dashboards&gt;", "escaped once, as live")

	broken := templ.ComponentFunc(func(context.Context, io.Writer) error { return errors.New("broken") })
	require.Nil(t, Prerender(broken))
}
