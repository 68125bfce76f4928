package catalog

import (
	"fmt"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// checkUpstream checks an upgrade to a release of the component's chart
// that the catalog does not list (UpgradeRequest.Upstream): it must be
// newer than every catalog release, and it is refused until its risk is
// accepted. It crosses the catalog's releases on the way (their
// forward-only confirmations and backups apply as ever) and runs on the
// newest release's chart and values, at the upstream chart version.
func (c *Catalog) checkUpstream(installed Installed, comp *Component, from *semver.Version, fromText string, req UpgradeRequest) (UpgradePlan, error) {
	up := *req.Upstream
	fail := func(kind, format string, args ...any) (UpgradePlan, error) {
		return UpgradePlan{}, &ResolveError{Kind: kind, Chain: []string{req.Component}, Detail: fmt.Sprintf(format, args...)}
	}
	if up.Version != req.To {
		return fail(ErrInvalidRequest, "upstream release %s is not the version asked for (%s)", up.Version, req.To)
	}
	to, err := parseVersion(up.Version)
	if err != nil {
		return fail(ErrInvalidRequest, "upstream version %s", err)
	}
	newest := comp.Latest()
	if nv, err := parseVersion(newest.Version); err == nil && !to.GreaterThan(nv) {
		return fail(ErrInvalidRequest, "upstream release %s is not newer than the catalog's newest, %s: pick a catalog release", up.Version, newest.Version)
	}
	if !to.GreaterThan(from) {
		return fail(ErrDowngrade, "%s is not newer than the installed v%s", up.Version, from)
	}
	target := Version{Version: up.Version, ChartVersion: up.ChartVersion, Released: up.Released, Changelog: up.Changelog,
		Chart: newest.Chart, Values: newest.Values}
	// Every catalog release above from is crossed (to is newer than all),
	// the upstream one first.
	plan := comp.plan(from, fromText, to, target)
	plan.Crosses = append([]Version{target}, plan.Crosses...)
	if len(plan.ForwardOnly) > 0 && !req.ConfirmForwardOnly {
		return fail(ErrForwardOnlyNotConfirmed, "%s migrates data and cannot be rolled back: confirm the upgrade (its backup step runs first)",
			strings.Join(plan.ForwardOnly, ", "))
	}
	if !req.ConfirmUpstream {
		return fail(ErrUpstreamNotConfirmed, "%s: %s; confirm to upgrade anyway", up.Version, UpstreamRisk)
	}
	if err := c.checkRanges(installed, comp, to); err != nil {
		return UpgradePlan{}, err
	}
	return plan, nil
}
