package catalog

// ChartRelease is what one Helm install of a component takes: the chart's
// repository, its name and the chart version, with the software version it
// ships. The bootstrap installs the clusters' substrate (Gitea, Flux) from
// it through k3s's HelmChart before any manager runs, so the versions come
// from the same catalog the manager later upgrades from.
type ChartRelease struct {
	Repository string
	Chart      string
	Version    string
	AppVersion string
}

// NewestChart is the chart release of the component's newest stable
// version (Latest); false when the catalog has no such component or it has
// no version or no chart.
func (c *Catalog) NewestChart(name string) (ChartRelease, bool) {
	comp, ok := c.Get(name)
	if !ok || comp.Chart.Name == "" || comp.Chart.Repository == "" {
		return ChartRelease{}, false
	}
	v := comp.Latest()
	if v.Version == "" {
		return ChartRelease{}, false
	}
	return ChartRelease{Repository: comp.Chart.Repository, Chart: comp.Chart.Name, Version: v.HelmChartVersion(), AppVersion: v.Version}, true
}
