package audit

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/web/pages"
)

// A date filter that is not a date, under the form's names (from, to) or
// the list's own (since, until), is said beside its field, and a filter
// the list does not have is named rather than silently ignored.
func TestFilterSaysWhatIsWrong(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		query string
		field string
		msg   string
	}{
		{"from=2026-13-45", "since", `"2026-13-45" is not a date: give one such as 2026-11-01.`},
		{"since=2026-13-45", "since", `"2026-13-45" is not a date: give one such as 2026-11-01.`},
		{"to=yesterday", "until", `"yesterday" is not a date: give one such as 2026-11-30.`},
		{"form=2026-11-01&platfrom=acme", "filter", `The audit list has no filter "form", "platfrom": it filters by platform, component, operation, status, since (from) and until (to).`},
		{"from=2026-11-01&to=2026-11-30", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/audit?"+tc.query, nil)
			f := readFilter(echo.New().NewContext(req, httptest.NewRecorder()), operationNames)
			q, _ := f.query(now)
			if tc.field == "" {
				require.Empty(t, f.Errors)
				require.Contains(t, q, "StartTime >= '2026-11-01T00:00:00Z'")
				require.Contains(t, q, "StartTime < '2026-12-01T00:00:00Z'")
				return
			}
			require.Equal(t, tc.msg, f.Errors[tc.field])
		})
	}
}

// In bootstrap mode the audit list offers the bootstrap's operations and
// no component filter; a manager-only filter in the URL says so.
func TestBootstrapAuditOffersItsOwnFilters(t *testing.T) {
	h := &Handler{Shell: pages.Shell{Bootstrap: true}, Now: time.Now}
	e := echo.New()
	h.Routes(e)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/audit?component=grafana&operation=upgrade", nil))
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	body := rec.Body.String()
	require.Contains(t, body, "A bootstrap has no components to filter by: leave it empty.")
	require.Contains(t, body, `&#34;upgrade&#34; is not an operation here: choose one of bootstrap, infrastructure-change, promote.`)
	require.NotContains(t, body, `data-testid="filter-component"`)
	require.Contains(t, body, `<option value="infrastructure-change"`)
	require.NotContains(t, body, `<option value="uninstall"`)
}

// A child operation (a release an upgrade started, inside a multi-component
// upgrade) is listed with the user who caused its root, through its
// parents on the page, or with the parent it came from.
func TestChildOperationsNameWhoCausedThem(t *testing.T) {
	rows := []RowVM{
		{ID: "upgrades/acme/1", Actor: "ops@acme.io"},
		{ID: "upgrade/acme/grafana/v11.4.0", Parent: "upgrades/acme/1"},
		{ID: "release/acme/grafana", Parent: "upgrade/acme/grafana/v11.4.0"},
		{ID: "release/acme/mongodb", Parent: "install/acme/mongodb"},
		{ID: "check-updates/acme", Actor: ""},
	}
	fillActors(rows)
	require.Equal(t, []string{"ops@acme.io", "ops@acme.io (via upgrades/acme/1)", "ops@acme.io (via upgrade/acme/grafana/v11.4.0)",
		"via install/acme/mongodb", ""}, []string{rows[0].Actor, rows[1].Actor, rows[2].Actor, rows[3].Actor, rows[4].Actor})
}

// A filter with a mistake runs no search: the list says the filter was
// not applied, never that no operation matches it.
func TestBadFilterIsNotAnEmptyList(t *testing.T) {
	h := &Handler{Now: time.Now}
	e := echo.New()
	h.Routes(e)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/audit?platform=acme&from=2026-13-45", nil))
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	body := rec.Body.String()
	require.Contains(t, body, "The filter was not applied.")
	require.NotContains(t, body, "No operation matches.")
	require.Contains(t, body, "&#34;2026-13-45&#34; is not a date: give one such as 2026-11-01.")
}
