package players

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	"github.com/openova-io/core/dev/testenv"
	"github.com/openova-io/core/dev/testenv/gitea"
	"github.com/openova-io/core/secret"
)

// GiteaOptions say where the Gitea chart's pod is reached: the address of
// the region's load balancer, which passes TCP through to it.
type GiteaOptions struct {
	// ListenIP defaults to 127.0.0.1; 127.0.0.2 and up are loopback too,
	// so each region's Gitea can have its own address.
	ListenIP string
	// Port defaults to a free one.
	Port int
	// TLSSecret names the TLS Secret (tls.crt, tls.key) in the release's
	// namespace when the values do not say which one Gitea serves.
	TLSSecret string
	// AppIni is added to the played Gitea's app.ini: what the test's
	// network needs (a [proxy] that stands in for the WireGuard link).
	AppIni string
}

// Gitea is the played Gitea chart: a real Gitea server once Done.
type Gitea struct {
	*Play
	mu   sync.Mutex
	inst *gitea.Instance
}

// Instance is the running server (URL, Dir, admin), nil until Done.
func (g *Gitea) Instance() *gitea.Instance {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.inst
}

// PlayGitea waits for a HelmChart of the chart "gitea" and does what the
// chart's pod would: it reads the site admin from the Secret the values
// name (gitea.admin.existingSecret, keys username and password) and the
// serving certificate from the TLS Secret the values mount where
// gitea.config.server.CERT_FILE points (or opts.TLSSecret), both in the
// HelmChart's targetNamespace, waiting for them as a pod waits for its
// volumes, and starts a real Gitea (dev/testenv/gitea) with that admin,
// serving HTTPS with that certificate at https://ListenIP:Port. The
// chart's Deployment shows available and the HelmChart its install job.
func PlayGitea(t testing.TB, cfg *rest.Config, opts GiteaOptions) *Gitea {
	t.Helper()
	bin, static := testenv.Bin(t, "gitea"), gitea.StaticRoot(t)
	files := t.TempDir() // the Secrets' files the values point git at
	c, err := newClients(cfg)
	if err != nil {
		t.Fatal(err)
	}
	g := &Gitea{}
	t.Cleanup(func() { // registered first, so it runs after the player stopped
		if inst := g.Instance(); inst != nil {
			if err := inst.Remove(); err != nil {
				t.Errorf("stop the played gitea: %v", err)
			}
		}
	})
	g.Play = start(t, "the Gitea player", func(ctx context.Context) error {
		hc, err := c.waitHelmChart(ctx, "gitea")
		if err != nil {
			return err
		}
		values, err := Values(hc)
		if err != nil {
			return err
		}
		ns, err := c.releaseNamespace(ctx, hc)
		if err != nil {
			return err
		}
		srv := gitea.Server{Name: hc.GetName(), IP: opts.ListenIP, Port: opts.Port}
		if err := c.giteaAdmin(ctx, ns, values, &srv); err != nil {
			return err
		}
		if err := c.giteaTLS(ctx, ns, values, opts.TLSSecret, &srv); err != nil {
			return err
		}
		gitConfig, err := c.gitConfig(ctx, ns, values, files)
		if err != nil {
			return err
		}
		srv.AppIni = gitConfig + opts.AppIni
		inst, err := gitea.Launch(bin, static, srv)
		g.mu.Lock()
		g.inst = inst
		g.mu.Unlock()
		if err != nil {
			return fmt.Errorf("start gitea for HelmChart %s: %w", hc.GetName(), err)
		}
		if err := c.availableDeployment(ctx, ns, hc.GetName(), map[string]string{"app.kubernetes.io/name": "gitea",
			"app.kubernetes.io/instance": hc.GetName()}); err != nil {
			return err
		}
		return c.installed(ctx, hc)
	}, nil)
	return g
}

// giteaAdmin is the site admin the chart's init container creates: from
// gitea.admin.existingSecret, or else the values' username and password.
func (c clients) giteaAdmin(ctx context.Context, ns string, values map[string]any, srv *gitea.Server) error {
	name := str(values, "gitea", "admin", "existingSecret")
	if name == "" {
		srv.Username, srv.Password = str(values, "gitea", "admin", "username"), secret.Text(str(values, "gitea", "admin", "password"))
		if srv.Username == "" || srv.Password == "" {
			return fmt.Errorf("the gitea values name no gitea.admin.existingSecret and no admin username and password")
		}
		return nil
	}
	data, err := c.secretKeys(ctx, ns, name, "username", "password")
	if err != nil {
		return err
	}
	srv.Username, srv.Password = string(data["username"]), secret.Text(data["password"])
	return nil
}

