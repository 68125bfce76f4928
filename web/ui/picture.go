package ui

import (
	"strconv"

	"github.com/openova-io/core/catalog"
)

// PictureVM is the plan drawn as SVG: a column per layer (what installs in
// parallel), left to right in install order, and a line from each
// component to what it waits for.
type PictureVM struct {
	Width, Height int
	Layers        []LabelVM
	Boxes         []BoxVM
	Lines         []LineVM
}

// LabelVM is a column heading.
type LabelVM struct {
	X, Y int
	Text string
}

// BoxVM is one component of the plan.
type BoxVM struct {
	X, Y, W, H int
	Name       string
	Label      string
	// Class is the plan state (will-install, already-installed).
	Class string
}

// LineVM joins a component to one it waits for.
type LineVM struct{ X1, Y1, X2, Y2 int }

// Drawing sizes, in SVG user units.
const (
	boxW, boxH = 150, 30
	colGap     = 40
	rowGap     = 10
	top        = 24
)

// Picture lays the plan out; positions are computed here so the view only
// draws them.
func Picture(plan catalog.Plan, cat *catalog.Catalog) PictureVM {
	var pic PictureVM
	where := map[string]BoxVM{}
	rows := 0
	for i, layer := range plan.Layers {
		x := i * (boxW + colGap)
		pic.Layers = append(pic.Layers, LabelVM{X: x, Y: 14, Text: layerLabel(i, len(plan.Layers), len(layer))})
		for j, s := range layer {
			b := BoxVM{X: x, Y: top + j*(boxH+rowGap), W: boxW, H: boxH, Name: s.Name,
				Label: TitleOf(cat, s.Name) + " " + s.Version, Class: string(s.State)}
			where[s.Name] = b
			pic.Boxes = append(pic.Boxes, b)
		}
		rows = max(rows, len(layer))
	}
	for _, layer := range plan.Layers {
		for _, s := range layer {
			to := where[s.Name]
			for _, d := range s.Dependencies {
				from, ok := where[d]
				if !ok {
					continue
				}
				pic.Lines = append(pic.Lines, LineVM{X1: from.X + from.W, Y1: from.Y + from.H/2, X2: to.X, Y2: to.Y + to.H/2})
			}
		}
	}
	pic.Width = max(len(plan.Layers)*(boxW+colGap)-colGap, boxW)
	pic.Height = top + max(rows, 1)*(boxH+rowGap)
	return pic
}

// layerLabel heads column i of n holding size components. A plan of one
// column has no order to tell: one component gets no heading (a lone
// "first" read as a step of something larger), several say they install
// together.
func layerLabel(i, n, size int) string {
	label := "then"
	switch {
	case n == 1 && size == 1:
		return ""
	case n == 1:
		label = "together"
	case i == 0:
		label = "first"
	case i == n-1:
		label = "last"
	}
	if size > 1 {
		label += " (" + strconv.Itoa(size) + " in parallel)"
	}
	return label
}

// TitleOf is a component's title in the catalog, else its name.
func TitleOf(cat *catalog.Catalog, name string) string {
	if c, ok := cat.Get(name); ok && c.Title != "" {
		return c.Title
	}
	return name
}
