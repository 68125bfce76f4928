package ui

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"sync"

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
	buf := buffers.Get().(*bytes.Buffer)
	defer release(buf)
	target := r.Header.Get("HX-Target")
	if IsFragmentRequest(r) && target != "" {
		if err := templ.RenderFragments(r.Context(), buf, content, target); err != nil {
			return err
		}
	}
	if buf.Len() == 0 && IsFragmentRequest(r) {
		if err := content.Render(r.Context(), buf); err != nil {
			return err
		}
	}
	if buf.Len() == 0 {
		if err := Page(m).Render(templ.WithChildren(r.Context(), content), buf); err != nil {
			return err
		}
	}
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// buffers are the pages' render buffers, reused: a page is tens of
// kilobytes, and growing a new buffer to that per request was a tenth of
// what the manager allocated at fifty pages at once (BENCHMARKS.md).
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooled is the largest buffer kept for reuse; a rare huge page's is
// left to the collector.
const maxPooled = 1 << 20

func release(b *bytes.Buffer) {
	if b.Cap() > maxPooled {
		return
	}
	b.Reset()
	buffers.Put(b)
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

// Prerender renders content once into a component that writes the same
// HTML for every request: a page body kept with its model (pages.Memo) is
// rendered with it, not per load; rendering 50 component cards, or 500
// quick links, was most of what was left of a page's time at fifty
// loads at once (BENCHMARKS.md). A fragment request (HX-Target) needs the
// live component, whose fragments templ finds: serve this to full-page
// loads only. Nil if content fails to render (then render it live).
func Prerender(content templ.Component) templ.Component {
	var b strings.Builder
	if err := content.Render(context.Background(), &b); err != nil {
		return nil
	}
	return templ.Raw(b.String())
}
