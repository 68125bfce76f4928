package activities

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strings"

	"go.temporal.io/sdk/temporal"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/openova-io/core/deploy"
)

// ManagerFilesInput names the image a region's manager runs: the
// repository it was pushed to (in the region's Gitea registry, without a
// tag) and its digest.
type ManagerFilesInput struct {
	Region string
	// Repository is <registry host[:port]>/<path>, e.g.
	// gitea.fsn1.acme.example:3000/acme/openova.
	Repository string
	// Digest is sha256:<64 hex>.
	Digest string
}

// managerImage is the image name deploy/base uses, which the bootstrap
// replaces.
const managerImage = "ghcr.io/openova-io/openova"

// ManagerPath is the file ManagerFiles writes into the region's folder of
// the platform repository, which its Flux applies.
func ManagerPath(region string) string { return FluxPath(region) + "manager.yaml" }

var digestRE = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// ManagerFiles renders deploy/overlays/bootstrap (compiled into the
// binary, so the manifests are the ones this build ships) with the image
// named by its digest, never a tag: a tag can be moved, a digest names
// exactly the binary that bootstrapped the platform. The result holds no
// Secret: the bootstrap creates the TLS and admin Secrets through the API.
func ManagerFiles(in ManagerFilesInput) ([]SubstrateFile, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	mem := filesys.MakeFsInMemory()
	err := fs.WalkDir(deploy.Manager, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := deploy.Manager.ReadFile(p)
		if err != nil {
			return err
		}
		return mem.WriteFile(path.Join("/deploy", p), b)
	})
	if err != nil {
		return nil, fmt.Errorf("read deploy's manager manifests: %w", err)
	}
	// The image is set the way `kustomize edit set image` would, in a
	// kustomization over the overlay: the overlay's files stay as shipped.
	render := fmt.Sprintf("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../deploy/overlays/bootstrap\n"+
		"images:\n  - name: %s\n    newName: %s\n    digest: %s\n", managerImage, in.Repository, in.Digest)
	if err := mem.WriteFile("/render/kustomization.yaml", []byte(render)); err != nil {
		return nil, err
	}
	res, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(mem, "/render")
	if err != nil {
		return nil, fmt.Errorf("kustomize build deploy/overlays/bootstrap: %w", err)
	}
	var out bytes.Buffer
	out.WriteString("# The Lifecycle Manager, rendered by openova's bootstrap from deploy/overlays/bootstrap\n# with the image it pushed, by digest. Flux applies it; the manager upgrades itself later.\n")
	for _, r := range res.Resources() {
		b, err := r.AsYAML()
		if err != nil {
			return nil, err
		}
		out.WriteString("---\n")
		out.Write(b)
	}
	return []SubstrateFile{{Path: ManagerPath(in.Region), Content: out.Bytes()}}, nil
}

func (in ManagerFilesInput) check() error {
	bad := func(msg string) error {
		return temporal.NewNonRetryableApplicationError("manager manifests of "+in.Region+": "+msg, ErrInvalidSubstrate, nil)
	}
	last := in.Repository[strings.LastIndex(in.Repository, "/")+1:]
	switch {
	case in.Region == "":
		return bad("the region is required")
	case in.Repository == "" || !strings.Contains(in.Repository, "/"):
		return bad(fmt.Sprintf("repository %q is not <registry>/<path>: name where the image was pushed", in.Repository))
	case strings.ContainsAny(in.Repository, "@ ") || strings.Contains(last, ":"):
		return bad(fmt.Sprintf("repository %q carries a tag or digest: give the repository alone and the digest in Digest", in.Repository))
	case !digestRE.MatchString(in.Digest):
		return bad(fmt.Sprintf("digest %q is not sha256:<64 hex digits>: give the digest the push returned", in.Digest))
	}
	return nil
}