// giteaTLS is the certificate Gitea serves when the values make it serve
// HTTPS (gitea.config.server.PROTOCOL https): the Secret of the volume
// mounted where CERT_FILE is, else named by opts, else the ingress's.
func (c clients) giteaTLS(ctx context.Context, ns string, values map[string]any, named string, srv *gitea.Server) error {
	if str(values, "gitea", "config", "server", "PROTOCOL") != "https" && named == "" {
		return nil // the chart serves HTTP
	}
	name := mountedSecret(values, path.Dir(str(values, "gitea", "config", "server", "CERT_FILE")))
	if name == "" {
		name = named
	}
	if name == "" {
		if tls, _ := lookup(values, "ingress", "tls").([]any); len(tls) > 0 {
			name = str(map[string]any{"t": tls[0]}, "t", "secretName")
		}
	}
	if name == "" {
		return fmt.Errorf("the gitea values serve HTTPS but mount no Secret where CERT_FILE %q is, and no TLS Secret was named",
			str(values, "gitea", "config", "server", "CERT_FILE"))
	}
	data, err := c.secretKeys(ctx, ns, name, corev1.TLSCertKey, corev1.TLSPrivateKeyKey)
	if err != nil {
		return err
	}
	srv.TLS = &gitea.TLS{Cert: string(data[corev1.TLSCertKey]), Key: string(data[corev1.TLSPrivateKeyKey])}
	return nil
}

// gitConfig is the values' [git.config] (gitea.config."git.config") as
// the chart's pod reads it: a value that is a file of a Secret the values
// mount is that Secret's key, waited for and copied into dir.
func (c clients) gitConfig(ctx context.Context, ns string, values map[string]any, dir string) (string, error) {
	section, _ := lookup(values, "gitea", "config", "git.config").(map[string]any)
	if len(section) == 0 {
		return "", nil
	}
	keys := make([]string, 0, len(section))
	for k := range section {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("[git.config]\n")
	for _, k := range keys {
		v := fmt.Sprint(section[k])
		if name := mountedSecret(values, path.Dir(v)); name != "" {
			key := path.Base(v)
			data, err := c.secretKeys(ctx, ns, name, key)
			if err != nil {
				return "", err
			}
			v = filepath.Join(dir, name+"-"+key)
			if err := os.WriteFile(v, data[key], 0o600); err != nil {
				return "", err
			}
		}
		fmt.Fprintf(&b, "%s = %s\n", k, v)
	}
	return b.String(), nil
}

// mountedSecret is the Secret behind the chart's extra volume mounted at
// dir in the gitea container ("" when none is).
func mountedSecret(values map[string]any, dir string) string {
	mounts, _ := lookup(values, "extraContainerVolumeMounts").([]any)
	volumes, _ := lookup(values, "extraVolumes").([]any)
	for _, m := range mounts {
		mount := map[string]any{"m": m}
		if path.Clean(str(mount, "m", "mountPath")) != dir {
			continue
		}
		for _, v := range volumes {
			vol := map[string]any{"v": v}
			if str(vol, "v", "name") == str(mount, "m", "name") {
				return str(vol, "v", "secret", "secretName")
			}
		}
	}
	return ""
}

// secretKeys waits for a Secret with every key (as a pod waits for the
// volumes it mounts) and returns its data.
func (c clients) secretKeys(ctx context.Context, ns, name string, keys ...string) (map[string][]byte, error) {
	var s *corev1.Secret
	err := until(ctx, func() (bool, error) {
		got, err := c.cs.CoreV1().Secrets(ns).Get(ctx, name, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
			return false, nil
		case err != nil:
			return false, fmt.Errorf("read Secret %s/%s: %w", ns, name, err)
		}
		for _, k := range keys {
			if len(got.Data[k]) == 0 {
				return false, nil
			}
		}
		s = got
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	return s.Data, nil
}
