package players

import (
	"context"
	"crypto/sha256"
	"encoding/hex"

	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/openova-io/core/dev/testenv/kubeenv"
)

var metaUpdate = metav1.UpdateOptions{}

// playXRD does what Crossplane's definition and offered controllers do
// for an XRD: make the CRD of its composite resource (kubeenv.CRDFromXRD,
// the CRD Crossplane generates) and, once the API server serves it, mark
// the XRD Established (WatchingCompositeResource); with claimNames, the
// same for the claim's CRD and Offered (WatchingCompositeResourceClaim).
// The XR CRD of an XRD is made once; an XRD changed later keeps it.
func (p *Crossplane) playXRD(ctx context.Context, u *unstructured.Unstructured) {
	if u.GetDeletionTimestamp() != nil {
		return
	}
	group, _, _ := unstructured.NestedString(u.Object, "spec", "group")
	kind, _, _ := unstructured.NestedString(u.Object, "spec", "names", "kind")
	version := referenceable(u)
	conds := []any{}
	xr, err := p.xrdCRD(ctx, u, nil)
	if err != nil {
		conds = append(conds, condition("Established", "False", "WatchingCompositeResource", err.Error(), u.GetGeneration()))
		p.writeConditions(ctx, xrdGVR, u, conds)
		return
	}
	if !xr {
		return // not served yet: the next round looks again
	}
	conds = append(conds, condition("Established", "True", "WatchingCompositeResource", "", u.GetGeneration()))
	_ = unstructured.SetNestedMap(u.Object, map[string]any{"apiVersion": group + "/" + version, "kind": kind},
		"status", "controllers", "compositeResourceType")
	if claims, ok, _ := unstructured.NestedMap(u.Object, "spec", "claimNames"); ok {
		served, err := p.xrdCRD(ctx, u, claims)
		if err != nil || !served {
			return
		}
		conds = append(conds, condition("Offered", "True", "WatchingCompositeResourceClaim", "", u.GetGeneration()))
		_ = unstructured.SetNestedMap(u.Object, map[string]any{"apiVersion": group + "/" + version, "kind": claims["kind"]},
			"status", "controllers", "compositeResourceClaimType")
	}
	p.writeConditions(ctx, xrdGVR, u, conds)
}

// xrdCRD makes the XRD's composite resource CRD (claims nil) or its claim
// CRD (claims: the XRD's claimNames, a namespaced kind), and reports
// whether the API server serves it (Established).
func (p *Crossplane) xrdCRD(ctx context.Context, u *unstructured.Unstructured, claims map[string]any) (bool, error) {
	x := u.DeepCopy()
	if claims != nil {
		_ = unstructured.SetNestedMap(x.Object, claims, "spec", "names")
		_ = unstructured.SetNestedField(x.Object, "Namespaced", "spec", "scope")
	}
	data, err := yaml.Marshal(x.Object)
	if err != nil {
		return false, err
	}
	crd, err := kubeenv.CRDFromXRD(data)
	if err != nil {
		return false, err
	}
	ext, err := apiextclient.NewForConfig(p.cfg)
	if err != nil {
		return false, err
	}
	crds := ext.ApiextensionsV1().CustomResourceDefinitions()
	got, err := crds.Get(ctx, crd.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		got, err = crds.Create(ctx, crd, metav1.CreateOptions{})
	}
	if err != nil {
		return false, err
	}
	for _, c := range got.Status.Conditions {
		if c.Type == apiextv1.Established && c.Status == apiextv1.ConditionTrue {
			return true, nil
		}
	}
	return false, nil
}

// referenceable is the XRD's referenceable version (the XR's storage
// version), or its first.
func referenceable(u *unstructured.Unstructured) string {
	versions, _, _ := unstructured.NestedSlice(u.Object, "spec", "versions")
	first := ""
	for _, v := range versions {
		m, _ := v.(map[string]any)
		name, _ := m["name"].(string)
		if first == "" {
			first = name
		}
		if ref, _ := m["referenceable"].(bool); ref {
			return name
		}
	}
	return first
}

// shortHash names a package revision as Crossplane does (a digest of the
// package), shortened.
func shortHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])[:12]
}
