// Package catalog is the component catalog: what can be installed, in which
// versions, needing what. It is pure domain code (parsing, validation,
// semver, dependency resolution) with no I/O beyond parsing bytes, so that
// workflows, controllers and the UI can all reason about the same data.
package catalog

import (
	"time"

	"github.com/Masterminds/semver/v3"
)

// Category groups components the way the UI shows them.
type Category string

// The three categories of the product.
const (
	Mandatory    Category = "mandatory"
	ALaCarte     Category = "a-la-carte"
	MetaPlatform Category = "meta-platform"
)

// Catalog is a validated set of components, keyed by name.
type Catalog struct {
	Components map[string]*Component

	// ranges caches parsed dependency constraints by their text; filled
	// once when the catalog is built and read-only afterwards, so a shared
	// catalog (Default) is safe for concurrent resolves. A catalog built by
	// hand (tests) has none and parses on demand.
	ranges map[string]*semver.Constraints
	// names are the components' names, sorted, filled with ranges: pages
	// list the catalog by name on every request (523 entries).
	names []string
	// byTitle are each category's components by title, filled with names.
	byTitle map[Category][]*Component
}

// Component is one installable unit: a Helm chart with its versions and
// dependencies.
type Component struct {
	Name        string       `yaml:"name" json:"name"`
	Title       string       `yaml:"title" json:"title"`
	Description string       `yaml:"description" json:"description"`
	Category    Category     `yaml:"category" json:"category"`
	Chart       Chart        `yaml:"chart" json:"chart"`
	Versions    []Version    `yaml:"versions" json:"versions"`
	Requires    []Dependency `yaml:"requires,omitempty" json:"requires,omitempty"`
	Optional    []Dependency `yaml:"optional,omitempty" json:"optional,omitempty"`
	Endpoints   []Endpoint   `yaml:"endpoints,omitempty" json:"endpoints,omitempty"`

	// sem caches Versions parsed as semver (same order); read-only after
	// the catalog is built and ignored when it no longer matches Versions.
	sem []*semver.Version
	// search is the lower-case name, title and description that Matches
	// reads, filled when the catalog is built.
	search string
}

// Chart says where the component's Helm chart lives.
type Chart struct {
	Name       string `yaml:"name" json:"name"`
	Repository string `yaml:"repository" json:"repository"`
}

// Version is one release of a component.
type Version struct {
	Version   string    `yaml:"version" json:"version"`
	Released  time.Time `yaml:"released" json:"released"`
	Changelog string    `yaml:"changelog" json:"changelog"`
	// ForwardOnly marks releases that migrate data: they cannot be rolled
	// back and need explicit confirmation.
	ForwardOnly bool `yaml:"forwardOnly,omitempty" json:"forwardOnly,omitempty"`
	// ChartVersion is the Helm chart version that ships this release when
	// the chart is versioned apart from the software (most charts are);
	// empty means the chart version is Version without its leading "v".
	ChartVersion string `yaml:"chartVersion,omitempty" json:"chartVersion,omitempty"`
	// Backup is what runs before an upgrade crosses this release; every
	// forward-only release declares one.
	Backup *Backup `yaml:"backup,omitempty" json:"backup,omitempty"`
	// Source says where the release's chart version, app version and date
	// were checked upstream, so every value can be traced; required in the
	// catalog compiled into the binary.
	Source *Source `yaml:"source,omitempty" json:"source,omitempty"`
	// Images are the container images the release's chart runs with the
	// catalog's values, each with where it was read: what an air-gapped
	// platform mirrors into Gitea's registry and what a pre-pull warms.
	Images []Image `yaml:"images,omitempty" json:"images,omitempty"`
	// Chart is the chart this release ships in when it is not the
	// component's: a chart move (a Bitnami chart whose images are gone,
	// replaced by the project's own). Nil: the component's chart.
	Chart *Chart `yaml:"chart,omitempty" json:"chart,omitempty"`
	// Values are the Helm values the catalog installs this release with:
	// what makes the chart use what `requires` names (an external
	// database, CRDs from their own chart) or run without withdrawn
	// images. A platform's own values for the component are merged over
	// them, as Helm merges values files: maps key by key, anything else
	// replaced.
	Values map[string]any `yaml:"values,omitempty" json:"values,omitempty"`
	// UpgradesFrom is the upgrade path upstream documents into this
	// release (Cilium: one minor release at a time): an upgrade from an
	// installed version outside its range is refused and told which
	// release to upgrade to first. Nil: from any older release.
	UpgradesFrom *UpgradePath `yaml:"upgradesFrom,omitempty" json:"upgradesFrom,omitempty"`
}

