package ui

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/catalog"
)

// The plan's columns say the install order, and a plan with no order to
// tell says none; the picture is drawn at its own size, never stretched
// to its container.
func TestPictureLabelsAndSize(t *testing.T) {
	step := func(name string, deps ...string) catalog.Step {
		return catalog.Step{Name: name, Version: "v1.0.0", State: catalog.WillInstall, Dependencies: deps}
	}
	for _, tt := range []struct {
		name   string
		layers [][]catalog.Step
		labels []string
		width  int
	}{
		{"one component", [][]catalog.Step{{step("grafana")}}, []string{""}, 150},
		{"one column of two", [][]catalog.Step{{step("grafana"), step("valkey")}}, []string{"together (2 in parallel)"}, 150},
		{"two columns", [][]catalog.Step{{step("redpanda")}, {step("mongodb", "redpanda")}}, []string{"first", "last"}, 340},
		{"three columns", [][]catalog.Step{{step("cnpg"), step("redpanda")}, {step("debezium", "redpanda")}, {step("mongodb", "debezium")}},
			[]string{"first (2 in parallel)", "then", "last"}, 530},
	} {
		t.Run(tt.name, func(t *testing.T) {
			pic := Picture(catalog.Plan{Layers: tt.layers}, catalog.Default())
			var labels []string
			for _, l := range pic.Layers {
				labels = append(labels, l.Text)
			}
			require.Equal(t, tt.labels, labels)
			require.Equal(t, tt.width, pic.Width)
			var svg strings.Builder
			require.NoError(t, PlanPicture(pic).Render(context.Background(), &svg))
			require.Contains(t, svg.String(), `width="`+strconv.Itoa(tt.width)+`"`, "drawn at its own size")
			headings := 0
			for _, l := range tt.labels {
				if l != "" {
					headings++
				}
			}
			require.Equal(t, headings, strings.Count(svg.String(), `class="layer"`), "an empty heading is not drawn")
		})
	}
}
