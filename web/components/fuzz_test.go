package components

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/catalog"
)

// FuzzInstallForm posts the install dialog's optional checkboxes (and the
// list's installed toggle) for a component of the catalog. It holds: the
// choice is refused with 400, or it names only optional dependencies of the
// component, each once (the Platform spec keeps them as a set, which the
// API server refuses with a duplicate), and the resolver plans it or says
// why with a typed error.
func FuzzInstallForm(f *testing.F) {
	f.Add("harbor", "cnpg", "")
	f.Add("harbor", "cnpg,valkey", "0")
	f.Add("harbor", "cnpg,cnpg", "1")
	f.Add("ai-hub", "neo4j", "0,1")
	f.Add("grafana", "redis", "")
	f.Add("nope", ",", "x")
	cat := catalog.Default()
	f.Fuzz(func(t *testing.T, component, optional, installed string) {
		comp, ok := cat.Get(component)
		if !ok {
			comp, _ = cat.Get("harbor")
		}
		form := url.Values{}
		if optional != "" {
			form["optional"] = strings.Split(optional, ",")
		}
		target := "/?" + url.Values{"installed": strings.Split(installed, ",")}.Encode()
		req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
		req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationForm)
		c := echo.New().NewContext(req, httptest.NewRecorder())

		f, _ := parseFilter(c.QueryParams())
		only := f.InstalledOnly
		vals := strings.Split(installed, ",")
		require.Equal(t, vals[len(vals)-1] != "0", only)

		chosen, err := (&Handler{}).chosenOptionals(c, comp)
		if err != nil {
			var he *echo.HTTPError
			require.True(t, errors.As(err, &he), "%v", err)
			require.Equal(t, http.StatusBadRequest, he.Code)
			return
		}
		seen := map[string]bool{}
		for _, o := range chosen {
			require.True(t, slices.ContainsFunc(comp.Optional, func(d catalog.Dependency) bool { return d.Name == o }),
				"%q is not an optional dependency of %s", o, comp.Name)
			require.False(t, seen[o], "%q is chosen twice: the spec's optional list is a set", o)
			seen[o] = true
		}
		if _, err := cat.Resolve(nil, catalog.Request{Component: comp.Name, Optional: chosen}); err != nil {
			require.NotEmpty(t, catalog.KindOf(err), err.Error())
		}
	})
}
