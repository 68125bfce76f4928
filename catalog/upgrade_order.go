package catalog

import (
	"fmt"
	"slices"
	"sort"
)

// UpgradeOrder orders the components of one multi-component upgrade so that
// each comes after every component it depends on, directly or through
// others (required and optional dependencies alike): a dependent's new
// version may need its dependency's new version, never the reverse.
// Otherwise the order follows the names, so the same set always gives the
// same order.
func (c *Catalog) UpgradeOrder(names []string) ([]string, error) {
	want := map[string]bool{}
	for _, n := range names {
		if _, ok := c.Components[n]; !ok {
			return nil, &ResolveError{Kind: ErrUnknownComponent, Chain: []string{n}, Detail: "not in the catalog"}
		}
		if want[n] {
			return nil, &ResolveError{Kind: ErrInvalidRequest, Chain: []string{n}, Detail: "asked to upgrade twice: name each component once"}
		}
		want[n] = true
	}
	sorted := slices.Clone(names)
	sort.Strings(sorted)
	const (
		unseen = iota
		visiting
		done
	)
	state := map[string]int{}
	var order []string
	var visit func(n string, chain []string) error
	visit = func(n string, chain []string) error {
		switch state[n] {
		case done:
			return nil
		case visiting:
			return &ResolveError{Kind: ErrDependencyCycle, Chain: append(chain, n), Detail: "the dependencies form a cycle"}
		}
		state[n] = visiting
		comp := c.Components[n]
		deps := append(slices.Clone(comp.Requires), comp.Optional...)
		sort.Slice(deps, func(i, j int) bool { return deps[i].Name < deps[j].Name })
		for _, d := range deps {
			if _, ok := c.Components[d.Name]; !ok {
				continue // validated catalogs have none; nothing to order by
			}
			if err := visit(d.Name, append(chain, n)); err != nil {
				return err
			}
		}
		state[n] = done
		if want[n] {
			order = append(order, n)
		}
		return nil
	}
	for _, n := range sorted {
		if err := visit(n, nil); err != nil {
			return nil, err
		}
	}
	if len(order) != len(names) {
		return nil, fmt.Errorf("upgrade order: ordered %d of %d components", len(order), len(names))
	}
	return order, nil
}
