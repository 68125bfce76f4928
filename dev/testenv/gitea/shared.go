package gitea

import (
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/openova-io/core/dev/testenv"
)

// shared are the test binary's servers: started by the first test that
// asks (a package whose tests never ask starts none), stopped by Run.
var shared struct {
	inMain atomic.Bool
	once   sync.Once
	names  []string
	insts  []*Instance
	err    error
}

// Run runs the package's tests with run (m.Run, or another harness's Run
// such as kubeenv.Run, which calls it) and then stops the shared servers
// and deletes their folders. A package that uses Shared calls it from its
// TestMain: os.Exit(gitea.Run(m, kubeenv.Run)).
func Run(m *testing.M, run func(*testing.M) int) int {
	shared.inMain.Store(true)
	code := run(m)
	for _, inst := range shared.insts {
		_ = inst.remove()
	}
	return code
}

// Shared returns the test binary's Gitea servers of these names, started
// once (about 2 s each, 200 MB) for every test of the package. Tests on
// them keep to organizations of their own; the first call's names are the
// servers, and a later call must ask for the same.
func Shared(t testing.TB, names ...string) []*Instance {
	t.Helper()
	if !shared.inMain.Load() {
		t.Fatal("gitea.Shared needs gitea.Run in the package's TestMain: it stops the servers")
	}
	bin := testenv.Bin(t, "gitea")
	static := StaticRoot(t)
	shared.once.Do(func() {
		shared.names = slices.Clone(names)
		shared.insts, shared.err = start(bin, static, names, nil)
	})
	if shared.err != nil {
		t.Fatalf("start the shared gitea servers: %v", shared.err)
	}
	if !slices.Equal(shared.names, names) {
		t.Fatalf("gitea.Shared(%v): the shared servers are %v", names, shared.names)
	}
	return shared.insts
}
