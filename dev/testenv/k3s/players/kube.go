package players

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

var listAll = metav1.ListOptions{}

// releaseNamespace waits until the HelmChart's target namespace exists,
// creating it when the HelmChart says createNamespace, as its Helm job
// would (without it, the job fails and k3s retries it until someone
// creates the namespace).
func (c clients) releaseNamespace(ctx context.Context, hc *unstructured.Unstructured) (string, error) {
	ns := targetNamespace(hc)
	create, _, _ := unstructured.NestedBool(hc.Object, "spec", "createNamespace")
	err := until(ctx, func() (bool, error) {
		_, err := c.cs.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		switch {
		case err == nil:
			return true, nil
		case !apierrors.IsNotFound(err):
			return false, fmt.Errorf("read namespace %s: %w", ns, err)
		case create:
			_, err = c.cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
			if err != nil && !apierrors.IsAlreadyExists(err) {
				return false, fmt.Errorf("create namespace %s: %w", ns, err)
			}
			return true, nil
		}
		return false, nil
	})
	return ns, err
}

// availableDeployment makes a chart's Deployment exist with its current
// generation rolled out and one replica available: its pod is the
// process the player runs (or plays) outside the cluster.
func (c clients) availableDeployment(ctx context.Context, ns, name string, labels map[string]string) error {
	d, err := c.cs.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		pod := corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: name, Image: name}}}}
		d, err = c.cs.AppsV1().Deployments(ns).Create(ctx, &appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels},
			Spec:       appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: pod},
		}, metav1.CreateOptions{})
	}
	if err != nil {
		return fmt.Errorf("deployment %s/%s: %w", ns, name, err)
	}
	d.Status = appsv1.DeploymentStatus{ObservedGeneration: d.Generation, Replicas: 1, ReadyReplicas: 1, AvailableReplicas: 1, UpdatedReplicas: 1,
		Conditions: []appsv1.DeploymentCondition{{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue, Reason: "MinimumReplicasAvailable"}}}
	if _, err := c.cs.AppsV1().Deployments(ns).UpdateStatus(ctx, d, metav1.UpdateOptions{}); err != nil {
		return fmt.Errorf("status of Deployment %s/%s: %w", ns, name, err)
	}
	return nil
}

// installed writes the HelmChart's status as k3s's Helm controller does
// once it has created the chart's install job.
func (c clients) installed(ctx context.Context, hc *unstructured.Unstructured) error {
	job := "helm-install-" + hc.GetName()
	got, err := c.dc.Resource(HelmChartGVR).Namespace(hc.GetNamespace()).Get(ctx, hc.GetName(), metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("read HelmChart %s: %w", hc.GetName(), err)
	}
	_ = unstructured.SetNestedField(got.Object, job, "status", "jobName")
	_ = unstructured.SetNestedSlice(got.Object, []any{map[string]any{"type": "JobCreated", "status": "True", "reason": "Job created",
		"message": "Applying HelmChart using Job " + hc.GetNamespace() + "/" + job}}, "status", "conditions")
	if _, err := c.dc.Resource(HelmChartGVR).Namespace(hc.GetNamespace()).UpdateStatus(ctx, got, metav1.UpdateOptions{}); err != nil {
		return fmt.Errorf("status of HelmChart %s: %w", hc.GetName(), err)
	}
	return nil
}

// installCRDs installs the CRDs of dirs and waits until they are served,
// as a chart's CRDs (or a package's) are before its controllers start.
func installCRDs(cfg *rest.Config, dirs ...string) error {
	_, err := envtest.InstallCRDs(cfg, envtest.CRDInstallOptions{Paths: dirs, ErrorIfPathMissing: true})
	if err != nil {
		return fmt.Errorf("install the CRDs of %v: %w", dirs, err)
	}
	return nil
}

// WriteKubeconfig writes a kubeconfig file for cfg into dir, for a
// process (a controller) that reads one.
func WriteKubeconfig(cfg *rest.Config, dir string) (string, error) {
	kc := clientcmdapi.NewConfig()
	kc.Clusters["stand-in"] = &clientcmdapi.Cluster{Server: cfg.Host, CertificateAuthorityData: cfg.CAData,
		CertificateAuthority: cfg.CAFile, InsecureSkipTLSVerify: cfg.Insecure, TLSServerName: cfg.ServerName}
	kc.AuthInfos["admin"] = &clientcmdapi.AuthInfo{ClientCertificateData: cfg.CertData, ClientKeyData: cfg.KeyData,
		ClientCertificate: cfg.CertFile, ClientKey: cfg.KeyFile, Token: cfg.BearerToken, TokenFile: cfg.BearerTokenFile,
		Username: cfg.Username, Password: cfg.Password}
	kc.Contexts["stand-in"] = &clientcmdapi.Context{Cluster: "stand-in", AuthInfo: "admin"}
	kc.CurrentContext = "stand-in"
	b, err := clientcmd.Write(*kc)
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "kubeconfig")
	return path, os.WriteFile(path, b, 0o600)
}
