package activities

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/kube"
	"github.com/openova-io/core/secret"
)

// Flux points each region's Flux at the region's own Gitea: from then on,
// what the platform runs in that region is a commit under clusters/<region>/
// of the platform repository. It reaches the region's API server with the
// admin kubeconfig the bootstrap built (Clusters.Connect), and writes only
// Flux's sync objects in flux-system: the token Secret, a GitRepository and
// a Kustomization, all named FluxSyncName.
type Flux struct {
	// FieldOwner is the server-side apply field manager (default openova).
	FieldOwner string
	// Poll is how often a wait looks again (2 s when 0).
	Poll time.Duration
}

// Flux's sync objects: their namespace (where Flux runs) and name, and the
// API versions of Flux v2.
const (
	FluxNamespace      = "flux-system"
	FluxSyncName       = "platform"
	fluxSourceAPI      = "source.toolkit.fluxcd.io/v1"
	fluxKustomizeAPI   = "kustomize.toolkit.fluxcd.io/v1"
	fluxDefaultOwner   = "openova"
	fluxDefaultTimeout = 5 * time.Minute
)

func (f *Flux) owner() string {
	if f.FieldOwner == "" {
		return fluxDefaultOwner
	}
	return f.FieldOwner
}

func (f *Flux) poll() time.Duration {
	if f.Poll <= 0 {
		return 2 * time.Second
	}
	return f.Poll
}

// ApplyFluxSyncInput is one region's sync: where its API server is, the
// platform repository in the region's Gitea and the token Flux reads it
// with.
type ApplyFluxSyncInput struct {
	Region     string
	Kubeconfig secret.Bytes
	// RepoURL is the platform repository's http(s) URL in the region's
	// Gitea, as Flux inside the cluster reaches it, without credentials.
	RepoURL string
	// Branch is the branch Flux follows (main when empty).
	Branch   string `json:",omitempty"`
	Username string
	Token    secret.Text
	// CA is the PEM certificate that signed the Gitea's serving
	// certificate (the region's cluster CA); Flux trusts it for this
	// repository only (the Secret's ca.crt). Empty: the system's roots.
	CA string `json:",omitempty"`
	// Wait makes Flux health-check what it applies (spec.wait). The
	// bootstrap leaves it off: the platform path holds the substrate's
	// Kustomizations, which depend on this one, so a health check of them
	// would wait on itself (they health-check their own objects instead).
	Wait bool
	// Timeout bounds one apply and its health checks (5 minutes when 0).
	Timeout time.Duration `json:",omitempty"`
}

// ApplyFluxSyncResult is the generation of each object after the apply:
// the wait checks Flux has seen them.
type ApplyFluxSyncResult struct {
	GitRepositoryGeneration int64
	KustomizationGeneration int64
}

// ApplyFluxSync server-side applies the token Secret, the GitRepository and
// the Kustomization (path clusters/<region>/, prune on), so running it
// again changes nothing, and a changed token or URL is applied over the old
// one. Flux's CRDs missing is a retryable FluxNotInstalled: Flux may still
// be installing.
func (f *Flux) ApplyFluxSync(ctx context.Context, in ApplyFluxSyncInput) (ApplyFluxSyncResult, error) {
	if err := in.validate(); err != nil {
		return ApplyFluxSyncResult{}, temporal.NewNonRetryableApplicationError(
			"flux sync of "+in.Region+": "+err.Error(), ErrInvalidFluxSync, nil)
	}
	c, err := fluxClient(in.Region, in.Kubeconfig)
	if err != nil {
		return ApplyFluxSyncResult{}, err
	}
	var res ApplyFluxSyncResult
	for _, u := range in.objects() {
		err := c.Apply(ctx, client.ApplyConfigurationFromUnstructured(u), client.FieldOwner(f.owner()), client.ForceOwnership)
		if err != nil {
			return ApplyFluxSyncResult{}, fluxAPIError(in.Region, "apply "+u.GetKind()+" "+FluxNamespace+"/"+FluxSyncName, err)
		}
		switch u.GetKind() {
		case "GitRepository":
			res.GitRepositoryGeneration = u.GetGeneration()
		case "Kustomization":
			res.KustomizationGeneration = u.GetGeneration()
		}
	}
	return res, nil
}

