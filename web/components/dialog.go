package components

import (
	"net/url"

	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/web/ui"
)

// DialogVM is the install dialog: what the install brings along, what it
// may add, and the plan's picture.
type DialogVM struct {
	Platform  string
	Component string
	Title     string
	Version   string
	Required  []RowVM
	Optional  []OptionVM
	Picture   ui.PictureVM
	ActionURL string
	// RefreshURL re-plans with other optional components chosen.
	RefreshURL string
	CancelURL  string
	// Problem is why no plan can be made (the catalog's words).
	Problem string
	// Images are the container images each release the install adds runs,
	// as the catalog lists them: what a pre-pull warms and an air-gapped
	// platform mirrors first.
	Images []ImagesVM
}

// ImagesVM is one release's images.
type ImagesVM struct {
	Title, Version string
	Refs           []string
}

// RowVM is one component the install needs.
type RowVM struct {
	Name    string
	Title   string
	Version string
	// State is "will be installed", "already installed" or "installing
	// now" (its Component exists but has not been Ready yet).
	State string
	Why   string
	// Suggested: the platform's design asks for it, not the chart (the
	// catalog's Dependency.Suggested).
	Suggested bool
}

// OptionVM is an optional dependency the operator may choose.
type OptionVM struct {
	Name    string
	Title   string
	Why     string
	Checked bool
	// Installed optional components need no choice.
	Installed bool
	// Installing: installed, but its install has not finished.
	Installing bool
}

// stateLabels are the plan states as the dialog words them.
var stateLabels = map[catalog.StepState]string{
	catalog.WillInstall:      "will be installed",
	catalog.AlreadyInstalled: "already installed",
}

// installingNow is the state of a component the plan counts as installed
// whose install has not finished yet.
const installingNow = "installing now"

// dialogOf builds the dialog from a resolved plan; installing names the
// components whose install has not finished (the plan counts them as
// installed: they are not installed a second time).
func dialogOf(platform string, comp *catalog.Component, cat *catalog.Catalog, plan catalog.Plan, chosen []string, installing map[string]bool) DialogVM {
	base := "/platforms/" + url.PathEscape(platform) + "/components/" + url.PathEscape(comp.Name)
	vm := DialogVM{Platform: platform, Component: comp.Name, Title: comp.Title, ActionURL: base + "/install",
		RefreshURL: base + "/install", CancelURL: "/platforms/" + url.PathEscape(platform) + "/components?installed=0"}
	why, suggested := map[string]string{}, map[string]bool{}
	for _, d := range append(append([]catalog.Dependency{}, comp.Requires...), comp.Optional...) {
		why[d.Name], suggested[d.Name] = d.Why, d.Suggested
	}
	isChosen := map[string]bool{}
	for _, o := range chosen {
		isChosen[o] = true
	}
	for _, s := range plan.Steps() {
		if im := imagesOf(cat, s); len(im.Refs) > 0 {
			vm.Images = append(vm.Images, im)
		}
		if s.Name == comp.Name {
			vm.Version = s.Version
			continue
		}
		row := RowVM{Name: s.Name, Title: ui.TitleOf(cat, s.Name), Version: s.Version, State: stateLabels[s.State], Why: why[s.Name],
			Suggested: suggested[s.Name] && s.NeededBy == comp.Name}
		if s.State == catalog.AlreadyInstalled && installing[s.Name] {
			row.State = installingNow
		}
		if row.Why == "" && s.NeededBy != "" && s.NeededBy != comp.Name {
			row.Why = "needed by " + ui.TitleOf(cat, s.NeededBy)
		}
		if isChosen[s.Name] && !s.Required {
			continue // shown checked among the options
		}
		vm.Required = append(vm.Required, row)
	}
	for _, d := range comp.Optional {
		step, _ := plan.Step(d.Name)
		vm.Optional = append(vm.Optional, OptionVM{Name: d.Name, Title: ui.TitleOf(cat, d.Name), Why: d.Why,
			Checked: isChosen[d.Name], Installed: step.State == catalog.AlreadyInstalled, Installing: installing[d.Name]})
	}
	vm.Picture = ui.Picture(plan, cat)
	// The picture, like the list, draws what still installs as installing.
	for i, b := range vm.Picture.Boxes {
		if installing[b.Name] && b.Class == string(catalog.AlreadyInstalled) {
			vm.Picture.Boxes[i].Class = installingClass
		}
	}
	return vm
}

// installingClass is the plan picture's class of a box whose install runs.
const installingClass = "installing"

// imagesOf is the images of the release a step installs; none for a step
// that installs nothing.
func imagesOf(cat *catalog.Catalog, s catalog.Step) ImagesVM {
	out := ImagesVM{Title: ui.TitleOf(cat, s.Name), Version: s.Version}
	comp, ok := cat.Get(s.Name)
	if !ok || s.State != catalog.WillInstall {
		return out
	}
	if v, ok := comp.Find(s.Version); ok {
		for _, im := range v.Images {
			out.Refs = append(out.Refs, im.Ref())
		}
	}
	return out
}
