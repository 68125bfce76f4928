package players

import (
	"archive/tar"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
)

// ManagerOptions say where the region's load balancer serves the manager.
type ManagerOptions struct {
	// LoadBalancer is <address>:<port> the region's load balancer serves
	// the manager on (TCP passed through to NodePort).
	LoadBalancer string
	// NodePort is the Service's node port the balancer forwards to.
	NodePort int32
}

// Manager is the played kubelet's run of the manager's pod.
type Manager struct {
	*Play
	mu      sync.Mutex
	ref     string
	img     v1.Image
	binary  string
	logPath string
}

// Ref is the image reference the Deployment names (repository@digest).
func (m *Manager) Ref() string { m.mu.Lock(); defer m.mu.Unlock(); return m.ref }

// Image is the image pulled by that digest.
func (m *Manager) Image() v1.Image { m.mu.Lock(); defer m.mu.Unlock(); return m.img }

// Binary is the executable taken out of the image's layer.
func (m *Manager) Binary() string { m.mu.Lock(); defer m.mu.Unlock(); return m.binary }

// Log is what the manager's process printed so far.
func (m *Manager) Log() string {
	m.mu.Lock()
	p := m.logPath
	m.mu.Unlock()
	b, _ := os.ReadFile(p)
	return string(b)
}

// PlayManager plays k3s's kubelet for the Lifecycle Manager: once Flux
// has applied the Deployment openova-system/openova-manager it pulls the
// Deployment's image by its digest from the registry it names (Gitea's,
// verified by the cluster's CA, as registries.yaml has the nodes do) with
// the credentials of the pod's imagePullSecrets, as kubelet does,
// takes the binary out of the layer, and runs it with the container's
// args and env: its Secret volumes written to files, its other volumes
// as empty folders, the mount paths in args mapped to them, the API
// reached with a token of the pod's ServiceAccount, and its port on
// loopback (a pod has its own network namespace, so the player gives it
// free ports, the embedded Temporal's too). A TCP proxy at opts.LoadBalancer
// plays the balancer, NodePort and Service: it forwards to the port the
// Service's NodePort targets.
func PlayManager(t testing.TB, cfg *rest.Config, opts ManagerOptions) *Manager {
	t.Helper()
	c, err := newClients(cfg)
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	m := &Manager{logPath: filepath.Join(root, "manager.log")}
	var proc *exec.Cmd
	var lb net.Listener
	t.Cleanup(func() {
		if lb != nil {
			_ = lb.Close()
		}
		if proc != nil && proc.Process != nil {
			_ = proc.Process.Kill()
			_ = proc.Wait()
		}
	})
	m.Play = start(t, "the manager's kubelet player", func(ctx context.Context) error {
		d, err := c.waitDeployment(ctx, "openova-system", "openova-manager")
		if err != nil {
			return err
		}
		ctr := d.Spec.Template.Spec.Containers[0]
		auth, err := c.pullAuth(ctx, d, ctr.Image)
		if err != nil {
			return err
		}
		img, bin, err := pullBinary(ctx, cfg, ctr.Image, auth, root)
		if err != nil {
			return err
		}
		m.mu.Lock()
		m.ref, m.img, m.binary = ctr.Image, img, bin
		m.mu.Unlock()
		// The balancer reaches the pod's port through the Service's
		// NodePort: the player checks that chain, then gives the port.
		if _, err := c.serviceTarget(ctx, d.Namespace, "openova-manager", opts.NodePort, ctr); err != nil {
			return err
		}
		podPort, temporalPort := freePort(), freePort()
		if podPort == 0 || temporalPort == 0 {
			return errors.New("no free port on loopback for the manager's pod")
		}
		args, err := c.podArgs(ctx, d, ctr, root, podPort, temporalPort)
		if err != nil {
			return err
		}
		env, err := c.podEnv(ctx, cfg, d, ctr, root)
		if err != nil {
			return err
		}
		logFile, err := os.Create(m.logPath)
		if err != nil {
			return err
		}
		proc = exec.Command(bin, args...)
		proc.Env, proc.Dir, proc.Stdout, proc.Stderr = env, root, logFile, logFile
		if err := proc.Start(); err != nil {
			return fmt.Errorf("run the manager's binary: %w", err)
		}
		if lb, err = net.Listen("tcp", opts.LoadBalancer); err != nil {
			return fmt.Errorf("play the load balancer at %s: %w", opts.LoadBalancer, err)
		}
		go forward(lb, net.JoinHostPort("127.0.0.1", strconv.Itoa(podPort)))
		return nil
	}, nil)
	return m
}