func (in ApplyFluxSyncInput) validate() error {
	switch {
	case in.Region == "":
		return fmt.Errorf("no region")
	case len(in.Kubeconfig) == 0:
		return fmt.Errorf("no kubeconfig")
	case in.Username == "" || in.Token == "":
		return fmt.Errorf("no Gitea username or token")
	case in.Timeout < 0:
		return fmt.Errorf("negative timeout")
	}
	u, err := url.Parse(in.RepoURL)
	switch {
	case err != nil:
		return fmt.Errorf("repository URL: %w", err)
	case u.Scheme != "http" && u.Scheme != "https", u.Host == "":
		return fmt.Errorf("repository URL %q is not an http(s) URL with a host", u.Redacted())
	case u.User != nil:
		return fmt.Errorf("repository URL %q carries credentials: they belong in the token Secret", u.Redacted())
	}
	return nil
}

// objects are the three sync objects. The Secret's username/password keys
// are Flux's basic auth (Gitea takes a token as the password).
func (in ApplyFluxSyncInput) objects() []*unstructured.Unstructured {
	branch, timeout := in.Branch, in.Timeout
	if branch == "" {
		branch = "main"
	}
	if timeout == 0 {
		timeout = fluxDefaultTimeout
	}
	md := func() map[string]any {
		return map[string]any{"name": FluxSyncName, "namespace": FluxNamespace,
			"labels": map[string]any{"app.kubernetes.io/managed-by": fluxDefaultOwner}}
	}
	b64 := base64.StdEncoding.EncodeToString
	data := map[string]any{"username": b64([]byte(in.Username)), "password": b64([]byte(in.Token.Reveal()))}
	if in.CA != "" {
		data["ca.crt"] = b64([]byte(in.CA))
	}
	return []*unstructured.Unstructured{
		{Object: map[string]any{"apiVersion": "v1", "kind": "Secret", "metadata": md(), "type": "Opaque", "data": data}},
		{Object: map[string]any{"apiVersion": fluxSourceAPI, "kind": "GitRepository", "metadata": md(),
			"spec": map[string]any{
				"url":       in.RepoURL,
				"ref":       map[string]any{"branch": branch},
				"secretRef": map[string]any{"name": FluxSyncName},
				"interval":  "1m0s",
				"timeout":   "1m0s",
			}}},
		{Object: map[string]any{"apiVersion": fluxKustomizeAPI, "kind": "Kustomization", "metadata": md(),
			"spec": map[string]any{
				"sourceRef":     map[string]any{"kind": "GitRepository", "name": FluxSyncName},
				"path":          "./" + FluxPath(in.Region),
				"prune":         true,
				"wait":          in.Wait,
				"timeout":       timeout.String(),
				"interval":      "10m0s",
				"retryInterval": "1m0s",
			}}},
	}
}

// FluxPath is the folder of the platform repository a region's Flux applies.
func FluxPath(region string) string { return "clusters/" + region + "/" }

// fluxClient is a direct client for the region's API server from its
// admin kubeconfig; a kubeconfig that does not parse cannot get better on
// retry.
func fluxClient(region string, kubeconfig secret.Bytes) (client.Client, error) {
	cfg, err := clientcmd.RESTConfigFromKubeConfig(kubeconfig.Reveal())
	if err != nil {
		return nil, temporal.NewNonRetryableApplicationError("kubeconfig of "+region+": "+err.Error(), ErrInvalidFluxSync, nil)
	}
	cfg.Timeout = 30 * time.Second
	c, err := kube.NewClient(cfg)
	if err != nil {
		return nil, fmt.Errorf("client for %s: %w", region, err)
	}
	return c, nil
}

// fluxAPIError classifies an API server's answer: Flux's CRDs missing is a
// retryable FluxNotInstalled, an object the server refuses is a
// non-retryable InvalidFluxSync, anything else (the server unreachable) is
// retried as is.
func fluxAPIError(region, what string, err error) error {
	switch {
	case meta.IsNoMatchError(err):
		return temporal.NewApplicationError(fmt.Sprintf(
			"%s in %s: Flux's CRDs are not installed (yet): %v", what, region, err), ErrFluxNotInstalled)
	case apierrors.IsInvalid(err) || apierrors.IsBadRequest(err):
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("%s in %s: %v", what, region, err), ErrInvalidFluxSync, nil)
	}
	return fmt.Errorf("%s in %s: %w", what, region, err)
}

// revisionIs reports whether a Flux revision ("main@sha1:<hash>", or a
// bare hash from older versions) is the commit.
func revisionIs(revision, commit string) bool {
	if commit == "" || revision == "" {
		return false
	}
	return revision == commit || strings.HasSuffix(revision, ":"+commit) || strings.HasSuffix(revision, "/"+commit)
}
