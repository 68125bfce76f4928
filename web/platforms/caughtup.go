package platforms

import (
	"context"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/crds/v1alpha1"
)

// caughtUpWait bounds the wait for the watch to bring a change the UI
// wrote: past it, the page shows what the watch has, as it would anyway.
const caughtUpWait = 5 * time.Second

// caughtUp waits until the watch cache holds the platform at generation
// gen or later. The UI redirects to a page right after writing the spec,
// and that page reads the cache: without the wait it could show the
// platform before the change (an install with no progress, seen once the
// page's requests got fast).
func (s *Store) caughtUp(ctx context.Context, platform string, gen int64) {
	_ = wait.PollUntilContextTimeout(ctx, 5*time.Millisecond, caughtUpWait, true, func(ctx context.Context) (bool, error) {
		var p v1alpha1.Platform
		err := s.reader.Get(ctx, client.ObjectKey{Namespace: s.namespace, Name: platform}, &p, client.UnsafeDisableDeepCopy)
		return err == nil && p.Generation >= gen, nil
	})
}

// generationNow is the platform's generation on the API server (0 when it
// cannot be read: then there is nothing to wait for).
func (s *Store) generationNow(ctx context.Context, platform string) int64 {
	var p v1alpha1.Platform
	if err := s.writer.Get(ctx, client.ObjectKey{Namespace: s.namespace, Name: platform}, &p); err != nil {
		return 0
	}
	return p.Generation
}
