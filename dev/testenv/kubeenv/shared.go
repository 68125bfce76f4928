package kubeenv

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/openova-io/core/dev/testenv"
)

// One API server per test binary: booting kube-apiserver + etcd takes 5-10 s
// of a 2-core machine, and most tests only need a namespace of their own.
// The server starts lazily, from the first test that asks (so a missing
// asset skips or fails that test as testenv.Bin says, which a TestMain
// cannot do), and stops when TestMain's m.Run returns.
var shared struct {
	inMain atomic.Bool
	once   sync.Once
	env    *envtest.Environment
	cfg    *rest.Config
	c      client.Client
	dir    string // holds the kubeconfig
	err    error
	seq    atomic.Int64
}

// Main is a TestMain for packages whose tests call Shared: it runs the
// tests, stops the shared API server if one started, and exits with the
// tests' code.
func Main(m *testing.M) { os.Exit(Run(m)) }

// Run is Main without the exit, for a TestMain that does more.
func Run(m *testing.M) int {
	shared.inMain.Store(true)
	code := m.Run()
	if shared.env != nil {
		_ = shared.env.Stop()
	}
	if shared.dir != "" {
		_ = os.RemoveAll(shared.dir)
	}
	return code
}

// Shared returns the test binary's one API server (the generated CRDs of
// deploy/base/crds and the composite resource CRDs installed) and a fresh
// namespace of the test's own, in Env.Namespace, deleted when the test ends.
// Tests on it must keep to their namespace: a test that installs CRDs,
// restarts the server or looks at cluster-scoped state uses Start.
func Shared(t testing.TB) *Env {
	t.Helper()
	if !shared.inMain.Load() {
		t.Fatal("kubeenv.Shared needs kubeenv.Main (or Run) in the package's TestMain: it stops the server")
	}
	dir := filepath.Dir(testenv.Bin(t, "kube-apiserver"))
	testenv.Bin(t, "etcd")
	shared.once.Do(func() { shared.err = startShared(dir) })
	if shared.err != nil {
		t.Fatalf("start the shared kube-apiserver + etcd: %v", shared.err)
	}
	ns := namespaceName(t.Name(), shared.seq.Add(1))
	ctx := context.Background()
	if err := shared.c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
		t.Fatalf("create namespace %s: %v", ns, err)
	}
	// envtest runs no namespace controller: the namespace stays Terminating
	// with its objects, which no later test sees (each has its own).
	t.Cleanup(func() {
		err := shared.c.Delete(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})
		if err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("delete namespace %s: %v", ns, err)
		}
	})
	return &Env{Config: rest.CopyConfig(shared.cfg), Kubeconfig: filepath.Join(shared.dir, "kubeconfig"), Namespace: ns}
}

func startShared(binDir string) error {
	crds, err := compositeCRDs()
	if err != nil {
		return err
	}
	env := newEnvironment(binDir, crds)
	cfg, err := env.Start()
	if err != nil {
		return err
	}
	shared.env = env
	c, err := client.New(cfg, client.Options{})
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "kubeenv-")
	if err != nil {
		return err
	}
	shared.dir = dir
	if err := os.WriteFile(filepath.Join(dir, "kubeconfig"), env.KubeConfig, 0o600); err != nil {
		return err
	}
	shared.cfg, shared.c = cfg, c
	return nil
}

// namespaceName makes a DNS label from the test's name, unique in the
// binary: the name says whose objects a namespace holds when a test fails.
func namespaceName(test string, seq int64) string {
	var b strings.Builder
	for _, r := range strings.ToLower(test) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	name := strings.Trim(b.String(), "-")
	suffix := fmt.Sprintf("-%d", seq)
	if max := 63 - len(suffix); len(name) > max {
		name = strings.TrimRight(name[:max], "-")
	}
	if name == "" {
		name = "t"
	}
	return name + suffix
}
