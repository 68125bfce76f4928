package players

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	authv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// The kubelet player's pod: its Service, args, volumes, env and port.

// serviceTarget checks that the Service's NodePort targets the
// container's port, as the load balancer relies on.
func (c clients) serviceTarget(ctx context.Context, ns, name string, nodePort int32, ctr corev1.Container) (int32, error) {
	svc, err := waitFor(ctx, func() (*corev1.Service, error) {
		return c.cs.CoreV1().Services(ns).Get(ctx, name, metav1.GetOptions{})
	})
	if err != nil {
		return 0, err
	}
	for _, p := range svc.Spec.Ports {
		if p.NodePort != nodePort {
			continue
		}
		for _, cp := range ctr.Ports {
			if cp.Name == p.TargetPort.StrVal || cp.ContainerPort == p.TargetPort.IntVal {
				return cp.ContainerPort, nil
			}
		}
		return 0, fmt.Errorf("service %s/%s: node port %d targets %s, which the container does not expose", ns, name, nodePort, p.TargetPort.String())
	}
	return 0, fmt.Errorf("service %s/%s has no node port %d for the load balancer", ns, name, nodePort)
}

// podArgs are the container's args with each volume's mount path mapped
// to its folder (Secrets written out) and the pod's ports given.
func (c clients) podArgs(ctx context.Context, d *appsv1.Deployment, ctr corev1.Container, root string, podPort, temporalPort int) ([]string, error) {
	vols := map[string]corev1.Volume{}
	for _, v := range d.Spec.Template.Spec.Volumes {
		vols[v.Name] = v
	}
	mounts := map[string]string{}
	for _, vm := range ctr.VolumeMounts {
		dir := filepath.Join(root, "volumes", vm.Name)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
		if v := vols[vm.Name]; v.Secret != nil {
			if err := c.writeSecret(ctx, d.Namespace, v.Secret, dir); err != nil {
				return nil, err
			}
		}
		mounts[vm.MountPath] = dir
	}
	paths := make([]string, 0, len(mounts))
	for p := range mounts {
		paths = append(paths, p)
	}
	sort.Slice(paths, func(i, j int) bool { return len(paths[i]) > len(paths[j]) })
	var args []string
	for _, a := range ctr.Args {
		if strings.HasPrefix(a, "--listen=") {
			a = "--listen=127.0.0.1:" + strconv.Itoa(podPort)
		}
		for _, p := range paths {
			if i := strings.Index(a, p); i >= 0 {
				a = a[:i] + mounts[p] + a[i+len(p):]
				break
			}
		}
		args = append(args, a)
	}
	return append(args, "--temporal-listen=127.0.0.1:"+strconv.Itoa(temporalPort)), nil
}

// writeSecret writes a Secret volume's keys (or its items) as files,
// waiting for the Secret as a pod waits for its volume.
func (c clients) writeSecret(ctx context.Context, ns string, v *corev1.SecretVolumeSource, dir string) error {
	s, err := waitFor(ctx, func() (*corev1.Secret, error) {
		return c.cs.CoreV1().Secrets(ns).Get(ctx, v.SecretName, metav1.GetOptions{})
	})
	if err != nil {
		return err
	}
	files := map[string]string{}
	for k := range s.Data {
		files[k] = k
	}
	if len(v.Items) > 0 {
		files = map[string]string{}
		for _, it := range v.Items {
			files[it.Key] = it.Path
		}
	}
	for k, p := range files {
		b, ok := s.Data[k]
		if !ok {
			return fmt.Errorf("secret %s/%s has no key %s the volume names", ns, v.SecretName, k)
		}
		if err := os.WriteFile(filepath.Join(dir, p), b, 0o600); err != nil {
			return err
		}
	}
	return nil
}

// podEnv is the container's env (values, the memory limit, the pod's
// namespace) and a kubeconfig of the pod's ServiceAccount token.
func (c clients) podEnv(ctx context.Context, cfg *rest.Config, d *appsv1.Deployment, ctr corev1.Container, root string) ([]string, error) {
	env := []string{"HOME=" + root, "PATH=/usr/bin:/bin"}
	for _, e := range ctr.Env {
		switch {
		case e.ValueFrom == nil:
			env = append(env, e.Name+"="+e.Value)
		case e.ValueFrom.ResourceFieldRef != nil && e.ValueFrom.ResourceFieldRef.Resource == "limits.memory":
			q := ctr.Resources.Limits[corev1.ResourceMemory]
			env = append(env, e.Name+"="+strconv.FormatInt(q.Value(), 10))
		case e.ValueFrom.FieldRef != nil && e.ValueFrom.FieldRef.FieldPath == "metadata.namespace":
			env = append(env, e.Name+"="+d.Namespace)
		default:
			return nil, fmt.Errorf("env %s: the player does not play this valueFrom", e.Name)
		}
	}
	sa := d.Spec.Template.Spec.ServiceAccountName
	tok, err := c.cs.CoreV1().ServiceAccounts(d.Namespace).CreateToken(ctx, sa, &authv1.TokenRequest{}, metav1.CreateOptions{})
	if err != nil {
		return nil, fmt.Errorf("a token of the pod's ServiceAccount %s/%s: %w", d.Namespace, sa, err)
	}
	kc := clientcmdapi.NewConfig()
	kc.Clusters["k3s"] = &clientcmdapi.Cluster{Server: cfg.Host, CertificateAuthorityData: cfg.CAData}
	kc.AuthInfos["pod"] = &clientcmdapi.AuthInfo{Token: tok.Status.Token}
	kc.Contexts["pod"] = &clientcmdapi.Context{Cluster: "k3s", AuthInfo: "pod", Namespace: d.Namespace}
	kc.CurrentContext = "pod"
	path := filepath.Join(root, "kubeconfig")
	if err := clientcmd.WriteToFile(*kc, path); err != nil {
		return nil, err
	}
	return append(env, "KUBECONFIG="+path), nil
}

// waitFor gets an object until it exists, as kubelet waits for what a
// pod refers to.
func waitFor[T any](ctx context.Context, get func() (T, error)) (T, error) {
	var out T
	err := until(ctx, func() (bool, error) {
		got, err := get()
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		out = got
		return err == nil, err
	})
	return out, err
}

// forward plays the load balancer: each connection is passed through.
func forward(l net.Listener, to string) {
	for {
		in, err := l.Accept()
		if err != nil {
			return
		}
		go func() {
			defer func() { _ = in.Close() }()
			out, err := net.Dial("tcp", to)
			if err != nil {
				return
			}
			defer func() { _ = out.Close() }()
			go func() { _, _ = io.Copy(out, in) }()
			_, _ = io.Copy(in, out)
		}()
	}
}

// freePort is a port free on loopback now.
func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port
}
