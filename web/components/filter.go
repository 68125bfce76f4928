package components

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Filter is what the page's URL asks to see, so a filtered page can be
// bookmarked, shared and used without JavaScript: a search, a category,
// the installed toggle and a page of at most PageSize cards. A catalog of
// hundreds of components is then never rendered whole.
type Filter struct {
	Query         string
	Category      string // a section's ID; "" is every category
	InstalledOnly bool
	Page          int // from 1
}

// PageSize is the number of cards a page shows.
const PageSize = 50

// maxQuery bounds the search, in characters.
const maxQuery = 100

// parseFilter reads the URL's filter. A bad value is left out (the page
// shows everything it would otherwise) and named in problem, with what to
// do instead.
func parseFilter(q url.Values) (f Filter, problem string) {
	f = Filter{Query: strings.TrimSpace(q.Get("q")), Category: q.Get("category"), Page: 1}
	vals := q["installed"]
	f.InstalledOnly = len(vals) == 0 || vals[len(vals)-1] != "0"
	var problems []string
	if n := utf8.RuneCountInString(f.Query); n > maxQuery {
		problems = append(problems, fmt.Sprintf("the search is %d characters long; use at most %d", n, maxQuery))
		f.Query = ""
	}
	if f.Category != "" && sectionOf(f.Category) == nil {
		problems = append(problems, fmt.Sprintf("there is no category %q; choose mandatory, a-la-carte or meta-platforms", f.Category))
		f.Category = ""
	}
	if p := q.Get("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 {
			problems = append(problems, fmt.Sprintf("page %q is not a page number; pages count from 1", p))
		} else {
			f.Page = n
		}
	}
	if len(problems) > 0 {
		problem = "The filter was not applied in full: " + strings.Join(problems, "; ") + "."
	}
	return f, problem
}

// sectionOf is the section with that ID, nil when there is none.
func sectionOf(id string) *section {
	for i := range sections {
		if sections[i].id == id {
			return &sections[i]
		}
	}
	return nil
}

// words are the search's words, in lower case: a component matches when
// each is in its name, title or description (catalog.Component.Matches).
func (f Filter) words() []string {
	return strings.Fields(strings.ToLower(f.Query))
}

// Narrowed says whether the search or the category hides components.
func (f Filter) Narrowed() bool { return f.Query != "" || f.Category != "" }

// URL is the page's address with this filter, at page n.
func (f Filter) URL(platform string, n int) string {
	v := url.Values{}
	if f.Query != "" {
		v.Set("q", f.Query)
	}
	if f.Category != "" {
		v.Set("category", f.Category)
	}
	if !f.InstalledOnly {
		v.Set("installed", "0")
	}
	if n > 1 {
		v.Set("page", strconv.Itoa(n))
	}
	u := "/platforms/" + url.PathEscape(platform) + "/components"
	if len(v) > 0 {
		u += "?" + v.Encode()
	}
	return u
}

// PagerVM says which cards a page shows and links its neighbours.
type PagerVM struct {
	From, To, Total, Page, Pages int
	PrevURL, NextURL             string
}

// window is the part of section Sec a page shows: its items [Lo, Hi).
type window struct{ Sec, Lo, Hi int }

// paginate says which items of each section page f.Page shows (the last
// page when it is past the end), in section order, given how many items
// each section has. A section with no item on the page is left out,
// unless it has none at all: its empty message shows on page 1. It works
// on counts, so only the page's cards are ever built.
func paginate(platform string, f Filter, counts []int) ([]window, PagerVM) {
	total := 0
	for _, n := range counts {
		total += n
	}
	pg := PagerVM{Total: total, Pages: max(1, (total+PageSize-1)/PageSize)}
	pg.Page = min(max(f.Page, 1), pg.Pages)
	first := (pg.Page - 1) * PageSize
	last := min(first+PageSize, total)
	if total > 0 {
		pg.From, pg.To = first+1, last
	}
	if pg.Page > 1 {
		pg.PrevURL = f.URL(platform, pg.Page-1)
	}
	if pg.Page < pg.Pages {
		pg.NextURL = f.URL(platform, pg.Page+1)
	}
	var out []window
	at := 0
	for i, n := range counts {
		if n == 0 {
			if pg.Page == 1 {
				out = append(out, window{Sec: i})
			}
			continue
		}
		lo, hi := max(first-at, 0), min(last-at, n)
		at += n
		if lo < hi {
			out = append(out, window{Sec: i, Lo: lo, Hi: hi})
		}
	}
	return out, pg
}
