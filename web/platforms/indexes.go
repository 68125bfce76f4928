package platforms

import (
	"context"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/openova-io/core/catalog"
)

// indexTTL is how long a fetched remote index serves pages before it is
// fetched again: pages stay fast, and a new index shows within a minute.
const indexTTL = time.Minute

// cachedIndex is one fetch of an index: what came, error included.
type cachedIndex struct {
	cat *catalog.Catalog
	err error
	at  time.Time
}

// indexFetchTimeout bounds one fetch of a remote index: it runs for every
// page that waits on it, so no one page's cancel ends it.
const indexFetchTimeout = 30 * time.Second

// indexes keeps each remote catalog index for indexTTL. Pages never wait
// on a refresh: once an index is kept, a page past its TTL gets the kept
// one while one fetch runs in the background, and pages that find none
// wait together on one fetch. Before, every page past the TTL fetched and
// parsed the index itself; fifty pages at once did it fifty times
// (BENCHMARKS.md, "Every page under load"), and a slow index server held
// every page for its timeout.
type indexes struct {
	load func(ctx context.Context, url string) (*catalog.Catalog, error)
	now  func() time.Time

	group singleflight.Group
	mu    sync.Mutex
	kept  map[string]cachedIndex
}

// get is url's index as last fetched, and the error of that fetch.
func (x *indexes) get(ctx context.Context, url string) (*catalog.Catalog, error) {
	x.mu.Lock()
	ci, ok := x.kept[url]
	x.mu.Unlock()
	if ok {
		if x.now().Sub(ci.at) > indexTTL {
			x.group.DoChan(url, func() (any, error) { return x.fetch(ctx, url), nil }) // not waited for
		}
		return ci.cat, ci.err
	}
	ch := x.group.DoChan(url, func() (any, error) { return x.fetch(ctx, url), nil })
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case r := <-ch:
		ci := r.Val.(cachedIndex)
		return ci.cat, ci.err
	}
}

// fetch loads the index and keeps what came, error included: a page says
// why its index could not be read until the next fetch.
func (x *indexes) fetch(ctx context.Context, url string) cachedIndex {
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), indexFetchTimeout)
	defer cancel()
	cat, err := x.load(fctx, url)
	ci := cachedIndex{cat: cat, err: err, at: x.now()}
	x.mu.Lock()
	if x.kept == nil {
		x.kept = map[string]cachedIndex{}
	}
	x.kept[url] = ci
	x.mu.Unlock()
	return ci
}
