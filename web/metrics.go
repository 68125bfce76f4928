package web

import (
	"errors"
	"sort"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// mergedGatherer serves one registry plus others whose families it lacks.
// Libraries register the same Go and process collectors in their own
// registries (controller-runtime does); gathering both as-is would be an
// error, and /metrics would answer 500.
type mergedGatherer struct {
	primary prometheus.Gatherer
	more    []prometheus.Gatherer
}

func (m mergedGatherer) Gather() ([]*dto.MetricFamily, error) {
	fams, err := m.primary.Gather()
	seen := map[string]bool{}
	for _, f := range fams {
		seen[f.GetName()] = true
	}
	errs := []error{err}
	for _, g := range m.more {
		more, err := g.Gather()
		errs = append(errs, err)
		for _, f := range more {
			if !seen[f.GetName()] {
				seen[f.GetName()] = true
				fams = append(fams, f)
			}
		}
	}
	sort.Slice(fams, func(i, j int) bool { return fams[i].GetName() < fams[j].GetName() })
	return fams, errors.Join(errs...)
}