// waitDeployment waits until Flux has applied the Deployment.
func (c clients) waitDeployment(ctx context.Context, ns, name string) (*appsv1.Deployment, error) {
	d, err := waitFor(ctx, func() (*appsv1.Deployment, error) {
		return c.cs.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
	})
	if err == nil && len(d.Spec.Template.Spec.Containers) != 1 {
		err = fmt.Errorf("deployment %s/%s has %d containers, the manager's has one", ns, name, len(d.Spec.Template.Spec.Containers))
	}
	return d, err
}

// pullAuth is what kubelet would pull ref with: the credentials for its
// registry in the pod's imagePullSecrets (waited for, as kubelet retries),
// else anonymous.
func (c clients) pullAuth(ctx context.Context, d *appsv1.Deployment, ref string) (authn.Authenticator, error) {
	host, _, _ := strings.Cut(ref, "/")
	for _, ps := range d.Spec.Template.Spec.ImagePullSecrets {
		s, err := waitFor(ctx, func() (*corev1.Secret, error) {
			return c.cs.CoreV1().Secrets(d.Namespace).Get(ctx, ps.Name, metav1.GetOptions{})
		})
		if err != nil {
			return nil, err
		}
		var cfg struct {
			Auths map[string]struct{ Username, Password string } `json:"auths"`
		}
		if err := json.Unmarshal(s.Data[corev1.DockerConfigJsonKey], &cfg); err != nil {
			return nil, fmt.Errorf("imagePullSecret %s/%s: %w", d.Namespace, ps.Name, err)
		}
		if a, ok := cfg.Auths[host]; ok {
			return &authn.Basic{Username: a.Username, Password: a.Password}, nil
		}
	}
	return authn.Anonymous, nil
}

// pullBinary pulls ref, which must name a digest (a node would pull a tag
// too; the bootstrap must never write one), and writes the image's
// /openova into dir.
func pullBinary(ctx context.Context, cfg *rest.Config, ref string, auth authn.Authenticator, dir string) (v1.Image, string, error) {
	d, err := name.NewDigest(ref, name.StrictValidation)
	if err != nil {
		return nil, "", fmt.Errorf("the Deployment's image %q is not repository@sha256:digest: %w", ref, err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(cfg.CAData) {
		return nil, "", errors.New("the cluster's CA does not parse")
	}
	tr := &http.Transport{Proxy: nil, TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}}
	img, err := remote.Image(d, remote.WithContext(ctx), remote.WithAuth(auth), remote.WithTransport(tr))
	if err != nil {
		return nil, "", fmt.Errorf("pull %s: %w", ref, err)
	}
	got, err := img.Digest()
	if err != nil || got.String() != d.DigestStr() {
		return nil, "", fmt.Errorf("pulled %s, got digest %v (%v)", ref, got, err)
	}
	rc := mutate.Extract(img)
	defer func() { _ = rc.Close() }()
	tr2 := tar.NewReader(rc)
	for {
		h, err := tr2.Next()
		if err == io.EOF {
			return nil, "", fmt.Errorf("image %s holds no /openova", ref)
		}
		if err != nil {
			return nil, "", fmt.Errorf("read the layer of %s: %w", ref, err)
		}
		if h.Name != "openova" {
			continue
		}
		bin := filepath.Join(dir, "openova")
		f, err := os.OpenFile(bin, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
		if err != nil {
			return nil, "", err
		}
		if _, err := io.Copy(f, tr2); err != nil {
			_ = f.Close()
			return nil, "", err
		}
		return img, bin, f.Close()
	}
}
