package fakehcloud

import (
	"strconv"

	"github.com/hetznercloud/hcloud-go/v2/hcloud/schema"
)

// Page sizes of the API: 25 by default, at most 50.
const (
	defaultPerPage = 25
	maxPerPage     = 50
)

// listQuery is what every list route accepts: the page, and the name and
// label_selector filters.
type listQuery struct {
	page, perPage int
	name          string
	selector      selector
}

// parseList reads page, per_page, name and label_selector.
func parseList(c *call) (listQuery, error) {
	q := c.r.URL.Query()
	lq := listQuery{page: 1, perPage: defaultPerPage, name: q.Get("name")}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return lq, errInvalid("page", "must be a positive integer")
		}
		lq.page = n
	}
	if v := q.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return lq, errInvalid("per_page", "must be a positive integer")
		}
		lq.perPage = min(n, maxPerPage)
	}
	if v := q.Get("label_selector"); v != "" {
		sel, err := parseSelector(v)
		if err != nil {
			return lq, err
		}
		lq.selector = sel
	}
	return lq, nil
}

// filter keeps the items whose name (if the query names one) and labels
// match.
func filter[T any](items []*T, q listQuery, name func(*T) string, labels func(*T) map[string]string) []*T {
	var out []*T
	for _, it := range items {
		if q.name != "" && name(it) != q.name {
			continue
		}
		if q.selector != nil && (labels == nil || !q.selector.matches(labels(it))) {
			continue
		}
		out = append(out, it)
	}
	return out
}

// paginate cuts one page out of items and describes it in meta. The
// API's meta.pagination always comes with a list; hcloud-go pages on
// until next_page is 0 (the schema's encoding of "none").
func paginate[T any](items []T, q listQuery) ([]T, schema.MetaResponse) {
	total := len(items)
	last := max(1, (total+q.perPage-1)/q.perPage)
	p := schema.MetaPagination{Page: q.page, PerPage: q.perPage, LastPage: last, TotalEntries: total}
	if q.page > 1 {
		p.PreviousPage = q.page - 1
	}
	if q.page < last {
		p.NextPage = q.page + 1
	}
	start := min((q.page-1)*q.perPage, total)
	end := min(start+q.perPage, total)
	page := make([]T, 0, end-start)
	page = append(page, items[start:end]...)
	return page, schema.MetaResponse{Meta: schema.Meta{Pagination: &p}}
}

// listPage runs a list route: parse the query, filter, render, paginate.
func listPage[T, R any](c *call, items []*T, name func(*T) string, labels func(*T) map[string]string,
	render func(*T) R) ([]R, schema.MetaResponse, error) {
	q, err := parseList(c)
	if err != nil {
		return nil, schema.MetaResponse{}, err
	}
	kept := filter(items, q, name, labels)
	out := make([]R, 0, len(kept))
	for _, it := range kept {
		out = append(out, render(it))
	}
	page, meta := paginate(out, q)
	return page, meta, nil
}
