package catalog

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/Masterminds/semver/v3"
	"gopkg.in/yaml.v3"
)

// APIVersion is the only catalog and index format this code understands;
// a remote index in another format must fail loudly rather than half-load.
const APIVersion = "catalog.openova.io/v1"

// MaxSize bounds catalog and index input so a broken or hostile catalog
// source cannot exhaust the manager's memory.
const MaxSize = 4 << 20

//go:embed catalog.yaml
var seed []byte

var (
	defaultOnce sync.Once
	defaultCat  *Catalog
)

// Default is the catalog compiled into the binary. It is shared: treat it as
// read-only and use Merge to combine it with a remote index. It panics only
// if the embedded file is invalid, which the package tests rule out.
func Default() *Catalog {
	defaultOnce.Do(func() {
		c, err := Parse(seed)
		if err != nil {
			panic(fmt.Sprintf("catalog: embedded catalog.yaml is invalid: %v", err))
		}
		defaultCat = c
	})
	return defaultCat
}

// Parse reads and validates a complete catalog. Every problem found is
// reported (joined), each naming its field, so an author fixes all at once.
// Every release of a complete catalog names its upstream source.
func Parse(data []byte) (*Catalog, error) {
	comps, errs := decode(data)
	if comps == nil {
		return nil, fmt.Errorf("parse catalog: %w", errors.Join(errs...))
	}
	errs = append(errs, validateAll(comps, false, true)...)
	errs = append(errs, unsourced(comps)...)
	if len(errs) > 0 {
		return nil, fmt.Errorf("parse catalog: %w", errors.Join(errs...))
	}
	return build(comps), nil
}

// Get finds a component by name.
func (c *Catalog) Get(name string) (*Component, bool) {
	comp, ok := c.Components[name]
	return comp, ok
}

// Names lists component names sorted, for stable UI and log output.
func (c *Catalog) Names() []string {
	if c.names != nil && len(c.names) == len(c.Components) {
		return slices.Clone(c.names)
	}
	return c.sortedNames()
}

