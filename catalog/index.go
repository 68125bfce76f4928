package catalog

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
)

// ParseIndex reads a remote catalog index. It has the catalog's format, but
// an entry may carry only a name and versions to add versions to a component
// of the base catalog; references between components are checked by Merge,
// once the base is known.
func ParseIndex(data []byte) (*Catalog, error) {
	comps, errs := decode(data)
	if comps == nil {
		return nil, fmt.Errorf("parse catalog index: %w", errors.Join(errs...))
	}
	errs = append(errs, validateAll(comps, true, false)...)
	if len(errs) > 0 {
		return nil, fmt.Errorf("parse catalog index: %w", errors.Join(errs...))
	}
	return build(comps), nil
}

// Merge returns a new catalog with the index's components and versions
// added; c and index are left untouched (Default is shared). A version the
// two both list must be identical: a published release never changes, so a
// difference means one source is wrong. An index entry for a known
// component may restate it, but its chart, category and dependencies must
// match the base (an index adds releases; it does not redirect installs);
// its title, description and endpoints, when set, replace the base's.
func (c *Catalog) Merge(index *Catalog) (*Catalog, error) {
	merged := map[string]*Component{}
	origin := map[string]string{}
	for name, comp := range c.Components {
		merged[name] = comp.clone()
		origin[name] = fmt.Sprintf("component (%s)", name)
	}
	var errs []error
	if index != nil {
		for _, name := range index.Names() {
			ic := index.Components[name]
			p := fmt.Sprintf("index (%s)", name)
			bc, known := merged[name]
			if !known {
				if partial(ic) {
					errs = append(errs, invalid(p, "not in the base catalog; a new component needs title, category and chart"))
					continue
				}
				merged[name] = ic.clone()
				origin[name] = p
				continue
			}
			errs = append(errs, mergeInto(p, bc, ic)...)
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("merge catalog index: %w", errors.Join(errs...))
	}
	names := make([]string, 0, len(merged))
	for n := range merged {
		names = append(names, n)
	}
	sort.Strings(names)
	locs := make([]located, len(names))
	for i, n := range names {
		locs[i] = located{origin[n], merged[n]}
	}
	if errs := validateLocated(locs, false, true); len(errs) > 0 {
		return nil, fmt.Errorf("merge catalog index: %w", errors.Join(errs...))
	}
	out := &Catalog{Components: merged}
	for _, comp := range merged {
		comp.sortVersions()
	}
	out.fillCaches()
	return out, nil
}

// mergeInto adds ic's versions (and display fields) to bc, a private clone.
func mergeInto(p string, bc, ic *Component) []error {
	var errs []error
	differs := func(field string) {
		errs = append(errs, invalid(p+"."+field, "differs from the base catalog; an index may add versions to a known component but not change its "+field))
	}
	if !partial(ic) {
		if ic.Category != "" && ic.Category != bc.Category {
			differs("category")
		}
		if ic.Chart != (Chart{}) && ic.Chart != bc.Chart {
			differs("chart")
		}
		if len(ic.Requires) > 0 && !slices.Equal(ic.Requires, bc.Requires) {
			differs("requires")
		}
		if len(ic.Optional) > 0 && !slices.Equal(ic.Optional, bc.Optional) {
			differs("optional")
		}
		if ic.Title != "" {
			bc.Title = ic.Title
		}
		if ic.Description != "" {
			bc.Description = ic.Description
		}
		if len(ic.Endpoints) > 0 {
			bc.Endpoints = slices.Clone(ic.Endpoints)
		}
	}
	for _, iv := range ic.Versions {
		bv, found := bc.Find(iv.Version)
		switch {
		case !found:
			bc.Versions = append(bc.Versions, iv)
		case !sameVersion(bv, iv):
			errs = append(errs, invalid(fmt.Sprintf("%s.versions[%s]", p, iv.Version),
				"differs from the same version in the base catalog; a published release must not change, publish a new version instead"))
		}
	}
	return errs
}

func sameVersion(a, b Version) bool {
	return a.Version == b.Version && a.Released.Equal(b.Released) && a.Changelog == b.Changelog &&
		a.ForwardOnly == b.ForwardOnly && a.HelmChartVersion() == b.HelmChartVersion() && reflect.DeepEqual(a.Backup, b.Backup)
}

// clone copies everything a merge may change, so catalogs never share
// mutable slices.
func (c *Component) clone() *Component {
	out := *c
	out.Versions = slices.Clone(c.Versions)
	out.Requires = slices.Clone(c.Requires)
	out.Optional = slices.Clone(c.Optional)
	out.Endpoints = slices.Clone(c.Endpoints)
	out.sem = slices.Clone(c.sem)
	return &out
}
