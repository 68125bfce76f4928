// Package platforms is the UI's Kubernetes side: it reads Platforms and
// Components from a watch cache of the manager's namespace, loads each
// platform's catalog, and changes a Platform's spec with server-side apply
// under the UI's own field managers, the same path kubectl and GitOps take,
// so the reconciler starts the operation.
package platforms

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/catalogindex"
	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/kube"
)

// ErrNotFound is a platform that does not exist.
var ErrNotFound = errors.New("platform not found")

// indexTTL is how long a fetched remote index serves pages before it is
// fetched again: pages stay fast, and a new index shows within a minute.
const indexTTL = time.Minute

// Store reads and changes platforms of one namespace.
type Store struct {
	reader    client.Reader
	writer    client.Client
	namespace string
	base      *catalog.Catalog
	http      *http.Client
	synced    func(context.Context) bool
	// Edits commits changes to a Platform kept in Git (commitEntry); nil
	// refuses them with what to do.
	Edits Editor

	mu      sync.Mutex
	indexes map[string]cachedIndex
}

type cachedIndex struct {
	cat *catalog.Catalog
	err error
	at  time.Time
}

// New builds a Store on a watch cache of namespace; Run starts the cache.
// hc fetches the platforms' catalog indexes: a netguard client, so the
// pages fetch only where the manager's activities would.
func New(rc *rest.Config, namespace string, hc *http.Client) (*Store, func(context.Context) error, error) {
	scheme, err := kube.Scheme()
	if err != nil {
		return nil, nil, err
	}
	rc = kube.WithRate(rc)
	ca, err := cache.New(rc, cache.Options{Scheme: scheme, DefaultNamespaces: map[string]cache.Config{namespace: {}}})
	if err != nil {
		return nil, nil, fmt.Errorf("ui watch cache: %w", err)
	}
	w, err := client.New(rc, client.Options{Scheme: scheme})
	if err != nil {
		return nil, nil, fmt.Errorf("ui client: %w", err)
	}
	s := &Store{reader: ca, writer: w, namespace: namespace, base: catalog.Default(),
		http: hc, synced: ca.WaitForCacheSync, indexes: map[string]cachedIndex{}}
	return s, ca.Start, nil
}

// NewWithClient builds a Store that reads and writes through c (tests).
func NewWithClient(c client.Client, namespace string, base *catalog.Catalog) *Store {
	return &Store{reader: c, writer: c, namespace: namespace, base: base, http: http.DefaultClient,
		synced: func(context.Context) bool { return true }, indexes: map[string]cachedIndex{}}
}

// Namespace is where the platforms live.
func (s *Store) Namespace() string { return s.namespace }

func (s *Store) ready(ctx context.Context) error {
	if !s.synced(ctx) {
		return errors.New("the watch of platforms has not synced yet: try again in a moment")
	}
	return nil
}

// Platforms lists the namespace's platforms by name.
func (s *Store) Platforms(ctx context.Context) ([]v1alpha1.Platform, error) {
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	var list v1alpha1.PlatformList
	if err := s.reader.List(ctx, &list, client.InNamespace(s.namespace), client.UnsafeDisableDeepCopy); err != nil {
		return nil, fmt.Errorf("list platforms: %w", err)
	}
	sort.Slice(list.Items, func(i, j int) bool { return list.Items[i].Name < list.Items[j].Name })
	return list.Items, nil
}

// Platform reads one platform; ErrNotFound when it does not exist.
func (s *Store) Platform(ctx context.Context, name string) (*v1alpha1.Platform, error) {
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	var p v1alpha1.Platform
	err := s.reader.Get(ctx, client.ObjectKey{Namespace: s.namespace, Name: name}, &p)
	if apierrors.IsNotFound(err) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read platform %s: %w", name, err)
	}
	return &p, nil
}

// Components lists the platform's Component resources by name.
func (s *Store) Components(ctx context.Context, platform string) ([]v1alpha1.Component, error) {
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	var list v1alpha1.ComponentList
	// Pages only read what they list: no deep copy of every cached object
	// per request (500 components, 50 requests at once).
	if err := s.reader.List(ctx, &list, client.InNamespace(s.namespace), client.MatchingLabels{v1alpha1.LabelPlatform: platform}, client.UnsafeDisableDeepCopy); err != nil {
		return nil, fmt.Errorf("list components of %s: %w", platform, err)
	}
	return byName(list.Items), nil
}

// byName is items sorted by name. It sorts their indexes and copies each
// item once: sorting the items themselves moved 500 large structs some
// 4,500 times per page (BENCHMARKS.md, "Web UI pages under load").
func byName(items []v1alpha1.Component) []v1alpha1.Component {
	idx := make([]int, len(items))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return items[idx[a]].Name < items[idx[b]].Name })
	out := make([]v1alpha1.Component, len(items))
	for i, j := range idx {
		out[i] = items[j]
	}
	return out
}

// Catalog is the platform's catalog: the embedded one plus its remote
// index (cached for indexTTL). When the index cannot be loaded, the
// embedded catalog is returned with the error, so a page can say why.
func (s *Store) Catalog(ctx context.Context, p *v1alpha1.Platform) (*catalog.Catalog, error) {
	url := p.Spec.CatalogIndexURL
	if url == "" {
		return s.base, nil
	}
	s.mu.Lock()
	ci, ok := s.indexes[url]
	s.mu.Unlock()
	if !ok || time.Since(ci.at) > indexTTL {
		cat, err := catalogindex.Load(ctx, s.http, s.base, url)
		ci = cachedIndex{cat: cat, err: err, at: time.Now()}
		s.mu.Lock()
		s.indexes[url] = ci
		s.mu.Unlock()
	}
	if ci.err != nil {
		return s.base, ci.err
	}
	return ci.cat, nil
}
