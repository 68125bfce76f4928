package players

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"

	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/dev/testenv"
)

// CrossplaneModule is the Go module of Crossplane: its cluster/crds are the
// CRDs the chart installs, at the chart's version (chart and module are
// released together).
const CrossplaneModule = "github.com/crossplane/crossplane/v2"

// Crossplane's kinds the player writes the status of.
var (
	providerGVR = schema.GroupVersionResource{Group: "pkg.crossplane.io", Version: "v1", Resource: "providers"}
	functionGVR = schema.GroupVersionResource{Group: "pkg.crossplane.io", Version: "v1", Resource: "functions"}
	xrdGVR      = schema.GroupVersionResource{Group: "apiextensions.crossplane.io", Version: "v2", Resource: "compositeresourcedefinitions"}
)

// CrossplaneOptions adjust the Crossplane player.
type CrossplaneOptions struct {
	// PackageCRDs maps a Provider's spec.package to the folder of the CRDs
	// its package holds, for a package that is not
	// xpkg.crossplane.io/<owner>/<name>:<tag> built from
	// github.com/<owner>/<name> (whose package/crds the player finds in the
	// module cache).
	PackageCRDs map[string]string
}

// PlayCrossplane waits for a HelmChart of the chart "crossplane" and does
// what Crossplane would: it installs the CRDs of the chart's version (from
// the crossplane module in the module cache), shows its Deployments
// available, and then, until the test ends, plays its package manager and
// XRD controllers (see Crossplane.round).
func PlayCrossplane(t testing.TB, cfg *rest.Config, opts CrossplaneOptions) *Crossplane {
	t.Helper()
	xp, ok := catalog.Default().Get("crossplane")
	if !ok {
		t.Fatal("the catalog has no crossplane")
	}
	if _, err := ModuleDir(CrossplaneModule, xp.Latest().Version); err != nil {
		testenv.Missing(t, "%v", err)
	}
	c, err := newClients(cfg)
	if err != nil {
		t.Fatal(err)
	}
	p := &Crossplane{c: c, cfg: cfg, opts: opts, crds: map[string]bool{}}
	p.Play = start(t, "the Crossplane player", func(ctx context.Context) error {
		hc, err := c.waitHelmChart(ctx, "crossplane")
		if err != nil {
			return err
		}
		version, _, _ := unstructured.NestedString(hc.Object, "spec", "version")
		if version == "" {
			version = xp.Latest().Version
		}
		dir, err := ModuleDir(CrossplaneModule, "v"+strings.TrimPrefix(version, "v"))
		if err != nil {
			return fmt.Errorf("HelmChart %s: %w", hc.GetName(), err)
		}
		ns, err := c.releaseNamespace(ctx, hc)
		if err != nil {
			return err
		}
		if err := installCRDs(cfg, filepath.Join(dir, "cluster", "crds")); err != nil {
			return err
		}
		for _, name := range []string{"crossplane", "crossplane-rbac-manager"} {
			if err := c.availableDeployment(ctx, ns, name, map[string]string{"app": name, "release": hc.GetName()}); err != nil {
				return err
			}
		}
		return c.installed(ctx, hc)
	}, func(ctx context.Context) {
		_ = until(ctx, func() (bool, error) { p.round(ctx); return false, nil })
	})
	return p
}

// Crossplane is the played Crossplane chart.
type Crossplane struct {
	*Play
	c    clients
	cfg  *rest.Config
	opts CrossplaneOptions

	mu   sync.Mutex
	crds map[string]bool // CRD folders installed (packages') or XR CRDs made
}

// round is one pass of what Crossplane's controllers do: every Provider
// and Function Installed and Healthy (a Provider's package CRDs
// installed first, as its revision does), every XRD's composite resource
// CRD made and the XRD Established (and Offered, with its claim CRD,
// when it names claims). Conditions are Crossplane's own (types, reasons,
// observedGeneration = the object's generation) and written only when
// they change, so resourceVersions settle.
func (p *Crossplane) round(ctx context.Context) {
	for _, gvr := range []schema.GroupVersionResource{providerGVR, functionGVR} {
		l, err := p.c.dc.Resource(gvr).List(ctx, listAll)
		if err != nil {
			continue // the CRDs are being installed
		}
		for i := range l.Items {
			p.playPackage(ctx, gvr, &l.Items[i])
		}
	}
	l, err := p.c.dc.Resource(xrdGVR).List(ctx, listAll)
	if err != nil {
		return
	}
	for i := range l.Items {
		p.playXRD(ctx, &l.Items[i])
	}
}

