package activities

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"net/url"
	"strings"

	"go.temporal.io/sdk/temporal"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"

	"github.com/openova-io/core/bootstrap"
	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/secret"
)

// helmChartGVR is k3s's HelmChart: its Helm controller installs the chart
// in a Job on the cluster, so the bootstrap never runs Helm itself.
var helmChartGVR = schema.GroupVersionResource{Group: "helm.cattle.io", Version: "v1", Resource: "helmcharts"}

// InstallGiteaInput is one region's Gitea: the cluster and the admin
// kubeconfig that reached it, the chart at the catalog's version
// (catalog.Catalog.HelmChart("gitea", "")), the site admin the bootstrap generated,
// and the serving certificate (IssueServingCert) for the URLs below.
type InstallGiteaInput struct {
	Cluster    string
	Kubeconfig secret.Bytes
	Chart      catalog.HelmChartRef
	// RootURL is the URL Gitea names itself by (clone URLs, links), e.g.
	// https://gitea.fsn1.example.com:3000/.
	RootURL       string
	AdminUsername string
	AdminPassword secret.Text
	// AdminEmail is the admin's address (default <username>@openova.invalid).
	AdminEmail string
	TLSCert    string
	TLSKey     secret.Text
	// MirrorCA is the PEM certificate of the CA that signed the other
	// region's Gitea (its cluster server CA): this Gitea's push mirror
	// pushes there over HTTPS and trusts it for git (the TLS Secret's
	// ca.crt, git's http.sslCAInfo). Empty with one region.
	MirrorCA string `json:",omitempty"`
}

// InstallGiteaResult names what was applied.
type InstallGiteaResult struct {
	Namespace string
	HelmChart string
	NodePort  int
}

// giteaMinPassword is Gitea's default [security] MIN_PASSWORD_LENGTH: the
// chart's init container would fail to create an admin with a shorter one,
// minutes later and inside the cluster.
const giteaMinPassword = 8

// InstallGitea server-side applies the region's Gitea: the gitea
// namespace, the admin and TLS Secrets, and the HelmChart in kube-system
// from which k3s's Helm controller installs the chart (as one pod on
// SQLite, no Bitnami subchart). It is on Gitea because it is the first of
// the Gitea phase's activities; it reaches the cluster like Clusters'
// activities do. Everything is checked before anything is applied, and an
// input that cannot work is non-retryable; a second run changes nothing.
func (g *Gitea) InstallGitea(ctx context.Context, in InstallGiteaInput) (InstallGiteaResult, error) {
	objs, err := giteaObjects(in)
	if err != nil {
		return InstallGiteaResult{}, err
	}
	dc, err := dynamicFor(in.Cluster, in.Kubeconfig)
	if err != nil {
		return InstallGiteaResult{}, err
	}
	for _, o := range objs {
		if err := applyObject(ctx, dc, in.Cluster, o, in.AdminPassword, in.TLSKey); err != nil {
			return InstallGiteaResult{}, err
		}
	}
	return InstallGiteaResult{Namespace: GiteaNamespace, HelmChart: helmChartNamespace + "/" + GiteaHelmChart, NodePort: GiteaNodePort}, nil
}

// giteaObject is one object to apply and where.
type giteaObject struct {
	gvr schema.GroupVersionResource
	obj *unstructured.Unstructured
}

