package activities

import (
	"context"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"go.temporal.io/sdk/temporal"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// SecretCredentials resolves a platform's spec.git.secretRef: a Secret in
// the manager's namespace with `username` and `password` (or a token as the
// password). Only the Secret's name travels through workflow history; its
// content is read here, at the moment of the push.
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
		return &githttp.BasicAuth{Username: user, Password: pass}, nil
	}
}
