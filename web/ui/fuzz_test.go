package ui

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"
)

// schemeRE is a URL's scheme as a browser reads it (before the first ':'
// that comes before any '/', '?' or '#').
var schemeRE = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]*):`)

// safeImageData are the data: URLs an <img> may show (goldmark lets them
// through; none can run script).
var safeImageData = regexp.MustCompile(`^data:image/(png|gif|jpeg|webp);`)

// FuzzMarkdown renders a changelog (from a remote catalog index or a Helm
// chart's annotations: outside input) and parses the HTML as a browser
// would. It holds: no element that runs script, styles or embeds another
// document, no event handler or style attribute, and no link or image URL
// that runs script (javascript:, vbscript:, a data: URL other than an
// image's), once a browser has dropped the tabs, newlines and control
// characters it ignores in a URL.
func FuzzMarkdown(f *testing.F) {
	for _, s := range []string{
		"## Grafana 11.4\n- faster\n\n[notes](https://grafana.com/docs)",
		"hello <script>alert(1)</script> <img src=x onerror=alert(2)>",
		"[click](javascript:alert(1))", "[click](java\tscript:alert(1))", "[x](JaVaScRiPt&#58;alert(1))",
		"![i](data:image/svg+xml;base64,PHN2Zz4=)", "![i](data:text/html,<script>alert(1)</script>)",
		"<http://a.example/>", "[a]: vbscript:msgbox\n\n[a]", "`<b>`", "<p style=\"color:red\">x</p>",
		"- Fixes: [#1](https://github.com/x/y/pull/1)\n  [Release notes](https://github.com/x/y/releases/tag/v1)",
	} {
		f.Add(s)
	}
	never := map[string]bool{"script": true, "style": true, "iframe": true, "frame": true, "object": true, "embed": true, "form": true,
		"input": true, "button": true, "textarea": true, "svg": true, "math": true, "link": true, "meta": true, "base": true}
	f.Fuzz(func(t *testing.T, src string) {
		var b bytes.Buffer
		require.NoError(t, Markdown(src).Render(context.Background(), &b))
		doc, err := goquery.NewDocumentFromReader(&b)
		require.NoError(t, err)
		doc.Find("*").Each(func(_ int, s *goquery.Selection) {
			n := s.Get(0)
			require.False(t, never[n.Data], "<%s> in the rendered changelog", n.Data)
			for _, a := range n.Attr {
				name := strings.ToLower(a.Key)
				require.False(t, strings.HasPrefix(name, "on") || name == "style" || name == "srcdoc" || name == "formaction",
					"attribute %s on <%s>", a.Key, n.Data)
				if name != "href" && name != "src" {
					continue
				}
				u := strings.TrimFunc(strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(a.Val), func(r rune) bool { return r <= ' ' })
				m := schemeRE.FindStringSubmatch(u)
				if m == nil {
					continue // relative
				}
				switch strings.ToLower(m[1]) {
				case "javascript", "vbscript", "livescript", "file":
					t.Fatalf("%s=%q on <%s>: scheme %s", a.Key, a.Val, n.Data, m[1])
				case "data":
					require.True(t, n.Data == "img" && safeImageData.MatchString(strings.ToLower(u)), "%s=%q on <%s>", a.Key, a.Val, n.Data)
				}
			}
		})
	})
}
