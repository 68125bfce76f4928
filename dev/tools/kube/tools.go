//go:build tools

// Package tools pins kube-apiserver, which envtest starts (with Debian's etcd)
// as the real API server of the manager's tests. No prebuilt binary can be
// downloaded here, so it is built from source.
package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
