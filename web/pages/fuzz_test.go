package pages

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/web/ui"
)

// withCookie is the echo context of a request carrying the flash cookie.
func withCookie(value string) (echo.Context, *httptest.ResponseRecorder) {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Cookie", flashCookie+"="+value)
	rec := httptest.NewRecorder()
	return echo.New().NewContext(r, rec), rec
}

// FuzzFlashCookie reads the flash cookie as the browser sent it back (any
// value: a cookie is the client's to change). It holds: at most five
// messages come out, each of a kind the page styles (ok, error or info);
// and a message set after them is read back last, with the ones before.
func FuzzFlashCookie(f *testing.F) {
	enc := func(fs []ui.Flash) string {
		b, _ := json.Marshal(fs)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	f.Add(enc([]ui.Flash{{Kind: "ok", Text: "Settings saved."}}), "error", "Tick the box.")
	f.Add(enc([]ui.Flash{{Kind: "script", Text: "<script>alert(1)</script>"}, {Kind: "info"}}), "info", "")
	f.Add(enc(make([]ui.Flash, 5)), "ok", "sixth")
	f.Add(base64.RawURLEncoding.EncodeToString([]byte(`[{"Kind":"ok","Text":1}]`)), "ok", "x")
	f.Add("not base64!", "ok", "x")
	f.Add("", "", "")
	f.Fuzz(func(t *testing.T, value, kind, text string) {
		c, _ := withCookie(value)
		got := TakeFlashes(c)
		require.LessOrEqual(t, len(got), 5)
		for _, fl := range got {
			require.Contains(t, []string{"ok", "error", "info"}, fl.Kind)
		}

		c, rec := withCookie(value)
		before := TakeFlashes(c)
		SetFlash(c, ui.Flash{Kind: kind, Text: text})
		cks := rec.Result().Cookies()
		require.NotEmpty(t, cks)
		next, _ := withCookie(cks[len(cks)-1].Value)
		after := TakeFlashes(next)
		if len(before) >= 5 {
			return // a sixth message drops the lot rather than grow the cookie
		}
		require.Len(t, after, len(before)+1, "the set message is read back with the ones before")
		if utf8.ValidString(text) { // JSON spells other bytes as U+FFFD
			require.Equal(t, text, after[len(after)-1].Text)
		}
	})
}
