package bootstrap

import "github.com/openova-io/core/secret"

// Result is each region's reachable cluster and the components the
// platform will run.
type Result struct {
	Regions    []Cluster
	Components []SelectedComponent
}

// Cluster is one region's cluster and how to reach it. The kubeconfig
// holds the admin key: it travels only in encoded payloads.
type Cluster struct {
	Region      string
	Role        string
	APIEndpoint string
	Version     string
	Nodes       []Node
	Kubeconfig  secret.Bytes
}

// SelectedComponent is one component the new platform will run, with the
// component that pulled it in (the component-selection activity's list).
type SelectedComponent struct {
	Name     string
	Version  string
	NeededBy string `json:",omitempty"`
}
