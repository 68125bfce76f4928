package catalog

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// node is one component during resolution.
type node struct {
	name      string
	comp      *Component
	order     int   // discovery order, for stable chains and cycle reports
	parent    *node // the node that first pulled this one in (nil for the request)
	installed bool
	required  bool // some plan member requires it
	incoming  []edge
	deps      []*node // plan members it must come after
	version   string
	layer     int
}

// edge is a version range pointing at a node from another plan member.
type edge struct {
	from *node
	rng  string
}

func (n *node) chain() []string {
	var out []string
	for p := n; p != nil; p = p.parent {
		out = append(out, p.name)
	}
	slices.Reverse(out)
	return out
}

func (e edge) chain(to *node) []string { return append(e.from.chain(), to.name) }

// Resolve plans the installation of req.Component.
//
// The plan holds the request, its required dependencies (transitively) and
// the optional dependencies the request chose, resolved like required ones.
// Components already installed are entries in state AlreadyInstalled: their
// version must satisfy every range pointing at them (else
// ErrUnsatisfiableRange: upgrading is a separate operation), and their own
// dependencies are not expanded, since they were satisfied when they were
// installed. Each other component gets the newest catalog version that
// satisfies every range pointing at it (stable before pre-release).
//
// Layers follow Kahn's algorithm over the plan's "requires" edges: layer 0
// has no dependency inside the plan, layer k only on earlier layers; names
// are sorted inside a layer. Installed entries sit in the layer they would
// occupy, so a layer may hold nothing to install (see ToInstall). Unchosen
// optional dependencies of the request are listed in Plan.Optional.
func (c *Catalog) Resolve(installed Installed, req Request) (Plan, error) {
	root, ok := c.Components[req.Component]
	if !ok {
		return Plan{}, &ResolveError{Kind: ErrUnknownComponent, Chain: []string{req.Component},
			Detail: fmt.Sprintf("%q is not in the catalog", req.Component)}
	}
	chosen, err := chosenOptionals(root, req.Optional)
	if err != nil {
		return Plan{}, err
	}
	r := resolver{cat: c, installed: installed, nodes: map[string]*node{}, prefer: req.Prefer}
	start := r.add(req.Component, root, nil)
	if req.Version != "" {
		if err := r.pinRequest(start, req.Version); err != nil {
			return Plan{}, err
		}
	}
	if err := r.expand(start, chosen); err != nil {
		return Plan{}, err
	}
	for _, n := range r.list {
		if err := r.pickVersion(n); err != nil {
			return Plan{}, err
		}
	}
	layers, err := r.layer()
	if err != nil {
		return Plan{}, err
	}
	return Plan{Layers: layers, Optional: r.offered(start, chosen)}, nil
}

type resolver struct {
	cat       *Catalog
	installed Installed
	nodes     map[string]*node
	list      []*node // discovery order
	pin       *semver.Version
	prefer    map[string]string
}

func chosenOptionals(root *Component, names []string) (map[string]bool, error) {
	chosen := map[string]bool{}
	for _, name := range names {
		found := false
		for _, d := range root.Optional {
			found = found || d.Name == name
		}
		if !found {
			offers := make([]string, len(root.Optional))
			for i, d := range root.Optional {
				offers[i] = d.Name
			}
			detail := fmt.Sprintf("%q is not an optional dependency of %s", name, root.Name)
			if len(offers) > 0 {
				detail += " (it offers " + strings.Join(offers, ", ") + ")"
			}
			return nil, &ResolveError{Kind: ErrInvalidRequest, Chain: []string{root.Name, name}, Detail: detail}
		}
		chosen[name] = true
	}
	return chosen, nil
}

func (r *resolver) add(name string, comp *Component, parent *node) *node {
	_, inst := r.installed[name]
	n := &node{name: name, comp: comp, order: len(r.list), parent: parent, installed: inst}
	r.nodes[name] = n
	r.list = append(r.list, n)
	return n
}

// pinRequest turns Request.Version into an exact requirement on the request.
func (r *resolver) pinRequest(n *node, version string) error {
	v, err := parseVersion(version)
	if err != nil {
		return &ResolveError{Kind: ErrInvalidRequest, Chain: []string{n.name}, Detail: "requested version " + err.Error()}
	}
	if _, ok := n.comp.Find(version); !ok {
		return &ResolveError{Kind: ErrUnsatisfiableRange, Chain: []string{n.name},
			Detail: fmt.Sprintf("no version %s of %s in the catalog (have %s)", version, n.name, strings.Join(n.comp.VersionList(), ", "))}
	}
	r.pin = v
	return nil
}

