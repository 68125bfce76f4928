package catalog

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"
	"gopkg.in/yaml.v3"
)

// MaxHelmIndexSize bounds a Helm repository index; big public repositories
// publish indexes of tens of MiB.
const MaxHelmIndexSize = 64 << 20

// HelmRelease is one chart version a Helm repository offers.
type HelmRelease struct {
	ChartVersion string
	// AppVersion is the software version, in the catalog's spelling
	// ("v11.3.0"), or empty when the chart does not state a semver one.
	AppVersion string
	Created    time.Time
	// Changes are the chart's artifacthub.io/changes, when it has them.
	Changes []HelmChange `json:",omitempty"`
}

type helmIndex struct {
	APIVersion string                     `yaml:"apiVersion"`
	Entries    map[string][]helmIndexItem `yaml:"entries"`
}

type helmIndexItem struct {
	Version    string    `yaml:"version"`
	AppVersion string    `yaml:"appVersion"`
	Created    time.Time `yaml:"created"`
	Deprecated bool      `yaml:"deprecated"`
	// Annotations are the chart's Chart.yaml annotations.
	Annotations map[string]string `yaml:"annotations"`
}

// ParseHelmIndex reads a Helm repository's index.yaml and returns the
// releases of one chart, newest chart version first. Entries whose chart
// version is not semver, and deprecated ones, are skipped: Helm itself
// cannot order them. A missing chart or a malformed index is an error that
// says which.
func ParseHelmIndex(data []byte, chart string) ([]HelmRelease, error) {
	if len(data) > MaxHelmIndexSize {
		return nil, fmt.Errorf("helm index is larger than %d MiB", MaxHelmIndexSize>>20)
	}
	var idx helmIndex
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&idx); err != nil {
		return nil, fmt.Errorf("helm index is not valid YAML: %s", firstLine(err))
	}
	if idx.APIVersion != "v1" {
		return nil, fmt.Errorf("helm index apiVersion is %q, want v1", idx.APIVersion)
	}
	items, ok := idx.Entries[chart]
	if !ok {
		return nil, fmt.Errorf("chart %s is not in the helm index (entries: %d charts)", chart, len(idx.Entries))
	}
	type parsed struct {
		r HelmRelease
		v *semver.Version
	}
	var out []parsed
	for _, it := range items {
		v, err := semver.NewVersion(it.Version)
		if err != nil || it.Deprecated {
			continue
		}
		r := HelmRelease{ChartVersion: it.Version, Created: it.Created, Changes: parseChanges(it.Annotations[AnnotationChanges])}
		if app, err := NormalizeVersion(it.AppVersion); err == nil {
			r.AppVersion = app
		}
		out = append(out, parsed{r, v})
	}
	if len(out) == 0 {
		return nil, errors.New("chart " + chart + " has no semver release in the helm index")
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].v.GreaterThan(out[j].v) })
	releases := make([]HelmRelease, len(out))
	for i, p := range out {
		releases[i] = p.r
	}
	return releases, nil
}

// firstLine keeps error messages to one line.
func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}
