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

	indexes *indexes

	// lists is each platform's sorted Components, kept until the watch
	// sees any Component change (listed). Nil when no watch reports
	// changes (NewWithClient): every call lists.
	lists *componentLists
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
		http: hc, synced: ca.WaitForCacheSync, lists: &componentLists{}}
	s.indexes = s.newIndexes()
	// Not started yet, so this neither blocks nor waits for a sync.
	inf, err := ca.GetInformer(context.Background(), &v1alpha1.Component{})
	if err != nil {
		return nil, nil, fmt.Errorf("ui watch of components: %w", err)
	}
	if _, err := inf.AddEventHandler(s.lists.handler()); err != nil {
		return nil, nil, fmt.Errorf("ui watch of components: %w", err)
	}
	return s, ca.Start, nil
}

// NewWithClient builds a Store that reads and writes through c (tests).
func NewWithClient(c client.Client, namespace string, base *catalog.Catalog) *Store {
	s := &Store{reader: c, writer: c, namespace: namespace, base: base, http: http.DefaultClient,
		synced: func(context.Context) bool { return true }}
	s.indexes = s.newIndexes()
	return s
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

// Platform reads one platform; ErrNotFound when it does not exist. The
// platform is read-only: it shares its fields with the watch cache.
func (s *Store) Platform(ctx context.Context, name string) (*v1alpha1.Platform, error) {
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	var p v1alpha1.Platform
	// Shared with the watch cache, not copied (a tenth of a page at 50 at
	// once): pages read the platform and change it only through apply.
	err := s.reader.Get(ctx, client.ObjectKey{Namespace: s.namespace, Name: name}, &p, client.UnsafeDisableDeepCopy)
	if apierrors.IsNotFound(err) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read platform %s: %w", name, err)
	}
	return &p, nil
}

// Components lists the platform's Component resources by name. The slice
// is shared between requests until a Component changes: callers read it
// and never change it.
func (s *Store) Components(ctx context.Context, platform string) ([]v1alpha1.Component, error) {
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	if s.lists == nil {
		return s.listComponents(ctx, platform)
	}
	return s.lists.get(platform, func() ([]v1alpha1.Component, error) { return s.listComponents(ctx, platform) })
}

func (s *Store) listComponents(ctx context.Context, platform string) ([]v1alpha1.Component, error) {
	var list v1alpha1.ComponentList
	// Pages only read what they list: no deep copy of every cached object.
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
// index (kept for indexTTL, refreshed behind the pages). When the index
// cannot be loaded, the embedded catalog is returned with the error, so a
// page can say why.
func (s *Store) Catalog(ctx context.Context, p *v1alpha1.Platform) (*catalog.Catalog, error) {
	url := p.Spec.CatalogIndexURL
	if url == "" {
		return s.base, nil
	}
	cat, err := s.indexes.get(ctx, url)
	if err != nil {
		return s.base, err
	}
	return cat, nil
}

func (s *Store) newIndexes() *indexes {
	return &indexes{now: time.Now, load: func(ctx context.Context, url string) (*catalog.Catalog, error) {
		return catalogindex.Load(ctx, s.http, s.base, url)
	}}
}
