package audit

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"
)

// clause is one condition of a visibility query as query builds it: a
// search attribute or a column compared with one quoted literal that holds
// no quote.
var clause = regexp.MustCompile(`^([A-Za-z]+) (=|>=|<) '([^']*)'$`)

// FuzzAuditFilter reads the audit list's filter from the query string and
// builds the visibility query. It holds: every refused value is marked on
// its own field and kept out of the query; the query is a conjunction of
// clauses, each one attribute compared with one literal, so nothing typed
// can add a condition, close a quote or comment the rest out; the time
// range never reaches back beyond retention; a page token the list put in
// its next link comes back byte for byte.
func FuzzAuditFilter(f *testing.F) {
	f.Add("acme-corp", "grafana", "Upgrade", "failed", "2026-11-01", "2026-11-30", "")
	f.Add("", "", "", "", "", "", base64.RawURLEncoding.EncodeToString([]byte("next-page-token")))
	f.Add("acme' OR 1=1 --", "x'", "Install' OR ExecutionStatus = 'Running", "running'", "2026-13-01", "yesterday", "!!")
	f.Add("-bad-", "UPPER", "Bootstrap", "cancelled", "1970-01-01", "9999-12-31", "AA")
	f.Add(strings.Repeat("a", 64), "a", "ScheduledUpgrade", "timed-out", " 2026-11-01", "", "====")
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	known := map[string]bool{"platform": true, "component": true, "operation": true, "status": true, "since": true, "until": true, "page": true, "filter": true}
	f.Fuzz(func(t *testing.T, platform, component, operation, status, since, until, page string) {
		q := url.Values{"platform": {platform}, "component": {component}, "operation": {operation}, "status": {status},
			"since": {since}, "until": {until}, "page": {page}}
		req := httptest.NewRequest(http.MethodGet, "/audit?"+q.Encode(), nil)
		flt := readFilter(echo.New().NewContext(req, httptest.NewRecorder()), operationNames)
		query, _ := flt.query(now)

		for field := range flt.Errors {
			require.True(t, known[field], "unknown field %q marked", field)
		}
		parts := strings.Split(query, " AND ")
		attrs := map[string]int{}
		for _, p := range parts {
			m := clause.FindStringSubmatch(p)
			require.NotNil(t, m, "clause %q of query %q", p, query)
			attrs[m[1]+" "+m[2]]++
		}
		for k, n := range attrs {
			require.Equal(t, 1, n, "%s appears %d times in %q", k, n, query)
		}
		typed := map[string]string{"platform": flt.Platform, "component": flt.Component, "operation": flt.Operation, "status": flt.Status}
		for field, v := range typed {
			if flt.Errors[field] != "" {
				require.NotContains(t, query, "'"+v+"'", "a refused %s is in the query", field)
			}
		}
		start := regexp.MustCompile(`StartTime >= '([^']*)'`).FindStringSubmatch(query)
		require.NotNil(t, start, "the query bounds the start time: %q", query)
		from, err := time.Parse(time.RFC3339, start[1])
		require.NoError(t, err)
		require.False(t, from.Before(now.Add(-Retention)), "the query reaches back beyond retention: %s", from)
		if flt.Errors["page"] != "" {
			require.NotEmpty(t, strings.TrimSpace(page), "an empty page is no error")
		}
		// A token the list encoded into its next link comes back as it was.
		next := url.Values{"page": {base64.RawURLEncoding.EncodeToString([]byte(page))}}
		again := readFilter(echo.New().NewContext(httptest.NewRequest(http.MethodGet, "/audit?"+next.Encode(), nil), httptest.NewRecorder()), operationNames)
		_, back := again.query(now)
		require.Empty(t, again.Errors)
		require.Equal(t, page, string(back))
	})
}
