// Package kube is the one place Kubernetes clients are built: the scheme of
// the types the manager reads and writes, and the client-side rate limit.
// The controllers (a cached manager) and the activities (direct clients and
// a metadata watch) both build theirs here, so they agree on both and
// neither imports the other.
package kube

import (
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	crclient "sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/crds/v1alpha1"
)

// Scheme knows the core types and openova.io/v1alpha1.
func Scheme() (*runtime.Scheme, error) {
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		return nil, fmt.Errorf("register core types: %w", err)
	}
	if err := v1alpha1.AddToScheme(s); err != nil {
		return nil, fmt.Errorf("register openova.io types: %w", err)
	}
	return s, nil
}

// NewClient is a direct (uncached) client for activities, which must read
// what the API server has now, not what a cache saw.
func NewClient(cfg *rest.Config) (crclient.Client, error) {
	scheme, err := Scheme()
	if err != nil {
		return nil, err
	}
	c, err := crclient.New(WithRate(cfg), crclient.Options{Scheme: scheme})
	if err != nil {
		return nil, fmt.Errorf("kubernetes client: %w", err)
	}
	return c, nil
}

// WithRate raises client-go's default client-side limit (5 requests/s,
// burst 10), which would pace a platform of a hundred components to a crawl;
// the API server's priority and fairness still protects it. A config that
// sets its own limit keeps it.
func WithRate(cfg *rest.Config) *rest.Config {
	cfg = rest.CopyConfig(cfg)
	if cfg.QPS == 0 {
		cfg.QPS, cfg.Burst = 50, 100
	}
	return cfg
}
