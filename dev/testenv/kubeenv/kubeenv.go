// Package kubeenv starts a real kube-apiserver + etcd (envtest, built from
// source by dev/dev.sh) with the project's CRDs installed. It lives apart
// from testenv so that tests without a cluster do not link Kubernetes.
//
// Most tests take a namespace on the test binary's one server (Shared, with
// Main as the package's TestMain); a test that needs a server of its own
// (its own CRDs, cluster-scoped state) starts one (Start).
package kubeenv

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-logr/logr"
	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/openova-io/core/dev/testenv"
)

// Env is a running API server.
type Env struct {
	Config *rest.Config
	// Kubeconfig is the path of a kubeconfig file for the server.
	Kubeconfig string
	// Namespace is the test's own namespace, created (Shared only).
	Namespace string
}

// Start runs kube-apiserver + etcd for the test alone, with the generated
// CRDs of deploy/base/crds and any extra CRDs (e.g. composite resources
// played by the test) installed. It stops when the test ends.
func Start(t testing.TB, extra ...*apiextv1.CustomResourceDefinition) *Env {
	t.Helper()
	dir := filepath.Dir(testenv.Bin(t, "kube-apiserver"))
	testenv.Bin(t, "etcd")
	env := newEnvironment(dir, extra)
	cfg, err := env.Start()
	if err != nil {
		t.Fatalf("start kube-apiserver + etcd: %v", err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(kubeconfig, env.KubeConfig, 0o600); err != nil {
		t.Fatalf("write kubeconfig: %v", err)
	}
	return &Env{Config: cfg, Kubeconfig: kubeconfig}
}

func newEnvironment(binDir string, extra []*apiextv1.CustomResourceDefinition) *envtest.Environment {
	env := Environment(binDir)
	env.CRDDirectoryPaths = []string{filepath.Join(testenv.RepoRoot(), "deploy", "base", "crds")}
	env.CRDs = extra
	return env
}

// Environment is a bare envtest environment on the assets in binDir, as
// every API server of the tests starts: a start timeout that a loaded CI
// machine keeps, and controller-runtime's logger set (envtest logs through
// it, and complains with a stack trace when nobody set one).
func Environment(binDir string) *envtest.Environment {
	logf.SetLogger(logr.Discard())
	return &envtest.Environment{BinaryAssetsDirectory: binDir, ControlPlaneStartTimeout: 2 * time.Minute}
}
