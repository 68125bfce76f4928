package activities

import (
	"context"

	"go.temporal.io/sdk/temporal"

	"github.com/openova-io/core/bootstrap"
	"github.com/openova-io/core/catalog"
)

// Selection resolves a new platform's components with the embedded
// catalog: an activity, so a newer openova binary replaying an older
// bootstrap keeps the list that run recorded.
type Selection struct{}

// SelectionInput is what the user chose à la carte; the mandatory
// components are always in.
type SelectionInput struct {
	Chosen []string
}

// SelectionResult lists every component to install, dependencies first,
// with the component that pulled each in.
type SelectionResult struct {
	Components []SelectedComponent
}

// Resolve resolves the mandatory components and each chosen one, with
// their required dependencies, into one ordered list without repeats.
func (*Selection) Resolve(_ context.Context, in SelectionInput) (SelectionResult, error) {
	list, err := catalog.Default().ResolveSelection(in.Chosen)
	if err != nil {
		return SelectionResult{}, temporal.NewNonRetryableApplicationError(err.Error(), catalog.KindOf(err), nil)
	}
	var res SelectionResult
	for _, s := range list {
		res.Components = append(res.Components, SelectedComponent{Name: s.Name, Version: s.Version, NeededBy: s.NeededBy,
			Chart: &bootstrap.Chart{Repository: s.Chart.Repository, Name: s.Chart.Name, Version: s.ChartVersion}})
	}
	return res, nil
}
