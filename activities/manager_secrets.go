package activities

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"go.temporal.io/sdk/temporal"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/openova-io/core/secret"
	"github.com/openova-io/core/secret/passhash"
)

// The manager's namespace and the Secrets deploy/overlays/bootstrap mounts.
const (
	ManagerNamespace   = "openova-system"
	ManagerTLSSecret   = "openova-manager-tls"
	ManagerAdminSecret = "openova-admin"
	ManagerAdminKey    = "password.argon2id"
	// ManagerPullSecret is the Deployment's imagePullSecret: a read-only
	// token for the region's Gitea registry.
	ManagerPullSecret = "openova-registry"
)

// ManagerSecretsInput is what the manager's pod mounts: its serving pair
// (for manager.<domain> and the load balancer's address, signed by the
// cluster CA) and the argon2id hash of the first admin's password, which
// the bootstrap generated and shows once.
type ManagerSecretsInput struct {
	Cluster    string
	Kubeconfig secret.Bytes
	TLSCert    string
	TLSKey     secret.Text
	// AdminHash is a PHC string ($argon2id$...), never the password.
	AdminHash string
	// Registry (host:port) and PullUser with PullToken, a read-only
	// package token, are what the nodes pull the image with.
	Registry  string
	PullUser  string
	PullToken secret.Text
}

// ManagerSecretsResult names the Secrets in place.
type ManagerSecretsResult struct {
	Namespace string
	Secrets   []string
}

// ApplyManagerSecrets creates (or updates) the manager's namespace and its
// two Secrets through the region's API, server-side applied as the
// bootstrap, so running it twice changes nothing. They never go into the
// platform repository: what Flux applies from Git is public to anyone who
// can read the repository, and a TLS key there would outlive its
// rotation in the history. The namespace carries deploy/base's labels
// (the "restricted" Pod Security Standard), so Flux applying the same
// namespace later agrees with it.
func (c *Clusters) ApplyManagerSecrets(ctx context.Context, in ManagerSecretsInput) (ManagerSecretsResult, error) {
	if err := in.check(); err != nil {
		return ManagerSecretsResult{}, err
	}
	dc, err := dynamicFor(in.Cluster, in.Kubeconfig)
	if err != nil {
		return ManagerSecretsResult{}, err
	}
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	ns := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace",
		"metadata": map[string]any{"name": ManagerNamespace, "labels": map[string]any{
			"pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/audit": "restricted",
			"pod-security.kubernetes.io/warn": "restricted"}}}}
	docker, err := json.Marshal(map[string]any{"auths": map[string]any{in.Registry: map[string]string{
		"username": in.PullUser, "password": in.PullToken.Reveal(), "auth": b64(in.PullUser + ":" + in.PullToken.Reveal())}}})
	if err != nil {
		return ManagerSecretsResult{}, err
	}
	objs := []giteaObject{{schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}, ns},
		managerSecret(ManagerTLSSecret, "kubernetes.io/tls", map[string]any{"tls.crt": b64(in.TLSCert), "tls.key": b64(in.TLSKey.Reveal())}),
		managerSecret(ManagerAdminSecret, "Opaque", map[string]any{ManagerAdminKey: b64(in.AdminHash)}),
		managerSecret(ManagerPullSecret, "kubernetes.io/dockerconfigjson", map[string]any{".dockerconfigjson": b64(string(docker))}),
	}
	for _, o := range objs {
		if err := applyObject(ctx, dc, in.Cluster, o, in.TLSKey, secret.Text(in.AdminHash), in.PullToken); err != nil {
			return ManagerSecretsResult{}, err
		}
	}
	return ManagerSecretsResult{Namespace: ManagerNamespace, Secrets: []string{ManagerTLSSecret, ManagerAdminSecret, ManagerPullSecret}}, nil
}

func managerSecret(name, typ string, data map[string]any) giteaObject {
	return giteaObject{schema.GroupVersionResource{Version: "v1", Resource: "secrets"}, &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Secret", "type": typ, "data": data,
		"metadata": map[string]any{"name": name, "namespace": ManagerNamespace,
			"labels": map[string]any{"app.kubernetes.io/managed-by": "openova", "app.kubernetes.io/part-of": "openova"}}}}}
}

func (in ManagerSecretsInput) check() error {
	bad := func(msg string) error {
		return temporal.NewNonRetryableApplicationError("manager secrets of "+in.Cluster+": "+msg, ErrInvalidBootstrap, nil)
	}
	switch {
	case in.Cluster == "" || len(in.Kubeconfig) == 0:
		return bad("the cluster and its kubeconfig are required")
	case !strings.HasPrefix(in.AdminHash, "$argon2id$"):
		return bad("the admin hash is not an argon2id PHC string ($argon2id$...): hash the generated password, never pass it")
	case in.Registry == "" || strings.Contains(in.Registry, "/") || in.PullUser == "" || in.PullToken == "":
		return bad("the registry (host:port), the pull user and its read-only token are required: the nodes pull the image with them")
	}
	if _, err := tls.X509KeyPair([]byte(in.TLSCert), []byte(in.TLSKey.Reveal())); err != nil {
		return bad("the serving certificate and key are not a PEM pair that belongs together: issue them with IssueServingCert")
	}
	return nil
}

// ManagerAdminInput names the platform whose manager's first admin
// password is generated.
type ManagerAdminInput struct {
	Organization string
}

// ManagerAdmin is the first admin's password, which the final page shows
// once, and its argon2id hash, which the manager gets (ApplyManagerSecrets).
type ManagerAdmin struct {
	Password secret.Text
	Hash     string
}

// GenerateManagerAdmin makes the manager's first admin password (144
// random bits) and its hash. The workflow calls it once and keeps the
// result in its encrypted history, so after a kill -9 the password the
// final page shows is still the one whose hash the manager has.
func (c *Clusters) GenerateManagerAdmin(_ context.Context, in ManagerAdminInput) (ManagerAdmin, error) {
	if in.Organization == "" {
		return ManagerAdmin{}, temporal.NewNonRetryableApplicationError("manager admin: the organization is required", ErrInvalidBootstrap, nil)
	}
	raw := make([]byte, 18)
	if _, err := rand.Read(raw); err != nil {
		return ManagerAdmin{}, fmt.Errorf("generate the manager's admin password: %w", err)
	}
	password := base64.RawURLEncoding.EncodeToString(raw)
	hash, err := passhash.Hash(password)
	if err != nil {
		return ManagerAdmin{}, fmt.Errorf("hash the manager's admin password: %w", err)
	}
	return ManagerAdmin{Password: secret.Text(password), Hash: hash}, nil
}
