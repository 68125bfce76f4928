package catalog

import (
	"fmt"
	"sort"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// Error kinds of upgrade checks, used verbatim as Temporal error types so
// the UI can say what to do.
const (
	ErrDowngrade = "Downgrade"
	// ErrAlreadyInstalled refuses an upgrade to the version that runs: an
	// explicit one says so; a late or repeated scheduled one is a no-op.
	ErrAlreadyInstalled        = "AlreadyInstalled"
	ErrForwardOnlyNotConfirmed = "ForwardOnlyNotConfirmed"
	ErrIncompatibleUpgrade     = "IncompatibleUpgrade"
	// ErrUpstreamNotConfirmed refuses an upgrade to an upstream release the
	// catalog does not list until the operator accepts its risk.
	ErrUpstreamNotConfirmed = "UpstreamNotConfirmed"
	// ErrUpgradePathUnsupported refuses an upgrade upstream does not
	// support from the installed version (Version.UpgradesFrom).
	ErrUpgradePathUnsupported = "UpgradePathUnsupported"
)

// UpstreamRisk is what an upgrade to an upstream release not in the
// catalog risks, as the confirmation names it.
const UpstreamRisk = "it is upstream's release, not in the catalog: openova has not checked its images, " +
	"its requirements or whether it migrates data, so no backup runs first and a rollback may fail " +
	"if it does; it is installed with the catalog's values of the newest release"

// UpgradeRequest asks to move one installed component to a catalog version.
type UpgradeRequest struct {
	Component string
	To        string
	// ConfirmForwardOnly accepts releases that migrate data and cannot be
	// rolled back (their pre-upgrade backup step runs first).
	ConfirmForwardOnly bool
	// Upstream is To when it is a release of the component's chart that
	// the catalog does not list, as the update check found it in the
	// chart's Helm repository (the caller reads it from there, never from
	// the user): its version, chart version and release notes.
	Upstream *Version `json:",omitempty"`
	// ConfirmUpstream accepts the risk of an Upstream release (UpstreamRisk).
	ConfirmUpstream bool `json:",omitempty"`
}

// UpgradePlan is a checked upgrade: the versions it moves between, the
// releases it crosses (newest first, with their changelogs) and which of
// them are forward-only.
type UpgradePlan struct {
	Component   string
	From        Version
	To          Version
	Crosses     []Version
	ForwardOnly []string
}

// CheckUpgrade refuses what would break the platform, or do nothing: an
// unknown or missing version, the version that runs already, a downgrade
// (rollback is its own operation), a forward-only release without
// confirmation, a version outside a range an installed dependent requires,
// and a dependency installed at a version the component's range excludes.
func (c *Catalog) CheckUpgrade(installed Installed, req UpgradeRequest) (UpgradePlan, error) {
	comp, ok := c.Components[req.Component]
	if !ok {
		return UpgradePlan{}, &ResolveError{Kind: ErrUnknownComponent, Chain: []string{req.Component}, Detail: "not in the catalog"}
	}
	fromText, ok := installed[req.Component]
	if !ok {
		return UpgradePlan{}, &ResolveError{Kind: ErrInvalidRequest, Chain: []string{req.Component}, Detail: "is not installed: install it instead of upgrading"}
	}
	from, err := parseVersion(fromText)
	if err != nil {
		return UpgradePlan{}, &ResolveError{Kind: ErrInvalidRequest, Chain: []string{req.Component}, Detail: "installed version " + err.Error()}
	}
	target, ok := comp.Find(req.To)
	if !ok && req.Upstream != nil {
		return c.checkUpstream(installed, comp, from, fromText, req)
	}
	if !ok {
		return UpgradePlan{}, &ResolveError{Kind: ErrInvalidRequest, Chain: []string{req.Component},
			Detail: fmt.Sprintf("version %s is not in the catalog (have %s)", req.To, strings.Join(comp.VersionList(), ", "))}
	}
	to, _ := parseVersion(target.Version)
	switch {
	case to.Equal(from):
		return UpgradePlan{}, &ResolveError{Kind: ErrAlreadyInstalled, Chain: []string{req.Component},
			Detail: fmt.Sprintf("%s is already installed: nothing to upgrade", target.Version)}
	case to.LessThan(from):
		return UpgradePlan{}, &ResolveError{Kind: ErrDowngrade, Chain: []string{req.Component}, Detail: fmt.Sprintf(
			"%s is older than the installed v%s: downgrades are refused; a failed upgrade rolls back by itself", target.Version, from)}
	}
	plan := comp.plan(from, fromText, to, target)
	if err := comp.checkPath(from, target); err != nil {
		return UpgradePlan{}, err
	}
	if len(plan.ForwardOnly) > 0 && !req.ConfirmForwardOnly {
		return UpgradePlan{}, &ResolveError{Kind: ErrForwardOnlyNotConfirmed, Chain: []string{req.Component}, Detail: fmt.Sprintf(
			"%s migrates data and cannot be rolled back: confirm the upgrade (its backup step runs first)", strings.Join(plan.ForwardOnly, ", "))}
	}
	if err := c.checkRanges(installed, comp, to); err != nil {
		return UpgradePlan{}, err
	}
	return plan, nil
}

// checkRanges checks the ranges on both sides of the component: what its
// installed dependents require of it, and what it requires of its installed
// dependencies.
func (c *Catalog) checkRanges(installed Installed, comp *Component, to *semver.Version) error {
	var problems []string
	names := make([]string, 0, len(installed))
	for n := range installed {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		dep, ok := c.Components[n]
		if !ok || n == comp.Name {
			continue
		}
		for _, d := range dep.Requires {
			if d.Name == comp.Name && !satisfies(to, d.Range) {
				problems = append(problems, fmt.Sprintf("%s requires %s %q", n, comp.Name, d.Range))
			}
		}
	}
	for _, d := range comp.Requires {
		have, ok := installed[d.Name]
		if !ok {
			continue
		}
		if v, err := parseVersion(have); err == nil && !satisfies(v, d.Range) {
			problems = append(problems, fmt.Sprintf("%s needs %s %q but %s is installed: upgrade %s first", comp.Name, d.Name, d.Range, have, d.Name))
		}
	}
	if len(problems) > 0 {
		return &ResolveError{Kind: ErrIncompatibleUpgrade, Chain: []string{comp.Name},
			Detail: fmt.Sprintf("v%s is incompatible: %s", to, strings.Join(problems, "; "))}
	}
	return nil
}

// satisfies reports whether v is in the range; an empty range is any
// version, and an unparsable one (rejected when the catalog was parsed)
// never matches.
func satisfies(v *semver.Version, rng string) bool {
	if rng == "" {
		return true
	}
	cons, err := semver.NewConstraint(rng)
	return err == nil && cons.Check(v)
}

// plan is the upgrade from the installed version (from, as fromText
// spells it) to target: the catalog releases it crosses, newest first, up
// to and with to, and which of them are forward-only.
func (c *Component) plan(from *semver.Version, fromText string, to *semver.Version, target Version) UpgradePlan {
	plan := UpgradePlan{Component: c.Name, To: target}
	plan.From, _ = c.Find(fromText)
	if plan.From.Version == "" {
		plan.From = Version{Version: "v" + from.String()}
	}
	for i, v := range c.Versions {
		sv := c.semvers()[i]
		if sv == nil || !sv.GreaterThan(from) || sv.GreaterThan(to) {
			continue
		}
		plan.Crosses = append(plan.Crosses, v)
		if v.ForwardOnly {
			plan.ForwardOnly = append(plan.ForwardOnly, v.Version)
		}
	}
	return plan
}
