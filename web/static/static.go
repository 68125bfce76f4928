// Package static holds the browser's files (the vendored htmx and Pico CSS,
// the product's own script and stylesheet), embedded in the binary and
// served under content-hash URLs: a page names /static/app.<hash>.css, so a
// browser may cache every file for a year and still never runs a stale one
// after an upgrade.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed app.css app.js favicon.svg vendor/*.js vendor/*.css
var files embed.FS

// Prefix is where the files are served.
const Prefix = "/static/"

// file is one embedded file and its hashed URL.
type file struct {
	name string
	url  string
	body []byte
}

// byName and byURL index the embedded files, built once at start.
var byName, byURL = index()

func index() (map[string]file, map[string]file) {
	names, urls := map[string]file{}, map[string]file{}
	_ = fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		ext := path.Ext(p)
		f := file{name: p, body: body, url: Prefix + strings.TrimSuffix(p, ext) + "." + hex.EncodeToString(sum[:6]) + ext}
		names[p], urls[f.url] = f, f
		return nil
	})
	return names, urls
}

// URL is the content-hash URL of an embedded file ("app.css",
// "vendor/htmx.min.js"). An unknown name panics: it is a typo in a view,
// and the view tests render every page.
func URL(name string) string {
	f, ok := byName[name]
	if !ok {
		panic("static: no embedded file " + name)
	}
	return f.url
}

// Handler serves the files with a one-year immutable cache; a URL whose
// hash is not the current one is a 404, never a stale or mismatched file.
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := byURL[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		http.ServeContent(w, r, f.name, time.Time{}, strings.NewReader(string(f.body)))
	})
}
