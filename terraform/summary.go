package terraform

import (
	"sort"

	tfjson "github.com/hashicorp/terraform-json"
)

// Summary is what a plan will do, resource by resource: what the wizard's
// Review shows before anyone approves.
type Summary struct {
	Add, Change, Destroy int
	Resources            []Change
}

// Change is one resource of a plan.
type Change struct {
	Address string
	Type    string
	Name    string
	// Action is create, update, delete, replace or read.
	Action string
}

// summarize counts the plan's resource changes (a replace counts as one
// add and one destroy, as tofu's own summary does) and lists them by address.
func summarize(p *tfjson.Plan) Summary {
	var s Summary
	for _, rc := range p.ResourceChanges {
		if rc.Change == nil {
			continue
		}
		a := rc.Change.Actions
		var action string
		switch {
		case a.Replace():
			action = "replace"
			s.Add++
			s.Destroy++
		case a.Create():
			action = "create"
			s.Add++
		case a.Update():
			action = "update"
			s.Change++
		case a.Delete():
			action = "delete"
			s.Destroy++
		case a.Read():
			action = "read"
		default:
			continue // no-op
		}
		s.Resources = append(s.Resources, Change{Address: rc.Address, Type: rc.Type, Name: rc.Name, Action: action})
	}
	sort.Slice(s.Resources, func(i, j int) bool { return s.Resources[i].Address < s.Resources[j].Address })
	return s
}
