package catalog

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/Masterminds/semver/v3"
)

var (
	// Component names become Kubernetes object names and hostnames.
	dnsLabel  = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)
	chartName = regexp.MustCompile(`^[a-z0-9]([-a-z0-9_.]{0,250}[a-z0-9])?$`)
)

// domainPlaceholder is the one placeholder endpoint URLs may use; it stands
// for the platform's organization domain (Platform spec.organization.domain).
const domainPlaceholder = "{{domain}}"

// located pairs a component with the path error messages use for it, so
// merged catalogs can point at the index entry a problem came from.
type located struct {
	path string
	c    *Component
}

func locate(comps []Component) []located {
	out := make([]located, len(comps))
	for i := range comps {
		out[i] = located{componentPath(i, comps[i].Name), &comps[i]}
	}
	return out
}

// partial reports whether an index entry only adds versions to a component
// defined elsewhere (it names nothing but the component and its versions).
func partial(c *Component) bool {
	return c.Title == "" && c.Description == "" && c.Category == "" && c.Chart == (Chart{}) &&
		len(c.Requires) == 0 && len(c.Optional) == 0 && len(c.Endpoints) == 0
}

// validateAll checks every component (normalising version spellings in
// place) and, with refs, that dependencies point at components in the set
// and form no cycle. With partialOK (remote index), descriptive fields
// may be missing, since an entry may only add versions to a known
// component; Merge checks the merged result in full.
func validateAll(comps []Component, partialOK bool, refs bool) []error {
	return validateLocated(locate(comps), partialOK, refs)
}

func validateLocated(comps []located, partialOK bool, refs bool) []error {
	var errs []error
	first := map[string]string{}
	for _, l := range comps {
		errs = append(errs, validateComponent(l.path, l.c, partialOK)...)
		if l.c.Name == "" {
			continue
		}
		if prev, dup := first[l.c.Name]; dup {
			errs = append(errs, invalid(l.path+".name", fmt.Sprintf("%q is used twice (also %s); rename or merge the two entries", l.c.Name, prev)))
		} else {
			first[l.c.Name] = l.path
		}
	}
	if refs {
		errs = append(errs, validateRefs(comps, first)...)
	}
	return errs
}

