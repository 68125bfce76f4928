package catalog

import (
	"fmt"

	"github.com/Masterminds/semver/v3"
)

// checkPath refuses an upgrade to target from an installed version its
// upgrade path (UpgradesFrom) does not start at, and names the newest
// catalog release in between that the installed version may upgrade to,
// so the operator knows the next step.
func (c *Component) checkPath(from *semver.Version, target Version) error {
	if target.UpgradesFrom == nil || satisfies(from, target.UpgradesFrom.Range) {
		return nil
	}
	to, _ := parseVersion(target.Version)
	next := ""
	for i, v := range c.Versions { // newest first
		sv := c.semvers()[i]
		if sv == nil || !sv.GreaterThan(from) || !sv.LessThan(to) {
			continue
		}
		if v.UpgradesFrom == nil || satisfies(from, v.UpgradesFrom.Range) {
			next = v.Version
			break
		}
	}
	step := fmt.Sprintf("upgrade to %s first", next)
	if next == "" {
		step = "the catalog has no release in between to upgrade to first; a catalog index that lists one makes the path"
	}
	return &ResolveError{Kind: ErrUpgradePathUnsupported, Chain: []string{c.Name}, Detail: fmt.Sprintf(
		"%s upgrades only from %s, not from v%s (%s): %s", target.Version, target.UpgradesFrom.Range, from, target.UpgradesFrom.Why, step)}
}
