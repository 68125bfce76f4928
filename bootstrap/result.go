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
	// Chart is the Helm chart that ships Version, from the catalog: the
	// bootstrap installs the substrate (Cilium, Gitea, Flux, Crossplane)
	// from it. Absent from a history recorded before it was added.
	Chart *Chart `json:",omitempty"`
}

// Chart is a Helm chart at one version (catalog.HelmChartRef's fields:
// this package imports no catalog, the wizard's light contract).
type Chart struct {
	Name       string `json:"name"`
	Repository string `json:"repository"`
	Version    string `json:"version"`
}

// ChartOf is the chart of the named component in the list, nil when the
// list does not hold it or holds no chart for it.
func ChartOf(list []SelectedComponent, name string) *Chart {
	for _, c := range list {
		if c.Name == name {
			return c.Chart
		}
	}
	return nil
}