func validateComponent(p string, c *Component, partialOK bool) []error {
	var errs []error
	add := func(field, problem string) { errs = append(errs, invalid(p+field, problem)) }
	if c.Name == "" {
		add(".name", "missing; set a lowercase DNS label such as cert-manager")
	} else if !dnsLabel.MatchString(c.Name) {
		add(".name", fmt.Sprintf("%q is not a DNS label; use lowercase letters, digits and '-', at most 63 characters", c.Name))
	}
	if strings.TrimSpace(c.Title) == "" && !partialOK {
		add(".title", "missing; set the name the UI shows, e.g. Cert Manager")
	}
	switch c.Category {
	case Mandatory, ALaCarte, MetaPlatform:
	case "":
		if !partialOK {
			add(".category", "missing; want mandatory, a-la-carte or meta-platform")
		}
	default:
		add(".category", fmt.Sprintf("%q is not a category; want mandatory, a-la-carte or meta-platform", c.Category))
	}
	if c.Chart != (Chart{}) || !partialOK {
		errs = append(errs, validateChart(p+".chart", c.Chart)...)
	}
	if len(c.Versions) == 0 {
		add(".versions", "empty; list at least one version")
	}
	seen := map[string]int{}
	for j := range c.Versions {
		v := &c.Versions[j]
		vp := fmt.Sprintf(".versions[%d]", j)
		norm, err := NormalizeVersion(v.Version)
		switch {
		case v.Version == "":
			add(vp+".version", "missing; set the release as vX.Y.Z")
		case err != nil:
			add(vp+".version", err.Error())
		default:
			v.Version = norm
			if k, dup := seen[norm]; dup {
				add(vp+".version", fmt.Sprintf("%s is listed twice (also versions[%d]); remove one", norm, k))
			} else {
				seen[norm] = j
			}
		}
		if v.ChartVersion != "" {
			if _, err := parseVersion(v.ChartVersion); err != nil {
				add(vp+".chartVersion", err.Error()+"; leave it empty when it equals the version")
			}
		}
		switch {
		case v.Source != nil:
			for _, e := range validateSource(*v.Source) {
				add(vp+".source"+e[0], e[1])
			}
		}
		for k, im := range v.Images {
			for _, e := range validateImage(im) {
				add(fmt.Sprintf("%s.images[%d]%s", vp, k, e[0]), e[1])
			}
		}
		if v.Chart != nil {
			errs = append(errs, validateChart(p+vp+".chart", *v.Chart)...)
		}
		for _, e := range validateValues(v.Values) {
			add(vp+".values"+e[0], e[1])
		}
		for _, e := range validateUpgradePath(v.UpgradesFrom) {
			add(vp+".upgradesFrom"+e[0], e[1])
		}
		switch {
		case v.Backup != nil:
			for _, e := range validateBackup(*v.Backup) {
				add(vp+".backup"+e[0], e[1])
			}
		case v.ForwardOnly:
			add(vp+".backup", "missing; a forward-only release must declare the backup that runs before an upgrade crosses it")
		}
	}
	errs = append(errs, validateDeps(p+".requires", c.Name, c.Requires)...)
	errs = append(errs, validateDeps(p+".optional", c.Name, c.Optional)...)
	for j, d := range c.Optional {
		for _, r := range c.Requires {
			if d.Name != "" && d.Name == r.Name {
				add(fmt.Sprintf(".optional[%d].name", j), fmt.Sprintf("%q is also required; list it in requires or optional, not both", d.Name))
			}
		}
	}
	names := map[string]bool{}
	for j, e := range c.Endpoints {
		ep := fmt.Sprintf(".endpoints[%d]", j)
		switch {
		case e.Name == "":
			add(ep+".name", "missing; set a short lowercase name such as web or api")
		case !dnsLabel.MatchString(e.Name):
			add(ep+".name", fmt.Sprintf("%q is not a DNS label; use lowercase letters, digits and '-'", e.Name))
		case names[e.Name]:
			add(ep+".name", fmt.Sprintf("%q is used twice; endpoint names must be unique per component", e.Name))
		}
		names[e.Name] = true
		if problem := checkEndpointURL(e.URL); problem != "" {
			add(ep+".url", problem)
		}
	}
	return errs
}

func validateChart(p string, ch Chart) []error {
	var errs []error
	if ch.Name == "" {
		errs = append(errs, invalid(p+".name", "missing; set the Helm chart name, e.g. cilium"))
	} else if !chartName.MatchString(ch.Name) {
		errs = append(errs, invalid(p+".name", fmt.Sprintf("%q is not a Helm chart name; use lowercase letters, digits, '-', '_' and '.'", ch.Name)))
	}
	if ch.Repository == "" {
		errs = append(errs, invalid(p+".repository", "missing; set an https:// Helm repository or an oci:// registry path"))
		return errs
	}
	u, err := url.Parse(ch.Repository)
	switch {
	case err != nil:
		errs = append(errs, invalid(p+".repository", fmt.Sprintf("%q is not a URL; want https://… or oci://…", ch.Repository)))
	case u.Scheme != "https" && u.Scheme != "http" && u.Scheme != "oci":
		errs = append(errs, invalid(p+".repository", fmt.Sprintf("%q has scheme %q; want https://, http:// or oci://", ch.Repository, u.Scheme)))
	case u.Host == "":
		errs = append(errs, invalid(p+".repository", fmt.Sprintf("%q has no host; want e.g. https://charts.example.com", ch.Repository)))
	case u.User != nil:
		errs = append(errs, invalid(p+".repository", "contains credentials; remove them and configure repository credentials on the platform"))
	}
	return errs
}

