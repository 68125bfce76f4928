package ui

import (
	"bytes"
	"context"
	"io"

	"github.com/a-h/templ"
	"github.com/yuin/goldmark"
)

// md renders Markdown to HTML with goldmark's defaults: raw HTML in the
// source is dropped and dangerous link targets (javascript:, data: ...)
// are emptied, so a changelog from a remote index cannot inject script.
var md = goldmark.New()

// Markdown is a changelog rendered to safe HTML.
func Markdown(src string) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		var b bytes.Buffer
		if err := md.Convert([]byte(src), &b); err != nil {
			_, err = io.WriteString(w, templ.EscapeString(src))
			return err
		}
		_, err := w.Write(b.Bytes())
		return err
	})
}
