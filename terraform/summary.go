package terraform

import (
	"sort"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/openova-io/core/bootstrap"
)

// Summary is what a plan will do, resource by resource: what the wizard's
// Review shows before anyone approves (a payload of the Bootstrap's
// contract, so package bootstrap defines it).
type Summary = bootstrap.PlanSummary

// Change is one resource of a plan.
type Change = bootstrap.PlanChange

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
