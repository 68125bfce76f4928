package activities

import (
	"context"
	"fmt"
	"sync"

	"k8s.io/client-go/metadata"
	"k8s.io/client-go/metadata/metadatainformer"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"

	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/kube"
)

// ReleaseChanges wakes a waiting activity when a release changes, so that
// it sees Ready as soon as Crossplane reports it rather than at its next
// poll.
type ReleaseChanges interface {
	// Subscribe returns a channel that receives (coalesced) after the
	// release namespace/name is added, changed or deleted, and a function
	// that ends the subscription.
	Subscribe(namespace, name string) (<-chan struct{}, func())
}

// ReleaseWatch is a ReleaseChanges over one metadata-only informer on the
// ComponentReleases of a namespace: one watch for every waiting activity,
// however many run. It only wakes the waits; they still read the release
// from the API server, so a late or lost event costs at most a poll.
type ReleaseWatch struct {
	namespace string
	informer  cache.SharedIndexInformer

	mu   sync.Mutex
	subs map[string]map[chan struct{}]struct{}
}

// NewReleaseWatch builds the watch of namespace's releases; Run starts it.
func NewReleaseWatch(rc *rest.Config, namespace string) (*ReleaseWatch, error) {
	mc, err := metadata.NewForConfig(kube.WithRate(rc))
	if err != nil {
		return nil, fmt.Errorf("release watch: %w", err)
	}
	w := &ReleaseWatch{
		namespace: namespace,
		informer:  metadatainformer.NewFilteredMetadataInformer(mc, v1alpha1.ReleaseGVR, namespace, 0, cache.Indexers{}, nil).Informer(),
		subs:      map[string]map[chan struct{}]struct{}{},
	}
	notify := func(obj any) {
		if key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj); err == nil {
			w.notify(key)
		}
	}
	if _, err := w.informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    notify,
		UpdateFunc: func(_, obj any) { notify(obj) },
		DeleteFunc: notify,
	}); err != nil {
		return nil, fmt.Errorf("release watch: %w", err)
	}
	return w, nil
}

// Run watches until ctx ends. Until the informer has synced (or when the
// ComponentRelease type is not installed yet) the waits simply poll.
func (w *ReleaseWatch) Run(ctx context.Context) {
	w.informer.RunWithContext(ctx)
}

// Subscribe implements ReleaseChanges. A release outside the watched
// namespace gets a channel that never fires: its waits poll.
func (w *ReleaseWatch) Subscribe(namespace, name string) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	if namespace != w.namespace {
		return ch, func() {}
	}
	key := namespace + "/" + name
	w.mu.Lock()
	if w.subs[key] == nil {
		w.subs[key] = map[chan struct{}]struct{}{}
	}
	w.subs[key][ch] = struct{}{}
	w.mu.Unlock()
	return ch, func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		delete(w.subs[key], ch)
		if len(w.subs[key]) == 0 {
			delete(w.subs, key)
		}
	}
}

// notify wakes every subscriber of key without blocking: a subscriber that
// has not read the last wake-up still has one pending, which is enough.
func (w *ReleaseWatch) notify(key string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for ch := range w.subs[key] {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}
