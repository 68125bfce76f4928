package cloud

import (
	"fmt"
	"slices"
	"strings"
)

// FieldRegion is the Problem.Field of a region the provider does not offer.
const FieldRegion = "region"

// Size is one machine size a region asks for, with the field it was
// chosen in (e.g. "control_plane_size"), so a refusal lands beside it.
type Size struct {
	Field string
	Name  string
}

// Problem is one refused choice: Field is FieldRegion or the refused
// size's field; Message says what to choose instead.
type Problem struct {
	Field   string
	Message string
}

// CheckRegion checks one region of a request against the provider's
// locations (as cloudapi.Locations lists them): the region is one of them,
// and each size can be created there. A location that lists no sizes (a
// provider whose sizes are not known here) accepts any. The wizard calls
// it beside the form's fields and the Bootstrap's credential check calls
// it again with the API's answer at run time, so both refuse the same way.
func CheckRegion(p Provider, locs []Location, region string, sizes ...Size) []Problem {
	at := slices.IndexFunc(locs, func(l Location) bool { return l.Name == region })
	if at < 0 {
		names := make([]string, len(locs))
		for i, l := range locs {
			names[i] = l.Name
		}
		return []Problem{{FieldRegion, fmt.Sprintf("%q is not a %s location: choose one of %s", region, p, strings.Join(names, ", "))}}
	}
	loc := locs[at]
	if len(loc.Sizes) == 0 {
		return nil
	}
	var out []Problem
	for _, s := range sizes {
		if !slices.Contains(loc.Sizes, s.Name) {
			out = append(out, Problem{s.Field, fmt.Sprintf("size %q cannot be created in %s: choose one of %s", s.Name, loc.Name, strings.Join(loc.Sizes, ", "))})
		}
	}
	return out
}

// CheckLinkRegion checks a region that ends the WireGuard link of a
// two-region bootstrap: each gateway's public address must be fixed before
// any server boots (a Primary IP), so that both sides' configuration is
// complete at first boot; a location without Primary IPs cannot carry the
// link. A region the provider does not list is CheckRegion's to refuse.
// The wizard calls it beside the region's field.
func CheckLinkRegion(p Provider, locs []Location, region string) []Problem {
	at := slices.IndexFunc(locs, func(l Location) bool { return l.Name == region })
	if at < 0 || !locs[at].NoPrimaryIPs {
		return nil
	}
	return []Problem{{FieldRegion, fmt.Sprintf("%s offers no Primary IP in %s: pick another location "+
		"(the link between the two regions needs a fixed public address for each region's gateway)", p.Title(), region)}}
}

// Title is the provider's name as people write it.
func (p Provider) Title() string {
	switch p {
	case Hetzner:
		return "Hetzner"
	case Huawei:
		return "Huawei Cloud"
	case OCI:
		return "Oracle Cloud"
	}
	return string(p)
}