// UpgradePath is the range of installed versions a release upgrades from,
// with upstream's words for it and where they were read.
type UpgradePath struct {
	Range  string  `yaml:"range" json:"range"`
	Why    string  `yaml:"why" json:"why"`
	Source *Source `yaml:"source" json:"source"`
}

// Image is one container image a release runs, as upstream publishes it.
type Image struct {
	Registry   string `yaml:"registry" json:"registry"`     // e.g. quay.io
	Repository string `yaml:"repository" json:"repository"` // e.g. cilium/cilium
	Tag        string `yaml:"tag" json:"tag"`
	// Digest pins the tag where upstream publishes one (sha256:...).
	Digest string  `yaml:"digest,omitempty" json:"digest,omitempty"`
	Source *Source `yaml:"source" json:"source"`
}

// Ref is the image's reference: registry/repository:tag, @digest when
// pinned.
func (i Image) Ref() string {
	ref := i.Registry + "/" + i.Repository + ":" + i.Tag
	if i.Digest != "" {
		ref += "@" + i.Digest
	}
	return ref
}

// Source is where a release was checked: a file (a chart's Chart.yaml, a
// Helm repository's index.yaml) in a public repository at a tag or commit.
type Source struct {
	Repository string `yaml:"repository" json:"repository"`
	Ref        string `yaml:"ref" json:"ref"`
	Path       string `yaml:"path" json:"path"`
}

// Backup is a Kubernetes object (a CloudNativePG Backup, a Job running a
// dump, ...) that an upgrade creates next to the component before it
// crosses a forward-only release, and then watches until a status field
// says it is done (or failed). The object is named
// <component>-before-<version>, so a retried upgrade finds its backup
// instead of taking a second one.
type Backup struct {
	APIVersion string `yaml:"apiVersion" json:"apiVersion"`
	Kind       string `yaml:"kind" json:"kind"`
	// Namespace is where the backup object (and its volume) is created
	// when that is not the platform's namespace: a component the
	// bootstrap installed in its own namespace (Gitea) is backed up next
	// to its data, which only a pod of that namespace can mount.
	Namespace string         `yaml:"namespace,omitempty" json:"namespace,omitempty"`
	Spec      map[string]any `yaml:"spec,omitempty" json:"spec,omitempty"`
	Done      FieldMatch     `yaml:"done" json:"done"`
	Failed    *FieldMatch    `yaml:"failed,omitempty" json:"failed,omitempty"`
	// Timeout bounds the backup, e.g. 30m (the default).
	Timeout string `yaml:"timeout,omitempty" json:"timeout,omitempty"`
	// Volume, for a Job, is the volume the dump is written to: the upgrade
	// creates a PersistentVolumeClaim of this size named like the backup,
	// so a backup never depends on a claim someone had to create first,
	// and each backup keeps its own.
	Volume *BackupVolume `yaml:"volume,omitempty" json:"volume,omitempty"`
	// Assumes lists the chart settings the backup relies on (release name,
	// Service, Secret and key, image tag the chart pins), all the chart's
	// defaults as released; a platform that overrides one of them needs
	// its own backup.
	Assumes []string `yaml:"assumes,omitempty" json:"assumes,omitempty"`
}

// BackupVolume is the claim a backup Job writes to: Name is the volume of
// the Job's pod spec that mounts it, Size its requested storage (e.g. 8Gi).
type BackupVolume struct {
	Name string `yaml:"name" json:"name"`
	Size string `yaml:"size" json:"size"`
}

