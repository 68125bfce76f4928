package catalog

import "sort"

// Steps flattens the plan in install order (layer by layer), e.g. for the
// progress list the UI renders.
func (p Plan) Steps() []Step {
	var out []Step
	for _, layer := range p.Layers {
		out = append(out, layer...)
	}
	return out
}

// ToInstall keeps only the entries that the install workflow acts on,
// dropping layers left empty; each returned layer can run in parallel.
func (p Plan) ToInstall() [][]Step {
	var out [][]Step
	for _, layer := range p.Layers {
		var keep []Step
		for _, s := range layer {
			if s.State == WillInstall {
				keep = append(keep, s)
			}
		}
		if len(keep) > 0 {
			out = append(out, keep)
		}
	}
	return out
}

// Step finds an entry by name, in the layers or among the offered optionals.
func (p Plan) Step(name string) (Step, bool) {
	for _, s := range p.Steps() {
		if s.Name == name {
			return s, true
		}
	}
	for _, s := range p.Optional {
		if s.Name == name {
			return s, true
		}
	}
	return Step{}, false
}

// Requested is the entry of the requested component (the last layer's
// entry that nothing needed), zero if the plan is empty.
func (p Plan) Requested() Step {
	if len(p.Layers) == 0 {
		return Step{}
	}
	for _, s := range p.Layers[len(p.Layers)-1] {
		if s.NeededBy == "" {
			return s
		}
	}
	return Step{}
}

// Dependents lists the installed components whose catalog entry requires
// name, sorted: uninstalling name while they exist would break them. Only
// requires count; which optional dependencies were chosen is not known
// here, so callers that record choices should check those themselves.
func (c *Catalog) Dependents(installed Installed, name string) []string {
	var out []string
	for other := range installed {
		comp, ok := c.Components[other]
		if !ok || other == name {
			continue
		}
		for _, d := range comp.Requires {
			if d.Name == name {
				out = append(out, other)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}
