package activities

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"

	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/deploy"
)

// The substrate in a region's platform repository, in three stages that
// Flux applies one after the other:
//
//  1. clusters/<region>/substrate.yaml, applied by ApplyFluxSync's
//     Kustomization "platform": the k3s HelmChart of Crossplane, and the
//     Flux Kustomizations of stages 2 and 3.
//  2. substrate/<region>/crossplane/ (Kustomization crossplane-config,
//     dependsOn platform): deploy/crossplane rendered (XRD, Composition,
//     provider-helm, function-patch-and-transform) and provider-helm's
//     runtime identity. Its kinds are Crossplane's CRDs, which exist only
//     once the chart of stage 1 runs.
//  3. substrate/<region>/crossplane-providers/ (Kustomization
//     crossplane-providers, dependsOn crossplane-config): provider-helm's
//     ClusterProviderConfig "default" (the Composition's providerConfigRef),
//     a kind provider-helm's package creates only once it is installed.
//
// Stages 2 and 3 live outside clusters/<region>/ on purpose: Flux builds a
// folder without kustomization.yaml from every manifest below it,
// recursively (subfolders included), and server-side applies it as one
// set whose dry run fails on a kind the cluster does not serve yet. In
// clusters/<region>/ they would block the platform Kustomization, and with
// it the Crossplane chart they wait for. A Kustomization of its own per
// stage fails alone (Flux retries it every retryInterval) until the kinds
// exist; dependsOn orders the first attempts.
const (
	SubstrateCrossplaneName = "crossplane" // the HelmChart in kube-system
	CrossplaneNamespace     = "crossplane-system"
	crossplaneConfigKS      = "crossplane-config"
	crossplaneProvidersKS   = "crossplane-providers"
	// ProviderHelmName is the provider of deploy/crossplane/provider-helm.yaml.
	ProviderHelmName = "provider-helm"
	// ProviderConfigName is the ClusterProviderConfig the Composition names.
	ProviderConfigName = "default"
	// CompositionFunctionName is the function the Composition's pipeline runs.
	CompositionFunctionName = "function-patch-and-transform"
	// ComponentReleaseXRD is deploy/crossplane/xrd.yaml's name.
	ComponentReleaseXRD = "componentreleases.platform.openova.io"
)

// SubstrateFile is one file of the substrate and its content.
type SubstrateFile struct {
	Path    string
	Content []byte
}

// substrateDirs are the folders the substrate owns entirely (a file in
// them that it no longer writes is removed).
func substrateDirs(region string) []string {
	return []string{"substrate/" + region + "/crossplane", "substrate/" + region + "/crossplane-providers"}
}

// SubstrateFiles renders the substrate of a region: the same input gives
// the same bytes, so a commit of them is idempotent. wait is the
// Kustomizations' spec.wait (false where nothing schedules pods).
func SubstrateFiles(region string, crossplane catalog.HelmChartRef, wait bool) ([]SubstrateFile, error) {
	chart, err := helmChart(SubstrateCrossplaneName, crossplane, CrossplaneNamespace, map[string]any{})
	if err != nil {
		return nil, err
	}
	dirs := substrateDirs(region)
	stage1, err := yamlDocs(chart,
		substrateKustomization(crossplaneConfigKS, dirs[0], FluxSyncName, wait),
		substrateKustomization(crossplaneProvidersKS, dirs[1], crossplaneConfigKS, wait))
	if err != nil {
		return nil, err
	}
	rendered, err := renderDeployCrossplane()
	if err != nil {
		return nil, err
	}
	stage2, err := yamlDocs(append(rendered, providerIdentity()...)...)
	if err != nil {
		return nil, err
	}
	stage3, err := yamlDocs(&unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "helm.m.crossplane.io/v1beta1", "kind": "ClusterProviderConfig",
		"metadata": map[string]any{"name": ProviderConfigName},
		"spec":     map[string]any{"credentials": map[string]any{"source": "InjectedIdentity"}},
	}})
	if err != nil {
		return nil, err
	}
	return []SubstrateFile{
		{Path: FluxPath(region) + "substrate.yaml", Content: stage1},
		{Path: dirs[0] + "/crossplane.yaml", Content: stage2},
		{Path: dirs[1] + "/provider-config.yaml", Content: stage3},
	}, nil
}