// expand walks dependencies breadth first, so each chain is a shortest path.
func (r *resolver) expand(start *node, chosen map[string]bool) error {
	for i := 0; i < len(r.list); i++ {
		n := r.list[i]
		var deps []Dependency
		if !n.installed {
			deps = n.comp.Requires
		}
		if n == start {
			for _, d := range n.comp.Optional {
				if chosen[d.Name] {
					deps = append(slices.Clip(deps), d)
				}
			}
		}
		for _, d := range deps {
			to, ok := r.nodes[d.Name]
			if !ok {
				comp, known := r.cat.Components[d.Name]
				if !known {
					return &ResolveError{Kind: ErrUnknownComponent, Chain: append(n.chain(), d.Name),
						Detail: fmt.Sprintf("%q is not in the catalog", d.Name)}
				}
				to = r.add(d.Name, comp, n)
			}
			to.incoming = append(to.incoming, edge{from: n, rng: d.Range})
			if !chosen[d.Name] || n != start {
				to.required = true
			}
			if !slices.Contains(n.deps, to) {
				n.deps = append(n.deps, to)
			}
		}
	}
	// Installed entries were not expanded; they still go after whatever of
	// their own requirements is in the plan, to show where they would sit.
	for _, n := range r.list {
		if !n.installed {
			continue
		}
		for _, d := range n.comp.Requires {
			if to, ok := r.nodes[d.Name]; ok && !slices.Contains(n.deps, to) {
				n.deps = append(n.deps, to)
			}
		}
	}
	return nil
}

func (r *resolver) constraint(rng string) (*semver.Constraints, error) {
	if rng == "" {
		return nil, nil
	}
	if cons, ok := r.cat.ranges[rng]; ok {
		return cons, nil
	}
	return semver.NewConstraint(rng)
}

func (r *resolver) pickVersion(n *node) error {
	cons := make([]*semver.Constraints, len(n.incoming))
	for i, e := range n.incoming {
		c, err := r.constraint(e.rng)
		if err != nil {
			return &ResolveError{Kind: ErrInvalidCatalog, Chain: e.chain(n), Detail: fmt.Sprintf("range %q is not a semver constraint", e.rng)}
		}
		cons[i] = c
	}
	pinned := n.parent == nil && r.pin != nil
	if n.installed {
		return r.checkInstalled(n, cons, pinned)
	}
	meets := func(v *semver.Version) bool {
		if pinned && !v.Equal(r.pin) {
			return false
		}
		for _, c := range cons {
			if c != nil && !c.Check(v) {
				return false
			}
		}
		return true
	}
	i := -1
	if want, err := parseVersion(r.prefer[n.name]); n.parent != nil && err == nil {
		i = n.comp.best(func(v *semver.Version) bool { return v.Equal(want) && meets(v) })
	}
	if i < 0 {
		i = n.comp.best(meets)
	}
	if i >= 0 {
		n.version = n.comp.Versions[i].Version
		return nil
	}
	have := strings.Join(n.comp.VersionList(), ", ")
	// Name the one range that no version meets, if there is one.
	for k, c := range cons {
		if c != nil && n.comp.best(c.Check) < 0 {
			return &ResolveError{Kind: ErrUnsatisfiableRange, Chain: n.incoming[k].chain(n),
				Detail: fmt.Sprintf("no version of %s satisfies %q (have %s)", n.name, n.incoming[k].rng, have)}
		}
	}
	var parts []string
	if pinned {
		parts = append(parts, fmt.Sprintf("%q (requested)", "v"+r.pin.String()))
	}
	for _, e := range n.incoming {
		if e.rng != "" {
			parts = append(parts, fmt.Sprintf("%q (from %s)", e.rng, e.from.name))
		}
	}
	return &ResolveError{Kind: ErrUnsatisfiableRange, Chain: n.chain(),
		Detail: fmt.Sprintf("no version of %s satisfies %s together (have %s)", n.name, strings.Join(parts, " and "), have)}
}

func (r *resolver) checkInstalled(n *node, cons []*semver.Constraints, pinned bool) error {
	raw := r.installed[n.name]
	n.version = raw
	v, err := parseVersion(raw)
	if err == nil {
		n.version = "v" + v.String()
	}
	if pinned && (err != nil || !v.Equal(r.pin)) {
		return &ResolveError{Kind: ErrUnsatisfiableRange, Chain: []string{n.name},
			Detail: fmt.Sprintf("%s is installed at %s, not the requested v%s; upgrade it instead", n.name, raw, r.pin)}
	}
	for k, c := range cons {
		if c == nil {
			continue
		}
		e := n.incoming[k]
		if err != nil || !c.Check(v) {
			return &ResolveError{Kind: ErrUnsatisfiableRange, Chain: e.chain(n),
				Detail: fmt.Sprintf("installed %s %s does not satisfy %q (required by %s); upgrade %s first", n.name, raw, e.rng, e.from.name, n.name)}
		}
	}
	return nil
}

// offered lists the request's optional dependencies it did not choose and
// nothing else pulled in, with the version that would be installed.
func (r *resolver) offered(start *node, chosen map[string]bool) []Step {
	var out []Step
	for _, d := range start.comp.Optional {
		comp, ok := r.cat.Components[d.Name]
		if chosen[d.Name] || r.nodes[d.Name] != nil || !ok {
			continue
		}
		s := Step{Name: d.Name, State: OptionalOffered, NeededBy: start.name,
			Chart: comp.Chart, Category: comp.Category, Endpoints: slices.Clone(comp.Endpoints)}
		if v, inst := r.installed[d.Name]; inst {
			s.State, s.Version = AlreadyInstalled, v
			if nv, err := NormalizeVersion(v); err == nil {
				s.Version = nv
			}
		} else if c, err := r.constraint(d.Range); err == nil {
			if i := comp.best(func(v *semver.Version) bool { return c == nil || c.Check(v) }); i >= 0 {
				s.Version, s.Chart = comp.Versions[i].Version, comp.ChartOf(comp.Versions[i])
			}
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