// giteaObjects checks the input and builds the objects, in the order they
// are applied: the Secrets exist before the chart's pod would look for them.
func giteaObjects(in InstallGiteaInput) ([]giteaObject, error) {
	invalid := func(format string, args ...any) error {
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("gitea of %s: ", in.Cluster)+fmt.Sprintf(format, args...), ErrGiteaInvalidInput, nil)
	}
	switch {
	case in.Cluster == "" || len(in.Kubeconfig) == 0:
		return nil, invalid("the cluster's name and kubeconfig are required")
	case in.Chart.Name != "gitea":
		return nil, invalid("the chart is %q, not gitea", in.Chart.Name)
	case in.AdminPassword == "":
		return nil, invalid("the site admin's password is required")
	case len(in.AdminPassword) < giteaMinPassword:
		return nil, invalid("the site admin's password has fewer than %d characters, which Gitea refuses", giteaMinPassword)
	}
	if u, err := url.Parse(in.Chart.Repository); err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
		return nil, invalid("the chart repository %s is not https://host/path without credentials", redactURL(in.Chart.Repository))
	}
	if err := bootstrap.GiteaOrgNameError(in.AdminUsername); err != nil {
		return nil, invalid("the site admin's name: %s", err)
	}
	if _, err := tls.X509KeyPair([]byte(in.TLSCert), []byte(in.TLSKey.Reveal())); err != nil {
		// The error names no key material, only what is wrong with it.
		return nil, invalid("the TLS certificate and key are not a matching PEM pair: %s", err)
	}
	email := in.AdminEmail
	if email == "" {
		email = in.AdminUsername + "@openova.invalid"
	}
	if in.MirrorCA != "" {
		if err := checkCAPEM(in.MirrorCA); err != nil {
			return nil, invalid("the other region's CA: %s", err)
		}
	}
	if _, err := giteaChartSubcharts(in.Chart.Version); err != nil {
		return nil, temporal.NewNonRetryableApplicationError(fmt.Sprintf("gitea of %s: %s", in.Cluster, err), ErrGiteaChartUnsupported, nil)
	}
	values, err := renderGiteaValues(giteaValuesInput{ChartVersion: in.Chart.Version, RootURL: in.RootURL, AdminEmail: email, MirrorCA: in.MirrorCA != ""})
	if err != nil {
		return nil, invalid("%s", err)
	}
	labels := map[string]any{"app.kubernetes.io/managed-by": "openova"}
	core := func(kind, name string, rest map[string]any) giteaObject {
		o := map[string]any{"apiVersion": "v1", "kind": kind, "metadata": map[string]any{"name": name, "labels": labels}}
		if kind != "Namespace" {
			o["metadata"].(map[string]any)["namespace"] = GiteaNamespace
		}
		for k, v := range rest {
			o[k] = v
		}
		return giteaObject{schema.GroupVersionResource{Version: "v1", Resource: map[string]string{"Namespace": "namespaces", "Secret": "secrets"}[kind]},
			&unstructured.Unstructured{Object: o}}
	}
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	return []giteaObject{
		core("Namespace", GiteaNamespace, nil),
		core("Secret", GiteaAdminSecret, map[string]any{"type": "Opaque",
			"data": map[string]any{"username": b64(in.AdminUsername), "password": b64(in.AdminPassword.Reveal())}}),
		core("Secret", GiteaTLSSecret, map[string]any{"type": "kubernetes.io/tls", "data": giteaTLSData(in, b64)}),
		{helmChartGVR, helmChartOf(GiteaHelmChart, in.Chart, GiteaNamespace, values)},
	}, nil
}

// giteaTLSData is the TLS Secret's data: the serving pair, and the other
// region's CA when there is one.
func giteaTLSData(in InstallGiteaInput, b64 func(string) string) map[string]any {
	d := map[string]any{"tls.crt": b64(in.TLSCert), "tls.key": b64(in.TLSKey.Reveal())}
	if in.MirrorCA != "" {
		d[giteaMirrorCAKey] = b64(in.MirrorCA)
	}
	return d
}

// checkCAPEM says what is wrong with a PEM CA certificate, nil when it is one.
func checkCAPEM(text string) error {
	block, _ := pem.Decode([]byte(text))
	if block == nil || block.Type != "CERTIFICATE" {
		return fmt.Errorf("not a PEM certificate")
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return fmt.Errorf("not a certificate: %s", err)
	}
	if !c.IsCA {
		return fmt.Errorf("%q is not a CA", c.Subject.CommonName)
	}
	return nil
}

// applyObject server-side applies one object as the bootstrap. A kind the
// cluster does not serve yet (k3s's Helm controller registers HelmChart
// when it starts) is retried; an object the API server refuses is not. The
// API server's message is kept (it says what is wrong) without the
// secrets, in clear or base64, should it ever quote them.
func applyObject(ctx context.Context, dc dynamic.Interface, cluster string, o giteaObject, secrets ...secret.Text) error {
	body, err := o.obj.MarshalJSON()
	if err != nil {
		return err
	}
	var ri dynamic.ResourceInterface = dc.Resource(o.gvr)
	if ns := o.obj.GetNamespace(); ns != "" {
		ri = dc.Resource(o.gvr).Namespace(ns)
	}
	what := o.obj.GetKind() + " " + o.obj.GetNamespace() + "/" + o.obj.GetName()
	force := true
	_, err = ri.Patch(ctx, o.obj.GetName(), types.ApplyPatchType, body, metav1.PatchOptions{FieldManager: bootstrapFieldOwner, Force: &force})
	if err == nil {
		return nil
	}
	msg := err.Error()
	for _, s := range secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s.Reveal(), secret.Masked)
			msg = strings.ReplaceAll(msg, base64.StdEncoding.EncodeToString([]byte(s.Reveal())), secret.Masked)
		}
	}
	msg = secret.Redact(msg)
	switch {
	case meta.IsNoMatchError(err) || (apierrors.IsNotFound(err) && o.gvr == helmChartGVR):
		return fmt.Errorf("%s does not serve %s yet (k3s's Helm controller registers it when it starts): %s", cluster, o.gvr.GroupResource(), msg)
	case apierrors.IsInvalid(err) || apierrors.IsBadRequest(err) || apierrors.IsForbidden(err):
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("%s refuses %s: %s", cluster, what, msg), ErrGiteaInvalidInput, nil)
	}
	return fmt.Errorf("apply %s to %s: %s", what, cluster, msg)
}

// dynamicFor is a dynamic client for a region's API from its kubeconfig.
func dynamicFor(cluster string, kubeconfig secret.Bytes) (dynamic.Interface, error) {
	cfg, err := restConfig(cluster, kubeconfig)
	if err != nil {
		return nil, err
	}
	dc, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("client for %s: %w", cluster, err)
	}
	return dc, nil
}