// playPackage makes a package Installed and Healthy, or Installed and not
// Healthy when the player has no CRDs for its package (the test's log and
// the condition's message say why).
func (p *Crossplane) playPackage(ctx context.Context, gvr schema.GroupVersionResource, u *unstructured.Unstructured) {
	if u.GetDeletionTimestamp() != nil {
		return
	}
	pkg, _, _ := unstructured.NestedString(u.Object, "spec", "package")
	healthy, reason, msg := "True", "HealthyPackageRevision", ""
	if gvr == providerGVR {
		if err := p.packageCRDs(pkg); err != nil {
			healthy, reason, msg = "False", "UnhealthyPackageRevision", "the Crossplane player cannot install the package's CRDs: "+err.Error()
		}
	}
	conds := []any{
		condition("Installed", "True", "ActivePackageRevision", "", u.GetGeneration()),
		condition("Healthy", healthy, reason, msg, u.GetGeneration()),
	}
	_ = unstructured.SetNestedField(u.Object, pkg, "status", "currentIdentifier")
	_ = unstructured.SetNestedField(u.Object, u.GetName()+"-"+shortHash(pkg), "status", "currentRevision")
	p.writeConditions(ctx, gvr, u, conds)
}

// packageCRDs installs, once, the CRDs of a Provider's package.
func (p *Crossplane) packageCRDs(pkg string) error {
	dir, ok := p.opts.PackageCRDs[pkg]
	if !ok {
		module, version, err := packageModule(pkg)
		if err != nil {
			return err
		}
		if dir, err = ModuleDir(module, version); err != nil {
			return err
		}
		dir = filepath.Join(dir, "package", "crds")
	}
	p.mu.Lock()
	done := p.crds[dir]
	p.mu.Unlock()
	if done {
		return nil
	}
	if err := installCRDs(p.cfg, dir); err != nil {
		return err
	}
	p.mu.Lock()
	p.crds[dir] = true
	p.mu.Unlock()
	return nil
}

// packageModule is the Go module a package is built from, by the
// crossplane-contrib convention: xpkg.crossplane.io/<owner>/<name>:<tag>
// from github.com/<owner>/<name> at <tag>.
func packageModule(pkg string) (module, version string, err error) {
	ref, tag, ok := strings.Cut(pkg, ":")
	parts := strings.Split(ref, "/")
	if !ok || len(parts) != 3 || !strings.Contains(parts[0], ".") {
		return "", "", fmt.Errorf("package %q is not <registry>/<owner>/<name>:<tag>: name its CRDs in CrossplaneOptions.PackageCRDs", pkg)
	}
	return "github.com/" + parts[1] + "/" + parts[2], tag, nil
}

// writeConditions writes status.conditions (with what else u's status
// holds) unless they are already so, lastTransitionTime aside.
func (p *Crossplane) writeConditions(ctx context.Context, gvr schema.GroupVersionResource, u *unstructured.Unstructured, conds []any) {
	have, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	if sameConditions(have, conds) {
		return
	}
	_ = unstructured.SetNestedSlice(u.Object, conds, "status", "conditions")
	_, _ = p.c.dc.Resource(gvr).Namespace(u.GetNamespace()).UpdateStatus(ctx, u, metaUpdate)
}

// condition is a crossplane-runtime Condition.
func condition(typ, status, reason, msg string, generation int64) map[string]any {
	c := map[string]any{"type": typ, "status": status, "reason": reason,
		"lastTransitionTime": time.Now().UTC().Format(time.RFC3339), "observedGeneration": generation}
	if msg != "" {
		c["message"] = msg
	}
	return c
}

// sameConditions compares conditions but for their lastTransitionTime.
func sameConditions(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, _ := a[i].(map[string]any)
		y, _ := b[i].(map[string]any)
		for _, k := range []string{"type", "status", "reason", "message"} {
			if fmt.Sprint(x[k]) != fmt.Sprint(y[k]) {
				return false
			}
		}
		if fmt.Sprint(x["observedGeneration"]) != fmt.Sprint(y["observedGeneration"]) {
			return false
		}
	}
	return true
}

var modCache struct {
	once sync.Once
	dir  string
	err  error
}

// ModuleDir is a module's folder in the module cache: the players read
// CRDs from modules this repository does not import (Crossplane's, a
// provider's), which dev/dev.sh assets or `go mod download` put there.
func ModuleDir(module, version string) (string, error) {
	modCache.once.Do(func() {
		out, err := exec.Command("go", "env", "GOMODCACHE").Output()
		modCache.dir, modCache.err = strings.TrimSpace(string(out)), err
	})
	if modCache.err != nil {
		return "", fmt.Errorf("go env GOMODCACHE: %w", modCache.err)
	}
	dir := filepath.Join(modCache.dir, escapeModule(module)+"@"+version)
	if _, err := os.Stat(dir); err != nil {
		return "", fmt.Errorf("module %s@%s is not in the module cache: go mod download %s@%s", module, version, module, version)
	}
	return dir, nil
}

// escapeModule is the module cache's case encoding (an upper-case letter
// is "!" and the letter in lower case).
func escapeModule(module string) string {
	var b strings.Builder
	for _, r := range module {
		if r >= 'A' && r <= 'Z' {
			b.WriteByte('!')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}
