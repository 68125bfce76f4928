package catalog

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"
)

// Checks of a release's parts: its backup and its upstream source.

// fieldPath is a dotted path into an object, e.g. status.phase.
var fieldPath = regexp.MustCompile(`^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$`)

// validateBackup returns (field suffix, problem) pairs.
func validateBackup(b Backup) [][2]string {
	var out [][2]string
	if b.APIVersion == "" {
		out = append(out, [2]string{".apiVersion", "missing; e.g. postgresql.cnpg.io/v1 or batch/v1"})
	}
	if b.Kind == "" {
		out = append(out, [2]string{".kind", "missing; e.g. Backup or Job"})
	}
	check := func(field string, m FieldMatch) {
		if !fieldPath.MatchString(m.Path) {
			out = append(out, [2]string{field + ".path", fmt.Sprintf("%q is not a dotted field path such as status.phase", m.Path)})
		}
		if m.Equals == "" {
			out = append(out, [2]string{field + ".equals", "missing; the value that means the state, e.g. completed"})
		}
	}
	if b.Namespace != "" && !dnsLabel.MatchString(b.Namespace) {
		out = append(out, [2]string{".namespace", fmt.Sprintf("%q is not a namespace name; leave it out to back up in the platform's namespace", b.Namespace)})
	}
	check(".done", b.Done)
	if b.Failed != nil {
		check(".failed", *b.Failed)
	}
	if b.Timeout != "" {
		if d, err := time.ParseDuration(b.Timeout); err != nil || d <= 0 {
			out = append(out, [2]string{".timeout", fmt.Sprintf("%q is not a positive duration such as 30m", b.Timeout)})
		}
	}
	if v := b.Volume; v != nil {
		if b.APIVersion != "batch/v1" || b.Kind != "Job" {
			out = append(out, [2]string{".volume", "only a batch/v1 Job writes to a volume; remove it or make the backup a Job"})
		}
		if !dnsLabel.MatchString(v.Name) {
			out = append(out, [2]string{".volume.name", fmt.Sprintf("%q is not a volume name; use the name the Job's pod mounts, e.g. backup", v.Name)})
		}
		if !storageSize.MatchString(v.Size) {
			out = append(out, [2]string{".volume.size", fmt.Sprintf("%q is not a size such as 8Gi (Mi, Gi or Ti)", v.Size)})
		}
	}
	return out
}

// storageSize is a claim size in binary units, e.g. 512Mi or 8Gi.
var storageSize = regexp.MustCompile(`^[1-9][0-9]{0,5}(Mi|Gi|Ti)$`)

// unsourced reports every release without a source. A complete catalog
// (the one compiled into the binary, or one published whole) must say
// where each release was checked; a remote index that adds releases may
// leave it out, since its publisher answers for it.
func unsourced(comps []Component) []error {
	var errs []error
	for _, l := range locate(comps) {
		for j, v := range l.c.Versions {
			if v.Source == nil {
				errs = append(errs, invalid(fmt.Sprintf("%s.versions[%d].source", l.path, j),
					"missing; say where the release was checked upstream, e.g. {repository: https://github.com/<owner>/<repo>, ref: <tag or commit>, path: <dir>/Chart.yaml}"))
			}
		}
	}
	return errs
}

// validateSource returns (field suffix, problem) pairs: a source must lead
// a reader to one file at one revision.
func validateSource(s Source) [][2]string {
	var out [][2]string
	if u, err := url.Parse(s.Repository); err != nil || u.Scheme != "https" || u.Host == "" {
		out = append(out, [2]string{".repository", fmt.Sprintf("%q is not an https URL of a repository", s.Repository)})
	}
	if strings.TrimSpace(s.Ref) == "" {
		out = append(out, [2]string{".ref", "missing; the tag or commit the values were read at"})
	}
	if s.Path == "" || strings.HasPrefix(s.Path, "/") || slices.Contains(strings.Split(s.Path, "/"), "..") {
		out = append(out, [2]string{".path", fmt.Sprintf("%q is not a path inside the repository, e.g. charts/grafana/Chart.yaml", s.Path)})
	}
	return out
}

