package pages

import (
	"slices"
	"sync"

	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/crds/v1alpha1"
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
