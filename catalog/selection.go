package catalog

// ResolveSelection resolves a new platform's components: the mandatory
// ones and each chosen one, with their required dependencies, into one
// install-ordered list without repeats. Each entry's NeededBy names the
// component that pulled it in (empty for the mandatory and chosen ones).
// The bootstrap wizard shows it and the Bootstrap workflow installs it.
func (c *Catalog) ResolveSelection(chosen []string) ([]Step, error) {
	var want []string
	for _, comp := range c.InCategory(Mandatory) {
		want = append(want, comp.Name)
	}
	want = append(want, chosen...)
	installed := Installed{}
	var out []Step
	for _, name := range want {
		if _, done := installed[name]; done {
			continue
		}
		plan, err := c.Resolve(installed, Request{Component: name})
		if err != nil {
			return nil, err
		}
		for _, s := range plan.Steps() {
			if s.State != WillInstall {
				continue
			}
			installed[s.Name] = s.Version
			out = append(out, s)
		}
	}
	return out, nil
}
