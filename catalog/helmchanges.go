package catalog

import (
	"fmt"
	"strings"

	"github.com/Masterminds/semver/v3"
	"gopkg.in/yaml.v3"
)

// AnnotationChanges is the chart annotation Artifact Hub reads a chart
// version's changes from (artifacthub.io/docs/topics/annotations/helm);
// charts that publish one carry it into their repository's index.yaml.
const AnnotationChanges = "artifacthub.io/changes"

// HelmChange is one entry of a chart version's artifacthub.io/changes:
// Kind is added, changed, deprecated, removed, fixed or security (empty in
// the plain-list form).
type HelmChange struct {
	Kind        string
	Description string
	Links       []HelmLink
}

// HelmLink is a link of a change (an issue, a pull request).
type HelmLink struct {
	Name string `yaml:"name"`
	URL  string `yaml:"url"`
}

// maxChanges bounds what one annotation contributes to a changelog.
const maxChanges = 50

// parseChanges reads the annotation in either form Artifact Hub accepts: a
// list of strings, or a list of {kind, description, links}. An annotation
// that is neither is ignored: a bad annotation must not hide a release.
func parseChanges(annotation string) []HelmChange {
	if strings.TrimSpace(annotation) == "" {
		return nil
	}
	var items []yaml.Node
	if err := yaml.Unmarshal([]byte(annotation), &items); err != nil {
		return nil
	}
	var out []HelmChange
	for _, n := range items {
		var c HelmChange
		switch n.Kind {
		case yaml.ScalarNode:
			c.Description = n.Value
		case yaml.MappingNode:
			var obj struct {
				Kind        string     `yaml:"kind"`
				Description string     `yaml:"description"`
				Links       []HelmLink `yaml:"links"`
			}
			if n.Decode(&obj) != nil {
				continue
			}
			c = HelmChange{Kind: obj.Kind, Description: obj.Description, Links: obj.Links}
		}
		if c.Description = strings.TrimSpace(c.Description); c.Description == "" {
			continue
		}
		out = append(out, c)
		if len(out) == maxChanges {
			break
		}
	}
	return out
}

// HelmChangelog is the changelog of a release seen only in a Helm
// repository: the chart's own artifacthub.io/changes when it has them,
// then where the release comes from and what to do about it.
func HelmChangelog(r HelmRelease, repository string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## Chart %s\n", r.ChartVersion)
	for _, c := range r.Changes {
		kind := ""
		if c.Kind != "" {
			kind = strings.ToUpper(c.Kind[:1]) + c.Kind[1:] + ": "
		}
		fmt.Fprintf(&b, "- %s%s", kind, oneLine(c.Description))
		for _, l := range c.Links {
			if strings.HasPrefix(l.URL, "https://") {
				fmt.Fprintf(&b, " ([%s](%s))", oneLine(l.Name), l.URL)
			}
		}
		b.WriteString("\n")
	}
	published := ""
	if !r.Created.IsZero() {
		published = " published " + r.Created.UTC().Format("2006-01-02")
	}
	fmt.Fprintf(&b, "\nChart %s%s in %s; not in the OpenOva catalog: openova has not checked it, so an upgrade to it asks you to accept that risk.\n",
		r.ChartVersion, published, repository)
	return b.String()
}

func oneLine(s string) string {
	first, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return first
}

// HelmOffer is a release a Helm repository has and the catalog does not:
// Version is the software version it ships (the chart version when the
// chart states no semver app version).
type HelmOffer struct {
	Version string
	Release HelmRelease
}

// HelmOffers picks, from a chart's releases (newest first, as
// ParseHelmIndex returns them), those newer than what is installed that the
// catalog does not list, at most max. A chart version shipping a software
// version the catalog already offers is left out (the catalog entry is the
// one to upgrade to), and so is a chart-only release of what runs, an
// older chart of a version already offered, and a pre-release (Helm skips
// them unless asked with --devel). An installed version that is not semver
// gets no offers: nothing can be said about what is newer.
func (c *Component) HelmOffers(releases []HelmRelease, installed string, max int) []HelmOffer {
	installedChart := strings.TrimPrefix(installed, "v")
	if v, ok := c.Find(installed); ok {
		installedChart = v.HelmChartVersion()
	}
	fromChart, err := semver.NewVersion(installedChart)
	if err != nil {
		return nil
	}
	fromApp, _ := semver.NewVersion(installed)
	listed := map[string]bool{}
	for _, v := range c.Versions {
		listed[v.HelmChartVersion()] = true
	}
	var out []HelmOffer
	seen := map[string]bool{}
	for _, r := range releases {
		chart, err := semver.NewVersion(r.ChartVersion)
		if err != nil || chart.Prerelease() != "" || !chart.GreaterThan(fromChart) || listed[r.ChartVersion] {
			continue
		}
		version := r.ChartVersion
		if r.AppVersion != "" {
			if app, _ := semver.NewVersion(r.AppVersion); fromApp != nil && app != nil && !app.GreaterThan(fromApp) {
				continue
			}
			if _, ok := c.Find(r.AppVersion); ok {
				continue
			}
			version = r.AppVersion
		}
		if seen[version] {
			continue
		}
		seen[version] = true
		out = append(out, HelmOffer{Version: version, Release: r})
		if len(out) == max {
			break
		}
	}
	return out
}
