package catalog

import "fmt"

// HelmChartRef is what a Helm installer (k3s's HelmChart, provider-helm's
// Release) needs to fetch one release of a component's chart: the chart's
// name, its repository and the chart version (not the software version).
type HelmChartRef struct {
	Name       string `json:"name"`
	Repository string `json:"repository"`
	Version    string `json:"version"`
}

// HelmChart looks up the chart of a component's release: version "" is the
// release a fresh install gets (Latest). The bootstrap installs the
// substrate (Flux, Crossplane) through it, so the versions it runs are the
// catalog's, one source of truth with what the manager installs later.
func (c *Catalog) HelmChart(component, version string) (HelmChartRef, error) {
	comp, ok := c.Get(component)
	if !ok {
		return HelmChartRef{}, fmt.Errorf("catalog has no component %q", component)
	}
	v := comp.Latest()
	if version != "" {
		found, ok := comp.Find(version)
		if !ok {
			return HelmChartRef{}, fmt.Errorf("catalog has no release %s of %s", version, component)
		}
		v = found
	}
	if v.Version == "" {
		return HelmChartRef{}, fmt.Errorf("catalog has no release of %s", component)
	}
	ch := comp.ChartOf(v)
	return HelmChartRef{Name: ch.Name, Repository: ch.Repository, Version: v.HelmChartVersion()}, nil
}
