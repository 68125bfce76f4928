package activities

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"go.temporal.io/sdk/temporal"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// GitSecretCAKey is the optional key of a Git credentials Secret that holds
// the CA the Git server's certificate is verified with.
const GitSecretCAKey = "ca.crt"

// SecretCredentials resolves a platform's spec.git.secretRef: a Secret in
// the manager's namespace with `username` and `password` (or a token as the
// password), and `url`, the repository (or the Git host) they are for: they
// are sent to that host only, so whoever may edit spec.git.url cannot have
// them sent elsewhere. An optional `ca.crt` is the CA of a Git server with
// a private certificate (the bootstrap's Gitea). Only the Secret's name travels through workflow
// history; its content is read here, at the moment of the push.
func SecretCredentials(c client.Reader, namespace string) func(ctx context.Context, secretRef string) (transport.AuthMethod, error) {
	return func(ctx context.Context, secretRef string) (transport.AuthMethod, error) {
		if secretRef == "" {
			return nil, nil
		}
		var s corev1.Secret
		err := c.Get(ctx, client.ObjectKey{Namespace: namespace, Name: secretRef}, &s)
		if apierrors.IsNotFound(err) {
			return nil, temporal.NewNonRetryableApplicationError(
				fmt.Sprintf("git credentials Secret %s/%s does not exist: create it with keys username and password", namespace, secretRef), ErrGitCredentials, nil)
		}
		if err != nil {
			return nil, fmt.Errorf("read git credentials Secret %s/%s: %w", namespace, secretRef, err)
		}
		user, pass := string(s.Data["username"]), string(s.Data["password"])
		if pass == "" {
			return nil, temporal.NewNonRetryableApplicationError(
				fmt.Sprintf("git credentials Secret %s/%s has no password key: add the password or token under password", namespace, secretRef), ErrGitCredentials, nil)
		}
		if user == "" {
			user = "git"
		}
		raw := strings.TrimSpace(string(s.Data["url"]))
		if raw == "" {
			return nil, temporal.NewNonRetryableApplicationError(fmt.Sprintf(
				"git credentials Secret %s/%s has no url key: add url with the repository's URL (e.g. https://git.example.com/acme/platform.git); openova sends the credentials to that host only",
				namespace, secretRef), ErrGitCredentials, nil)
		}
		origin, err := url.Parse(raw)
		if err != nil || origin.Host == "" || (origin.Scheme != "https" && origin.Scheme != "http") {
			return nil, temporal.NewNonRetryableApplicationError(fmt.Sprintf(
				"git credentials Secret %s/%s: url is not an http(s) URL: give the repository's URL, e.g. https://git.example.com/acme/platform.git",
				namespace, secretRef), ErrGitCredentials, nil)
		}
		origin.User, origin.Path, origin.RawQuery, origin.Fragment = nil, "", "", ""
		ca := s.Data[GitSecretCAKey]
		if len(ca) > 0 {
			if err := checkCAPEM(string(ca)); err != nil {
				return nil, temporal.NewNonRetryableApplicationError(fmt.Sprintf(
					"git credentials Secret %s/%s: %s is not a PEM certificate: %v; give the CA that signed the Git server's certificate, or remove the key",
					namespace, secretRef, GitSecretCAKey, err), ErrGitCredentials, nil)
			}
		}
		return &boundAuth{BasicAuth: &githttp.BasicAuth{Username: user, Password: pass}, origin: origin, ca: ca}, nil
	}
}