func validateDeps(p, self string, deps []Dependency) []error {
	var errs []error
	seen := map[string]bool{}
	for j, d := range deps {
		dp := fmt.Sprintf("%s[%d]", p, j)
		switch {
		case d.Name == "":
			errs = append(errs, invalid(dp+".name", "missing; name the component depended on"))
		case !dnsLabel.MatchString(d.Name):
			errs = append(errs, invalid(dp+".name", fmt.Sprintf("%q is not a component name (DNS label)", d.Name)))
		case d.Name == self:
			errs = append(errs, invalid(dp+".name", fmt.Sprintf("%q depends on itself; remove this entry", d.Name)))
		case seen[d.Name]:
			errs = append(errs, invalid(dp+".name", fmt.Sprintf("%q is listed twice; merge the ranges into one entry", d.Name)))
		}
		seen[d.Name] = true
		if d.Range != "" {
			if _, err := semver.NewConstraint(d.Range); err != nil {
				errs = append(errs, invalid(dp+".range", fmt.Sprintf("%q is not a semver constraint (%v); want e.g. \">= 1.2.0, < 2.0.0\"", d.Range, err)))
			}
		}
	}
	return errs
}

func checkEndpointURL(raw string) string {
	if raw == "" {
		return "missing; set a URL such as https://grafana." + domainPlaceholder
	}
	concrete := strings.ReplaceAll(raw, domainPlaceholder, "example.com")
	if strings.Contains(concrete, "{{") || strings.Contains(concrete, "}}") {
		return fmt.Sprintf("%q uses an unknown placeholder; only %s is supported", raw, domainPlaceholder)
	}
	u, err := url.Parse(concrete)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return fmt.Sprintf("%q is not an absolute URL; want scheme://host[/path], e.g. https://grafana.%s", raw, domainPlaceholder)
	}
	return ""
}

// validateRefs checks that dependencies exist in the set and that requires
// form no cycle: a cycle can never be installed, so it is a catalog error
// rather than something every resolve should trip over.
func validateRefs(comps []located, paths map[string]string) []error {
	var errs []error
	byName := map[string]*Component{}
	for _, l := range comps {
		if _, ok := byName[l.c.Name]; !ok {
			byName[l.c.Name] = l.c
		}
	}
	for _, l := range comps {
		for _, list := range []struct {
			kind string
			deps []Dependency
		}{{"requires", l.c.Requires}, {"optional", l.c.Optional}} {
			for j, d := range list.deps {
				if d.Name != "" && d.Name != l.c.Name && byName[d.Name] == nil {
					errs = append(errs, invalid(fmt.Sprintf("%s.%s[%d].name", l.path, list.kind, j),
						fmt.Sprintf("%q is not in the catalog; add that component or remove the dependency", d.Name)))
				}
			}
		}
	}
	for _, cyc := range requiresCycles(byName) {
		errs = append(errs, invalid(paths[cyc[0]]+".requires",
			fmt.Sprintf("dependency cycle %s; remove one of these requires", strings.Join(cyc, chainSep))))
	}
	return errs
}

// requiresCycles finds cycles along requires edges (each reported once, as
// a → b → a), visiting names in sorted order for stable messages.
func requiresCycles(comps map[string]*Component) [][]string {
	const (
		white = iota
		grey
		black
	)
	color := map[string]int{}
	var stack []string
	var cycles [][]string
	var visit func(string)
	visit = func(n string) {
		color[n] = grey
		stack = append(stack, n)
		for _, d := range comps[n].Requires {
			if comps[d.Name] == nil || d.Name == n {
				continue
			}
			switch color[d.Name] {
			case white:
				visit(d.Name)
			case grey:
				i := len(stack) - 1
				for stack[i] != d.Name {
					i--
				}
				cycles = append(cycles, append(append([]string{}, stack[i:]...), d.Name))
			}
		}
		stack = stack[:len(stack)-1]
		color[n] = black
	}
	names := make([]string, 0, len(comps))
	for n := range comps {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if color[n] == white {
			visit(n)
		}
	}
	return cycles
}
