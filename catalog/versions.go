package catalog

import (
	"fmt"
	"slices"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// parseVersion accepts "vX.Y.Z" or "X.Y.Z" (with optional pre-release and
// build metadata) and nothing looser: "1.2" would silently mean 1.2.0 in
// most tools, and a catalog must say exactly what it ships.
func parseVersion(s string) (*semver.Version, error) {
	if _, err := semver.StrictNewVersion(strings.TrimPrefix(s, "v")); err != nil {
		return nil, fmt.Errorf("%q is not a semantic version (want vX.Y.Z)", s)
	}
	// Parse again keeping the original text, which the cache compares.
	return semver.NewVersion(s)
}

// NormalizeVersion returns the catalog spelling of a version ("v1.16.2" for
// "1.16.2"), so versions from CRDs, Helm and the catalog compare as text.
func NormalizeVersion(s string) (string, error) {
	v, err := parseVersion(s)
	if err != nil {
		return "", err
	}
	return "v" + v.String(), nil
}

// semvers returns the parsed versions in the order of c.Versions, from the
// cache when it still matches.
func (c *Component) semvers() []*semver.Version {
	if len(c.sem) == len(c.Versions) {
		ok := true
		for i, v := range c.Versions {
			if c.sem[i] == nil || c.sem[i].Original() != v.Version {
				ok = false
				break
			}
		}
		if ok {
			return c.sem
		}
	}
	out := make([]*semver.Version, len(c.Versions))
	for i, v := range c.Versions {
		out[i], _ = parseVersion(v.Version) // nil when invalid: never chosen
	}
	return out
}

// sortVersions orders Versions newest first and refreshes the cache.
func (c *Component) sortVersions() {
	type pair struct {
		v   Version
		sem *semver.Version
	}
	pairs := make([]pair, len(c.Versions))
	for i, v := range c.Versions {
		sem, _ := parseVersion(v.Version)
		pairs[i] = pair{v, sem}
	}
	slices.SortStableFunc(pairs, func(a, b pair) int {
		switch {
		case a.sem == nil && b.sem == nil:
			return 0
		case a.sem == nil:
			return 1
		case b.sem == nil:
			return -1
		}
		return b.sem.Compare(a.sem)
	})
	c.Versions = make([]Version, len(pairs))
	c.sem = make([]*semver.Version, len(pairs))
	for i, p := range pairs {
		c.Versions[i], c.sem[i] = p.v, p.sem
	}
}

// best returns the index of the newest version accepted by ok, preferring
// stable releases: a pre-release is chosen only when no stable version is
// acceptable. -1 when none is.
func (c *Component) best(ok func(*semver.Version) bool) int {
	sems := c.semvers()
	bestStable, bestPre := -1, -1
	for i, s := range sems {
		if s == nil || !ok(s) {
			continue
		}
		if s.Prerelease() == "" {
			if bestStable < 0 || s.GreaterThan(sems[bestStable]) {
				bestStable = i
			}
		} else if bestPre < 0 || s.GreaterThan(sems[bestPre]) {
			bestPre = i
		}
	}
	if bestStable >= 0 {
		return bestStable
	}
	return bestPre
}

// Latest is the version a fresh install gets when nothing constrains it:
// the newest stable release (newest pre-release if there is no stable one).
// Zero Version when the component has none.
func (c *Component) Latest() Version {
	if i := c.best(func(*semver.Version) bool { return true }); i >= 0 {
		return c.Versions[i]
	}
	return Version{}
}

// Find looks a version up by any spelling ("1.2.3" or "v1.2.3").
func (c *Component) Find(v string) (Version, bool) {
	want, err := parseVersion(v)
	if err != nil {
		return Version{}, false
	}
	for i, s := range c.semvers() {
		if s != nil && s.Equal(want) {
			return c.Versions[i], true
		}
	}
	return Version{}, false
}

// Newer lists the versions an installation at current could upgrade to,
// newest first. Nil when current is not a semantic version: an unknown
// installed version must not be offered a blind upgrade.
func (c *Component) Newer(current string) []Version {
	cur, err := parseVersion(current)
	if err != nil {
		return nil
	}
	type pair struct {
		v   Version
		sem *semver.Version
	}
	var out []pair
	for i, s := range c.semvers() {
		if s != nil && s.GreaterThan(cur) {
			out = append(out, pair{c.Versions[i], s})
		}
	}
	slices.SortStableFunc(out, func(a, b pair) int { return b.sem.Compare(a.sem) })
	vs := make([]Version, len(out))
	for i, p := range out {
		vs[i] = p.v
	}
	return vs
}

// VersionList is the versions as text, newest first, for messages.
func (c *Component) VersionList() []string {
	out := make([]string, len(c.Versions))
	for i, v := range c.Versions {
		out[i] = v.Version
	}
	return out
}

// SameVersion reports whether two version strings name the same semver
// version ("v1.2.0" and "1.2.0" do); false when either is not semver.
func SameVersion(a, b string) bool {
	na, errA := NormalizeVersion(a)
	nb, errB := NormalizeVersion(b)
	return errA == nil && errB == nil && na == nb
}

// NewerThan reports whether version is an upgrade from the installed one.
// A release that names no software version (chartOnly: a Helm chart whose
// version is all it says) cannot be compared and counts as newer, as does
// anything when either version is not semver: an offer is shown rather
// than hidden on a guess.
func NewerThan(version, installed string, chartOnly bool) bool {
	if chartOnly {
		return true
	}
	cand, err1 := semver.NewVersion(version)
	cur, err2 := semver.NewVersion(installed)
	if err1 != nil || err2 != nil {
		return true
	}
	return cand.GreaterThan(cur)
}