// substrateKustomization is a Flux Kustomization of the platform
// repository's folder dir that waits for Kustomization after.
func substrateKustomization(name, dir, after string, wait bool) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": fluxKustomizeAPI, "kind": "Kustomization",
		"metadata": map[string]any{"name": name, "namespace": FluxNamespace,
			"labels": map[string]any{"app.kubernetes.io/managed-by": fluxDefaultOwner}},
		"spec": map[string]any{
			"sourceRef":     map[string]any{"kind": "GitRepository", "name": FluxSyncName},
			"path":          "./" + dir,
			"dependsOn":     []any{map[string]any{"name": after}},
			"prune":         true,
			"wait":          wait,
			"timeout":       fluxDefaultTimeout.String(),
			"interval":      "10m0s",
			"retryInterval": "1m0s",
		},
	}}
}

// renderDeployCrossplane is `kustomize build deploy/crossplane` of the
// files compiled into the binary, with provider-helm given the runtime
// config whose service account providerIdentity binds.
func renderDeployCrossplane() ([]*unstructured.Unstructured, error) {
	mem := filesys.MakeFsInMemory()
	err := fs.WalkDir(deploy.Crossplane, "crossplane", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := deploy.Crossplane.ReadFile(p)
		if err != nil {
			return err
		}
		return mem.WriteFile(path.Join("/", p), b)
	})
	if err != nil {
		return nil, fmt.Errorf("read deploy/crossplane: %w", err)
	}
	res, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(mem, "/crossplane")
	if err != nil {
		return nil, fmt.Errorf("kustomize build deploy/crossplane: %w", err)
	}
	var out []*unstructured.Unstructured
	for _, r := range res.Resources() {
		b, err := r.AsYAML()
		if err != nil {
			return nil, err
		}
		u := &unstructured.Unstructured{}
		if err := yaml.Unmarshal(b, &u.Object); err != nil {
			return nil, err
		}
		if u.GetKind() == "Provider" && u.GetName() == ProviderHelmName {
			_ = unstructured.SetNestedMap(u.Object, map[string]any{
				"apiVersion": "pkg.crossplane.io/v1beta1", "kind": "DeploymentRuntimeConfig", "name": ProviderHelmName,
			}, "spec", "runtimeConfigRef")
		}
		out = append(out, u)
	}
	return out, nil
}

// providerIdentity lets provider-helm install any chart (provider-helm's
// in-cluster example, examples/namespaced/provider-config at v1.3.0): a
// fixed service account name and cluster-admin for it. A component's chart
// may create CRDs and cluster roles, so nothing narrower would do.
func providerIdentity() []*unstructured.Unstructured {
	return []*unstructured.Unstructured{
		{Object: map[string]any{
			"apiVersion": "pkg.crossplane.io/v1beta1", "kind": "DeploymentRuntimeConfig",
			"metadata": map[string]any{"name": ProviderHelmName},
			"spec": map[string]any{"serviceAccountTemplate": map[string]any{
				"metadata": map[string]any{"name": ProviderHelmName}}},
		}},
		{Object: map[string]any{
			"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
			"metadata": map[string]any{"name": ProviderHelmName + "-cluster-admin"},
			"subjects": []any{map[string]any{"kind": "ServiceAccount", "name": ProviderHelmName, "namespace": CrossplaneNamespace}},
			"roleRef":  map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
		}},
	}
}

// yamlDocs is a multi-document YAML file of the objects, in order.
func yamlDocs(objs ...*unstructured.Unstructured) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("# Written by openova (the bootstrap's substrate); a change here is undone by the next bootstrap run.\n")
	for _, o := range objs {
		doc, err := yaml.Marshal(o.Object)
		if err != nil {
			return nil, fmt.Errorf("marshal %s %s: %w", o.GetKind(), o.GetName(), err)
		}
		b.WriteString("---\n")
		b.Write(doc)
	}
	return b.Bytes(), nil
}
