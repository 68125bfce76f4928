package components

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/web/operations"
	"github.com/openova-io/core/web/ui"
)

func TestParseFilter(t *testing.T) {
	for _, tt := range []struct {
		name, query string
		want        Filter
		problem     string
	}{
		{"nothing: installed only, page 1", "", Filter{InstalledOnly: true, Page: 1}, ""},
		{"everything", "q=+post+gres+&category=a-la-carte&installed=0&installed=1&page=3",
			Filter{Query: "post gres", Category: "a-la-carte", InstalledOnly: true, Page: 3}, ""},
		{"the toggle's last value wins", "installed=1&installed=0", Filter{Page: 1}, ""},
		{"unknown category", "category=databases", Filter{InstalledOnly: true, Page: 1},
			`there is no category "databases"; choose mandatory, a-la-carte or meta-platforms`},
		{"bad page", "page=-2&q=vault", Filter{Query: "vault", InstalledOnly: true, Page: 1}, `page "-2" is not a page number; pages count from 1`},
		{"search too long", "q=" + strings.Repeat("x", 101), Filter{InstalledOnly: true, Page: 1}, "the search is 101 characters long; use at most 100"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			q, err := url.ParseQuery(tt.query)
			require.NoError(t, err)
			f, problem := parseFilter(q)
			require.Equal(t, tt.want, f)
			if tt.problem == "" {
				require.Empty(t, problem)
			} else {
				require.Contains(t, problem, tt.problem)
				require.True(t, strings.HasPrefix(problem, "The filter was not applied in full: "), problem)
			}
		})
	}
}

func TestFilterMatchesAndURL(t *testing.T) {
	cnpg, ok := catalog.Default().Get("cnpg")
	require.True(t, ok)
	for q, want := range map[string]bool{"": true, "postgres": true, "POSTGRESQL operator": true, "cnpg": true, "postgres mongodb": false} {
		require.Equal(t, want, cnpg.Matches(Filter{Query: q}.words()), "search %q", q)
	}
	f := Filter{Query: "a b", Category: "a-la-carte", Page: 2}
	require.Equal(t, "/platforms/acme/components?category=a-la-carte&installed=0&page=3&q=a+b", f.URL("acme", 3))
	require.Equal(t, "/platforms/acme/components", Filter{InstalledOnly: true}.URL("acme", 1), "the defaults are the bare address")
}

// cardsOf is a section with n cards named <id>-0 ....
func cardsOf(id string, n int) SectionVM {
	s := SectionVM{ID: id}
	for i := range n {
		s.Cards = append(s.Cards, ui.CardVM{Name: fmt.Sprintf("%s-%d", id, i)})
	}
	return s
}

// paged is secs as paginate's windows cut them.
func paged(f Filter, secs []SectionVM) ([]SectionVM, PagerVM) {
	counts := make([]int, len(secs))
	for i, s := range secs {
		counts[i] = len(s.Cards)
	}
	windows, pg := paginate("p", f, counts)
	var out []SectionVM
	for _, w := range windows {
		s := secs[w.Sec]
		s.Cards = s.Cards[w.Lo:w.Hi]
		out = append(out, s)
	}
	return out, pg
}

func TestPaginate(t *testing.T) {
	secs := []SectionVM{cardsOf("mandatory", 8), {ID: "a-la-carte", Empty: "None installed."}, cardsOf("meta-platforms", 100)}
	names := func(secs []SectionVM) (ids []string, first, last string, n int) {
		for _, s := range secs {
			ids = append(ids, s.ID)
			for _, c := range s.Cards {
				if first == "" {
					first = c.Name
				}
				last = c.Name
				n++
			}
		}
		return
	}
	for _, tt := range []struct {
		page        int
		ids         []string
		first, last string
		pager       PagerVM
	}{
		{1, []string{"mandatory", "a-la-carte", "meta-platforms"}, "mandatory-0", "meta-platforms-41",
			PagerVM{From: 1, To: 50, Total: 108, Page: 1, Pages: 3, NextURL: "/platforms/p/components?installed=0&page=2"}},
		{2, []string{"meta-platforms"}, "meta-platforms-42", "meta-platforms-91",
			PagerVM{From: 51, To: 100, Total: 108, Page: 2, Pages: 3, PrevURL: "/platforms/p/components?installed=0", NextURL: "/platforms/p/components?installed=0&page=3"}},
		{9, []string{"meta-platforms"}, "meta-platforms-92", "meta-platforms-99",
			PagerVM{From: 101, To: 108, Total: 108, Page: 3, Pages: 3, PrevURL: "/platforms/p/components?installed=0&page=2"}},
	} {
		out, pg := paged(Filter{Page: tt.page}, secs)
		ids, first, last, n := names(out)
		require.Equal(t, tt.ids, ids, "page %d", tt.page)
		require.Equal(t, tt.first, first, "page %d", tt.page)
		require.Equal(t, tt.last, last, "page %d", tt.page)
		require.Equal(t, pg.To-pg.From+1, n)
		require.Equal(t, tt.pager, pg, "page %d", tt.page)
	}
	out, pg := paged(Filter{Page: 1}, []SectionVM{{ID: "mandatory", Empty: "No component matches."}})
	require.Len(t, out, 1, "an empty section still says so")
	require.Equal(t, PagerVM{Page: 1, Pages: 1}, pg)
}

// The page built with a filter: the category's section only, the search's
// matches only, and an empty section that says the search found nothing.
func TestBuildFiltered(t *testing.T) {
	p := &v1alpha1.Platform{ObjectMeta: metav1.ObjectMeta{Name: "acme"}}
	s := state{platform: p, catalog: catalog.Default(), ops: map[string]operations.Snapshot{}}
	names := func(vm PageVM) (ids, cards []string) {
		for _, sec := range vm.Sections {
			ids = append(ids, sec.ID)
			for _, c := range sec.Cards {
				cards = append(cards, c.Name)
			}
		}
		return
	}
	s.filter = Filter{Category: "meta-platforms", Page: 1}
	ids, cards := names(build(s))
	require.Equal(t, []string{"meta-platforms"}, ids)
	require.ElementsMatch(t, []string{"ai-hub", "open-banking"}, cards)

	s.filter = Filter{Query: "cloudnativepg", Page: 1}
	vm := build(s)
	_, cards = names(vm)
	// CloudNativePG by its title, Keycloak by its description (its
	// database is a CloudNativePG Cluster).
	require.Equal(t, []string{"cnpg", "keycloak"}, cards)
	require.Equal(t, "No component matches \u201ccloudnativepg\u201d.", vm.Sections[0].Empty)
	require.Equal(t, PagerVM{From: 1, To: 2, Total: 2, Page: 1, Pages: 1}, vm.Pager)
	require.Len(t, vm.Categories, 3)
}
