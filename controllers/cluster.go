// Package controllers holds the manager's controller-runtime reconcilers and
// the cluster connection they share.
package controllers

import (
	"context"
	"fmt"
	"strings"
	"time"

	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// ConnectTimeout bounds the reachability check at manager start.
const ConnectTimeout = 10 * time.Second

// ClusterInfo says which cluster the manager talks to.
type ClusterInfo struct {
	Host    string
	Version string
	Config  *rest.Config
}

// CheckCluster loads the kubeconfig (explicit path, else in-cluster, else the
// usual loading rules) and asks the API server for its version, so a manager
// without a cluster fails at once with one clear line.
func CheckCluster(ctx context.Context, kubeconfig string) (ClusterInfo, error) {
	cfg, err := loadConfig(kubeconfig)
	if err != nil {
		return ClusterInfo{}, err
	}
	cfg.Timeout = ConnectTimeout
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return ClusterInfo{}, fmt.Errorf("kubernetes client for %s: %w", cfg.Host, err)
	}
	type result struct {
		v   string
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := dc.ServerVersion()
		if err != nil {
			done <- result{err: err}
			return
		}
		done <- result{v: v.GitVersion}
	}()
	select {
	case <-ctx.Done():
		return ClusterInfo{}, fmt.Errorf("kubernetes API at %s did not answer within %s: check the cluster is up and --kubeconfig points at it", cfg.Host, ConnectTimeout)
	case r := <-done:
		if r.err != nil {
			return ClusterInfo{}, fmt.Errorf("kubernetes API at %s is not reachable (%s): check the cluster is up and --kubeconfig points at it", cfg.Host, r.err)
		}
		return ClusterInfo{Host: cfg.Host, Version: r.v, Config: cfg}, nil
	}
}

func loadConfig(kubeconfig string) (*rest.Config, error) {
	if kubeconfig == "" {
		if cfg, err := rest.InClusterConfig(); err == nil {
			return cfg, nil
		}
	}
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = kubeconfig
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{}).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("no Kubernetes cluster configured (%s): run inside a cluster or pass --kubeconfig", strings.ReplaceAll(err.Error(), "\n", " "))
	}
	return cfg, nil
}