// FieldMatch is a field of the object (a dotted path such as status.phase)
// and the value that means the state.
type FieldMatch struct {
	Path   string `yaml:"path" json:"path"`
	Equals string `yaml:"equals" json:"equals"`
}

// DefaultBackupTimeout bounds a backup whose catalog entry sets none.
const DefaultBackupTimeout = 30 * time.Minute

// TimeoutOrDefault is the backup's timeout (validated when parsed).
func (b Backup) TimeoutOrDefault() time.Duration {
	if d, err := time.ParseDuration(b.Timeout); err == nil && d > 0 {
		return d
	}
	return DefaultBackupTimeout
}

// Dependency names another component and the versions that satisfy it.
type Dependency struct {
	Name  string `yaml:"name" json:"name"`
	Range string `yaml:"range,omitempty" json:"range,omitempty"` // semver constraint; empty means any
	Why   string `yaml:"why,omitempty" json:"why,omitempty"`
	// Suggested marks a platform design choice (MongoDB's change data
	// capture through Debezium and Redpanda) rather than something the
	// chart needs to run; the dialog says "suggested by the platform".
	Suggested bool `yaml:"suggested,omitempty" json:"suggested,omitempty"`
}

// Endpoint is a service URL or quick link the component offers once installed.
type Endpoint struct {
	Name string `yaml:"name" json:"name"`
	URL  string `yaml:"url" json:"url"`
}

// Request asks for one component, optionally at a version (empty: latest
// that satisfies everything), with chosen optional dependencies.
type Request struct {
	Component string
	Version   string
	Optional  []string
	// Prefer holds versions asked for elsewhere (the platform pins its
	// other components): a dependency installed by this request takes its
	// preferred version when that satisfies every range, else the best
	// version that does.
	Prefer map[string]string `json:",omitempty"`
}

// StepState says what the plan will do with an entry.
type StepState string

// Plan entry states, as the UI shows them.
const (
	AlreadyInstalled StepState = "already-installed"
	WillInstall      StepState = "will-install"
	// OptionalOffered is an optional dependency the request did not choose.
	OptionalOffered StepState = "optional"
)

// Step is one component in a plan.
type Step struct {
	Name      string
	Version   string
	State     StepState
	Required  bool   // required by something in the plan (false for the requested one and chosen optionals)
	NeededBy  string // the component that pulled it in, empty for the request
	Chart     Chart
	Category  Category
	Endpoints []Endpoint
	// ChartVersion is the Helm chart version that ships Version.
	ChartVersion string
	// Dependencies are the plan members this entry installs after.
	Dependencies []string `json:",omitempty"`
	// Values are the catalog's Helm values for Version (Version.Values).
	Values map[string]any `json:",omitempty"`
}

// Plan is the resolved install order: every layer's entries are independent
// of each other and depend only on earlier layers, so a layer can install in
// parallel. The requested component is in the last layer.
type Plan struct {
	Layers [][]Step
	// Optional lists the requested component's optional dependencies that
	// the request did not choose (state OptionalOffered, or
	// AlreadyInstalled when present anyway), sorted by name. They sit
	// outside Layers because their own dependencies were not resolved:
	// choosing one means resolving again with it in Request.Optional.
	Optional []Step
}

// Installed maps the name of each installed component to its version.
type Installed map[string]string

// Error kinds, used verbatim as the type of non-retryable Temporal errors
// so the UI can say what to do.
const (
	ErrDependencyCycle    = "DependencyCycle"
	ErrUnknownComponent   = "UnknownComponent"
	ErrUnsatisfiableRange = "UnsatisfiableRange"
	ErrInvalidCatalog     = "InvalidCatalog"
)

// ResolveError is why a request cannot be planned. Chain is the path of
// dependencies from the request to the problem, e.g. ai-hub → cnpg → x.
type ResolveError struct {
	Kind   string
	Chain  []string
	Detail string
}
