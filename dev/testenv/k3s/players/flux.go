package players

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"k8s.io/client-go/rest"

	"github.com/openova-io/core/dev/testenv"
	"github.com/openova-io/core/dev/testenv/flux"
)

// fluxControllers are the flux2 chart's controllers that run here for
// real (built from source by dev/dev.sh), by their values key.
var fluxControllers = map[string]string{"sourceController": "source-controller", "kustomizeController": "kustomize-controller"}

// Flux is the played flux2 chart: Flux's real controllers once Done.
type Flux struct {
	*Play
	mu   sync.Mutex
	flux *flux.Flux
}

// Flux is the running pair of controllers (nil until Done).
func (f *Flux) Flux() *flux.Flux {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.flux
}

// PlayFlux waits for a HelmChart of the chart "flux2" and does what the
// chart would: it installs Flux's CRDs (the chart's installCRDs) and runs
// the real source-controller and kustomize-controller against the stand-in
// (dev/testenv/flux), in flux-system, whose Deployments then show
// available. Other controllers of the chart do not run here: values that
// turn on one of them are not an error (their Deployments just never
// appear), values that turn off source's or kustomize's are.
func PlayFlux(t testing.TB, cfg *rest.Config) *Flux {
	t.Helper()
	testenv.Bin(t, "source-controller")
	testenv.Bin(t, "kustomize-controller")
	flux.CRDDirs(t)
	c, err := newClients(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f := &Flux{}
	f.Play = start(t, "the Flux player", func(ctx context.Context) error {
		hc, err := c.waitHelmChart(ctx, "flux2")
		if err != nil {
			return err
		}
		values, err := Values(hc)
		if err != nil {
			return err
		}
		for key := range fluxControllers {
			if on, ok := lookup(values, key, "create").(bool); ok && !on {
				return fmt.Errorf("HelmChart %s turns %s.create off: the bootstrap needs Flux's source and kustomize controllers", hc.GetName(), key)
			}
		}
		if ns := targetNamespace(hc); ns != flux.Namespace {
			return fmt.Errorf("HelmChart %s installs Flux into %s: the player runs it in %s", hc.GetName(), ns, flux.Namespace)
		}
		ns, err := c.releaseNamespace(ctx, hc)
		if err != nil {
			return err
		}
		kubeconfig, err := WriteKubeconfig(cfg, t.TempDir())
		if err != nil {
			return err
		}
		started := flux.Start(t, cfg, kubeconfig)
		f.mu.Lock()
		f.flux = started
		f.mu.Unlock()
		for _, name := range fluxControllers {
			if err := c.availableDeployment(ctx, ns, name, map[string]string{"app": name}); err != nil {
				return err
			}
		}
		return c.installed(ctx, hc)
	}, nil)
	return f
}
