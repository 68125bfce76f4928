package catalog

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
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