// Image references: a registry host (with a port, or localhost), a
// repository path and a tag, as the OCI distribution spec allows them.
var (
	imageRegistry   = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+|localhost)(:[0-9]{1,5})?$`)
	imageRepository = regexp.MustCompile(`^[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*$`)
	imageTag        = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
	imageDigest     = regexp.MustCompile(`^sha256:[a-f0-9]{64}$`)
)

// dockerHub are the names of Docker Hub's registry.
var dockerHub = []string{"docker.io", "registry-1.docker.io", "index.docker.io"}

// validateImage returns (field suffix, problem) pairs: an image must be
// pullable as named, today and tomorrow.
func validateImage(im Image) [][2]string {
	var out [][2]string
	if !imageRegistry.MatchString(im.Registry) {
		out = append(out, [2]string{".registry", fmt.Sprintf("%q is not a registry host such as quay.io or docker.io", im.Registry)})
	}
	if !imageRepository.MatchString(im.Repository) {
		out = append(out, [2]string{".repository", fmt.Sprintf("%q is not a repository path such as cilium/cilium", im.Repository)})
	}
	switch {
	case !imageTag.MatchString(im.Tag):
		out = append(out, [2]string{".tag", fmt.Sprintf("%q is not an image tag", im.Tag)})
	case im.Tag == "latest":
		out = append(out, [2]string{".tag", "latest names a different image tomorrow; use the release's own tag"})
	}
	if im.Digest != "" && !imageDigest.MatchString(im.Digest) {
		out = append(out, [2]string{".digest", fmt.Sprintf("%q is not a digest such as sha256:<64 hex digits>", im.Digest)})
	}
	if slices.Contains(dockerHub, im.Registry) && strings.HasPrefix(im.Repository, "bitnami/") {
		out = append(out, [2]string{".repository", fmt.Sprintf("docker.io/%s is withdrawn: Bitnami removed its versioned images from docker.io/bitnami in August 2025 "+
			"(bitnami/containers#83267); use the upstream project's image, or a chart that runs it", im.Repository)})
	}
	if im.Source == nil {
		out = append(out, [2]string{".source", "missing; say where the image was read, e.g. the chart's values.yaml at the release's tag"})
	} else {
		for _, e := range validateSource(*im.Source) {
			out = append(out, [2]string{".source" + e[0], e[1]})
		}
	}
	return out
}

// validateValues checks a release's Helm values: they travel as JSON to
// the release (so every key must be a string), and the catalog is public
// and compiled in, so a value it sets under a password key would be a
// secret in plain text; such a chart reads an existing Secret instead.
func validateValues(values map[string]any) [][2]string {
	var out [][2]string
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, sub := range v {
				p := path + "." + k
				if s, ok := sub.(string); ok && s != "" && strings.HasSuffix(strings.ToLower(k), "password") {
					out = append(out, [2]string{p, "a password in the catalog is a secret in plain text; point the chart at an existing Secret (e.g. existingSecret) instead"})
				}
				walk(p, sub)
			}
		case map[any]any:
			out = append(out, [2]string{path, "has a key that is not a string; Helm values are keyed by strings"})
		case []any:
			for i, sub := range v {
				walk(fmt.Sprintf("%s[%d]", path, i), sub)
			}
		}
	}
	walk("", values)
	if _, err := json.Marshal(values); err != nil && len(out) == 0 {
		out = append(out, [2]string{"", "cannot be written as JSON: " + err.Error()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

// validateUpgradePath checks a release's upgrade path: a semver range that
// parses, upstream's reason and where it was read.
func validateUpgradePath(u *UpgradePath) [][2]string {
	if u == nil {
		return nil
	}
	var out [][2]string
	if _, err := semver.NewConstraint(u.Range); strings.TrimSpace(u.Range) == "" || err != nil {
		out = append(out, [2]string{".range", fmt.Sprintf("%q is not a version range such as \">= 1.19.0\"", u.Range)})
	}
	if strings.TrimSpace(u.Why) == "" {
		out = append(out, [2]string{".why", "missing; say, in upstream's words, why the path is limited"})
	}
	if u.Source == nil {
		out = append(out, [2]string{".source", "missing; name the repository, ref and file upstream documents the path in"})
	} else {
		for _, e := range validateSource(*u.Source) {
			out = append(out, [2]string{".source" + e[0], e[1]})
		}
	}
	return out
}
