package main

import (
	"context"
	"path/filepath"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/kube"
)

// dumpClusters logs the Components and the composite resources of every
// stand-in cluster the demo wrote a kubeconfig for: what a failed test
// saw, from the API.
func dumpClusters(t *testing.T, dir string) {
	configs, _ := filepath.Glob(filepath.Join(dir, "clusters", "*", "kubeconfig"))
	for _, path := range configs {
		cfg, err := clientcmd.BuildConfigFromFlags("", path)
		if err != nil {
			t.Logf("%s: %v", path, err)
			continue
		}
		c, err := kube.NewClient(cfg)
		if err != nil {
			t.Logf("%s: %v", path, err)
			continue
		}
		var comps v1alpha1.ComponentList
		if err := c.List(context.Background(), &comps); err != nil {
			t.Logf("%s: components: %v", path, err)
		}
		for _, co := range comps.Items {
			t.Logf("%s: component %s/%s phase %s health %s conditions %+v", path, co.Namespace, co.Name, co.Status.Phase, co.Status.Health, co.Status.Conditions)
		}
		xrs := &unstructured.UnstructuredList{}
		xrs.SetGroupVersionKind(v1alpha1.ReleaseGVK.GroupVersion().WithKind(v1alpha1.ReleaseKind + "List"))
		if err := c.List(context.Background(), xrs); err != nil {
			t.Logf("%s: releases: %v", path, err)
		}
		for _, x := range xrs.Items {
			t.Logf("%s: release %s/%s status %v", path, x.GetNamespace(), x.GetName(), x.Object["status"])
		}
	}
}