func (c *Catalog) sortedNames() []string {
	names := make([]string, 0, len(c.Components))
	for n := range c.Components {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// InCategory lists the components of one category sorted by name, the way
// the Components view groups them.
func (c *Catalog) InCategory(cat Category) []*Component {
	names := c.names
	if names == nil || len(names) != len(c.Components) {
		names = c.sortedNames()
	}
	var out []*Component
	for _, n := range names {
		if comp := c.Components[n]; comp.Category == cat {
			out = append(out, comp)
		}
	}
	return out
}

// ByTitle lists the components of one category by title (then name), the
// order of the Components page. The list is shared: read it, never change
// it. The page asks on every load, and listing and sorting a catalog of
// 523 per load was a third of its time (BENCHMARKS.md).
func (c *Catalog) ByTitle(cat Category) []*Component {
	if list, ok := c.byTitle[cat]; ok && c.names != nil && len(c.names) == len(c.Components) {
		return list
	}
	return byTitle(c.InCategory(cat))
}

func byTitle(comps []*Component) []*Component {
	sort.SliceStable(comps, func(i, j int) bool { return comps[i].Title < comps[j].Title })
	return comps
}

// Matches says whether every one of words (lower case) is in the
// component's name, title or description, ignoring case.
func (c *Component) Matches(words []string) bool {
	text := c.search
	if text == "" {
		text = searchText(c)
	}
	for _, w := range words {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}

func searchText(c *Component) string {
	return strings.ToLower(c.Name + " " + c.Title + " " + c.Description)
}

// URLFor expands the {{domain}} placeholder of an endpoint for one platform.
func (e Endpoint) URLFor(domain string) string {
	return strings.ReplaceAll(e.URL, domainPlaceholder, domain)
}

// HelmChartVersion is the version to ask Helm for.
func (v Version) HelmChartVersion() string { return ChartVersionOf(v.Version, v.ChartVersion) }

// ChartOf is the chart that ships release v: its own after a chart move,
// else the component's.
func (c *Component) ChartOf(v Version) Chart {
	if v.Chart != nil {
		return *v.Chart
	}
	return c.Chart
}

// ChartVersionOf is the one rule for the Helm chart version of a software
// version: the chart version the catalog names, else the software version
// without its leading "v". Workflows, activities and controllers that hold
// the two strings (not the catalog entry) ask here.
func ChartVersionOf(version, chartVersion string) string {
	if chartVersion != "" {
		return chartVersion
	}
	return strings.TrimPrefix(version, "v")
}

// The decoding mirrors of the public types: released dates are read as text
// so that a bad date is reported with its field path like any other error.
type document struct {
	APIVersion string         `yaml:"apiVersion"`
	Components []rawComponent `yaml:"components"`
}

type rawComponent struct {
	Name        string       `yaml:"name"`
	Title       string       `yaml:"title,omitempty"`
	Description string       `yaml:"description,omitempty"`
	Category    Category     `yaml:"category,omitempty"`
	Chart       Chart        `yaml:"chart,omitempty"`
	Versions    []rawVersion `yaml:"versions"`
	Requires    []Dependency `yaml:"requires,omitempty"`
	Optional    []Dependency `yaml:"optional,omitempty"`
	Endpoints   []Endpoint   `yaml:"endpoints,omitempty"`
}

type rawVersion struct {
	Version      string         `yaml:"version"`
	ChartVersion string         `yaml:"chartVersion,omitempty"`
	Released     string         `yaml:"released"`
	ForwardOnly  bool           `yaml:"forwardOnly,omitempty"`
	Changelog    string         `yaml:"changelog,omitempty"`
	Backup       *Backup        `yaml:"backup,omitempty"`
	Source       *Source        `yaml:"source,omitempty"`
	Images       []Image        `yaml:"images,omitempty"`
	Chart        *Chart         `yaml:"chart,omitempty"`
	Values       map[string]any `yaml:"values,omitempty"`
	UpgradesFrom *UpgradePath   `yaml:"upgradesFrom,omitempty"`
}

// decode turns bytes into components. A nil slice means the input could not
// be read at all; otherwise errs holds per-field problems found on the way.
func decode(data []byte) (comps []Component, errs []error) {
	if len(data) > MaxSize {
		return nil, []error{invalid("", fmt.Sprintf("input is %d bytes, more than the %d byte limit; split the index or remove old versions", len(data), MaxSize))}
	}
	defer func() {
		// yaml.v3 has panicked on hostile input before; a catalog source
		// must never take the manager down.
		if r := recover(); r != nil {
			comps, errs = nil, []error{invalid("", fmt.Sprintf("not valid YAML: %v", r))}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var doc document
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, []error{invalid("", "empty input; want a YAML document with apiVersion and components")}
		}
		return nil, []error{invalid("", "not a valid catalog document: "+err.Error())}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, []error{invalid("", "more than one YAML document; put all components in one document")}
	}
	switch doc.APIVersion {
	case APIVersion:
	case "":
		return nil, []error{invalid("apiVersion", "missing; set apiVersion: "+APIVersion)}
	default:
		return nil, []error{invalid("apiVersion", fmt.Sprintf("%q is not supported; want %s", doc.APIVersion, APIVersion))}
	}
	if len(doc.Components) == 0 {
		return nil, []error{invalid("components", "empty; list at least one component")}
	}
	comps = make([]Component, len(doc.Components))
	for i, rc := range doc.Components {
		c := Component{
			Name: rc.Name, Title: rc.Title, Description: rc.Description, Category: rc.Category,
			Chart: rc.Chart, Requires: rc.Requires, Optional: rc.Optional, Endpoints: rc.Endpoints,
		}
		for j, rv := range rc.Versions {
			v := Version{Version: rv.Version, Changelog: rv.Changelog, ForwardOnly: rv.ForwardOnly, ChartVersion: rv.ChartVersion,
				Backup: rv.Backup, Source: rv.Source, Images: rv.Images, Chart: rv.Chart, Values: rv.Values,
				UpgradesFrom: rv.UpgradesFrom}
			if rv.Released == "" {
				errs = append(errs, invalid(fmt.Sprintf("%s.versions[%d].released", componentPath(i, rc.Name), j),
					"missing; set the release date as YYYY-MM-DD"))
			} else if t, ok := parseDate(rv.Released); ok {
				v.Released = t
			} else {
				errs = append(errs, invalid(fmt.Sprintf("%s.versions[%d].released", componentPath(i, rc.Name), j),
					fmt.Sprintf("%q is not a date; want YYYY-MM-DD or RFC 3339", rv.Released)))
			}
			c.Versions = append(c.Versions, v)
		}
		comps[i] = c
	}
	return comps, errs
}

func parseDate(s string) (time.Time, bool) {
	for _, layout := range []string{time.DateOnly, time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func componentPath(i int, name string) string {
	if name == "" {
		return fmt.Sprintf("components[%d]", i)
	}
	return fmt.Sprintf("components[%d] (%s)", i, name)
}

// build indexes validated (and normalised) components; it sorts versions
// newest first and fills the read-only caches.
func build(comps []Component) *Catalog {
	cat := &Catalog{Components: make(map[string]*Component, len(comps))}
	for i := range comps {
		c := comps[i]
		c.sortVersions()
		cat.Components[c.Name] = &c
	}
	cat.fillCaches()
	return cat
}

func (c *Catalog) fillCaches() {
	c.names = c.sortedNames()
	c.byTitle = map[Category][]*Component{}
	for _, cat := range []Category{Mandatory, ALaCarte, MetaPlatform} {
		c.byTitle[cat] = byTitle(c.InCategory(cat))
	}
	for _, comp := range c.Components {
		comp.search = searchText(comp)
	}
	c.ranges = map[string]*semver.Constraints{}
	for _, comp := range c.Components {
		for _, deps := range [][]Dependency{comp.Requires, comp.Optional} {
			for _, d := range deps {
				if d.Range == "" {
					continue
				}
				if _, ok := c.ranges[d.Range]; !ok {
					if cons, err := semver.NewConstraint(d.Range); err == nil {
						c.ranges[d.Range] = cons
					}
				}
			}
		}
	}
}

// Marshal renders the catalog in its file format (components sorted by
// name, versions newest first), e.g. to publish a merged index or to show a
// catalog in the UI; Parse reads it back unchanged.
func (c *Catalog) Marshal() ([]byte, error) {
	doc := document{APIVersion: APIVersion}
	for _, name := range c.Names() {
		comp := c.Components[name]
		rc := rawComponent{
			Name: comp.Name, Title: comp.Title, Description: comp.Description, Category: comp.Category,
			Chart: comp.Chart, Requires: comp.Requires, Optional: comp.Optional, Endpoints: comp.Endpoints,
		}
		for _, v := range comp.Versions {
			released := v.Released.UTC().Format(time.RFC3339Nano)
			if v.Released.Equal(v.Released.Truncate(24 * time.Hour)) {
				released = v.Released.UTC().Format(time.DateOnly)
			}
			rc.Versions = append(rc.Versions, rawVersion{Version: v.Version, Released: released,
				Changelog: v.Changelog, ForwardOnly: v.ForwardOnly, ChartVersion: v.ChartVersion, Backup: v.Backup, Source: v.Source, Images: v.Images,
				Chart: v.Chart, Values: v.Values, UpgradesFrom: v.UpgradesFrom})
		}
		doc.Components = append(doc.Components, rc)
	}
	out, err := yaml.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("marshal catalog: %w", err)
	}
	return out, nil
}
