package pages

import (
	"net/http"
	"slices"
	"sync"

	"github.com/a-h/templ"

	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/web/ui"
)

// Memo keeps a page's view model while what it was built from is the very
// same: the same objects from the watch cache (a changed Platform is a new
// object, a platform's changed Component list a new slice, see
// platforms.Store), the same catalog. Building a model from 500
// Components was most of a manager page's time at fifty loads at once
// (BENCHMARKS.md), and those objects change rarely next to page loads.
//
// Inputs compare by identity (pointers) or value (strings, numbers), so
// a changed object is never mistaken for its old self: the memo holds the
// objects it compares, so none is freed and its address reused meanwhile.
// A model is shared by every load that gets it: pages only read it. The
// zero value is ready.
type Memo[V any] struct {
	mu   sync.Mutex
	kept map[string]memoized[V]
}

type memoized[V any] struct {
	from []any
	v    V
}

// maxMemoized is how many keys are kept before the memo starts afresh
// (keys carry what a URL asks, such as a search).
const maxMemoized = 1000

// Get is key's model if it was built from the same inputs as from, else
// build's, kept for the next load. Each input must be comparable: a
// pointer, a string or a number (ListOf names a slice). Without inputs
// (nil) the model is built and not kept.
func (m *Memo[V]) Get(key string, from []any, build func() V) V {
	if from == nil {
		return build()
	}
	m.mu.Lock()
	kept, ok := m.kept[key]
	m.mu.Unlock()
	if ok && slices.Equal(kept.from, from) {
		return kept.v
	}
	v := build()
	m.mu.Lock()
	if m.kept == nil || len(m.kept) >= maxMemoized {
		m.kept = map[string]memoized[V]{}
	}
	m.kept[key] = memoized[V]{from: from, v: v}
	m.mu.Unlock()
	return v
}

// Rendered is a page's model and, when the memo keeps it, its body
// rendered once (ui.Prerender): loads that share a model share its
// rendering too.
type Rendered[V any] struct {
	VM   V
	body templ.Component
}

// KeepRendered is key's model from m, built and rendered once while from
// is the same; without inputs (nil) it is built for this load only and
// not rendered ahead.
func KeepRendered[V any](m *Memo[Rendered[V]], key string, from []any, build func() V, render func(V) templ.Component) Rendered[V] {
	return m.Get(key, from, func() Rendered[V] {
		r := Rendered[V]{VM: build()}
		if from != nil {
			r.body = ui.Prerender(render(r.VM))
		}
		return r
	})
}

// Body is what a load renders: the kept rendering for a full-page load,
// else live, the page rendered from this load's model (an htmx fragment
// request needs live's fragments). A handler whose load differs from the
// kept model (a running operation added) renders live itself.
func (r Rendered[V]) Body(req *http.Request, live templ.Component) templ.Component {
	if r.body != nil && !ui.IsFragmentRequest(req) {
		return r.body
	}
	return live
}

// PlatformInputs are the memo inputs of a page built from a Platform, its
// Components and its catalog: the Platform's UID and resourceVersion (the
// Store hands each page its own shallow copy, so its address says
// nothing), the list's identity and the catalog's. They are nil for a
// Platform without a resourceVersion (one not read from an API server):
// its page is built each time.
func PlatformInputs(p *v1alpha1.Platform, comps []v1alpha1.Component, cat *catalog.Catalog, more ...any) []any {
	if p.ResourceVersion == "" {
		return nil
	}
	return append([]any{string(p.UID), p.ResourceVersion, ListOf(comps), len(comps), cat}, more...)
}

// ListOf is a slice's identity as a memo input: its first element's
// address, or nil when empty (pair it with the length).
func ListOf[T any](items []T) *T {
	if len(items) == 0 {
		return nil
	}
	return &items[0]
}
