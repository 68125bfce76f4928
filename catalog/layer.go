package catalog

import (
	"slices"
	"sort"
)

// layer orders the plan with Kahn's algorithm; leftovers form a cycle.
func (r *resolver) layer() ([][]Step, error) {
	indeg := make([]int, len(r.list)) // by node.order
	dependents := make([][]*node, len(r.list))
	var current []*node
	for _, n := range r.list {
		indeg[n.order] = len(n.deps)
		for _, d := range n.deps {
			dependents[d.order] = append(dependents[d.order], n)
		}
		if len(n.deps) == 0 {
			current = append(current, n)
		}
	}
	var layers [][]Step
	done := 0
	for len(current) > 0 {
		sort.Slice(current, func(i, j int) bool { return current[i].name < current[j].name })
		steps := make([]Step, len(current))
		var next []*node
		for i, n := range current {
			n.layer = len(layers)
			steps[i] = n.step()
			for _, m := range dependents[n.order] {
				if indeg[m.order]--; indeg[m.order] == 0 {
					next = append(next, m)
				}
			}
		}
		done += len(current)
		layers = append(layers, steps)
		current = next
	}
	if done < len(r.list) {
		return nil, &ResolveError{Kind: ErrDependencyCycle, Chain: findCycle(r.list, indeg),
			Detail: "these components require each other; remove one of the dependencies from the catalog"}
	}
	return layers, nil
}

// findCycle walks from the earliest-discovered node left over by Kahn's
// algorithm along leftover dependencies until a node repeats.
func findCycle(list []*node, indeg []int) []string {
	var at *node
	for _, n := range list {
		if indeg[n.order] > 0 {
			at = n
			break
		}
	}
	seen := map[*node]int{}
	var path []*node
	for {
		if i, ok := seen[at]; ok {
			path = path[i:]
			break
		}
		seen[at] = len(path)
		path = append(path, at)
		for _, d := range at.deps {
			if indeg[d.order] > 0 {
				at = d
				break
			}
		}
	}
	// Start the report at the member closest to the request.
	first := 0
	for i, n := range path {
		if n.order < path[first].order {
			first = i
		}
	}
	out := make([]string, 0, len(path)+1)
	for i := range path {
		out = append(out, path[(first+i)%len(path)].name)
	}
	return append(out, out[0])
}

func (n *node) step() Step {
	s := Step{
		Name: n.name, Version: n.version, State: WillInstall, Required: n.required,
		Chart: n.comp.Chart, Category: n.comp.Category, Endpoints: slices.Clone(n.comp.Endpoints),
	}
	if v, ok := n.comp.Find(n.version); ok {
		s.ChartVersion, s.Chart, s.Values = v.HelmChartVersion(), n.comp.ChartOf(v), v.Values
	}
	for _, d := range n.deps {
		s.Dependencies = append(s.Dependencies, d.name)
	}
	sort.Strings(s.Dependencies)
	if n.installed {
		s.State = AlreadyInstalled
	}
	if n.parent != nil {
		s.NeededBy = n.parent.name
	}
	return s
}
