package ui

import (
	"bytes"
	"net/http"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
)

// Render is the one way a page is written. A full request (and a boosted
// htmx navigation, which swaps the whole body) gets content inside the
// shell; an htmx request that targets an element gets the fragment of that
// element's id (a templ.Fragment in content), or content alone when it has
// no such fragment. So every page and form works without script, and the
// script gets only what it swaps.
func Render(c echo.Context, status int, m Meta, content templ.Component) error {
	r, w := c.Request(), c.Response()
	w.Header().Set("Vary", "HX-Request, HX-Target")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	var buf bytes.Buffer
	target := r.Header.Get("HX-Target")
	if IsFragmentRequest(r) && target != "" {
		if err := templ.RenderFragments(r.Context(), &buf, content, target); err != nil {
			return err
		}
	}
	if buf.Len() == 0 && IsFragmentRequest(r) {
		if err := content.Render(r.Context(), &buf); err != nil {
			return err
		}
	}
	if buf.Len() == 0 {
		if err := Page(m).Render(templ.WithChildren(r.Context(), content), &buf); err != nil {
			return err
		}
	}
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// IsFragmentRequest reports whether htmx asked for part of a page (not a
// boosted navigation, which wants the whole document).
func IsFragmentRequest(r *http.Request) bool {
	return r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-Boosted") != "true"
}

// Redirect sends the browser to url after a form: 303 See Other, which a
// plain form and a boosted one (htmx's request follows it) both take; a
// form htmx sent into a fragment (a dialog) is told to load url instead.
func Redirect(c echo.Context, url string) error {
	if IsFragmentRequest(c.Request()) {
		c.Response().Header().Set("HX-Redirect", url)
		return c.NoContent(http.StatusNoContent)
	}
	return c.Redirect(http.StatusSeeOther, url)
}
