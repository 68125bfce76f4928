package platforms

import (
	"sync"

	toolscache "k8s.io/client-go/tools/cache"

	"github.com/openova-io/core/crds/v1alpha1"
)

// componentLists keeps each platform's sorted Components between changes.
// Listing 500 Components from the watch cache and sorting them was a
// quarter of each manager page's time, with the garbage it left, at 50
// pages at once (BENCHMARKS.md, "Every page under load"); the lists only
// change when a Component does, and the watch says when. Any change drops
// every platform's list: changes are rare next to page loads.
type componentLists struct {
	mu    sync.Mutex
	gen   uint64
	lists map[string]componentList
}

type componentList struct {
	gen   uint64
	items []v1alpha1.Component
}

// changed drops every kept list.
func (l *componentLists) changed() {
	l.mu.Lock()
	l.gen++
	l.lists = nil
	l.mu.Unlock()
}

// get is platform's kept list, or list's answer, kept when no change came
// while it was read (a list read before a change must not outlive it).
func (l *componentLists) get(platform string, list func() ([]v1alpha1.Component, error)) ([]v1alpha1.Component, error) {
	l.mu.Lock()
	kept, ok := l.lists[platform]
	gen := l.gen
	l.mu.Unlock()
	if ok && kept.gen == gen {
		return kept.items, nil
	}
	items, err := list()
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	if l.gen == gen {
		if l.lists == nil {
			l.lists = map[string]componentList{}
		}
		l.lists[platform] = componentList{gen: gen, items: items}
	}
	l.mu.Unlock()
	return items, nil
}

// handler is the watch's event handler: every add, update and delete of a
// Component is a change.
func (l *componentLists) handler() toolscache.ResourceEventHandler {
	return toolscache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { l.changed() },
		UpdateFunc: func(any, any) { l.changed() },
		DeleteFunc: func(any) { l.changed() },
	}
}
