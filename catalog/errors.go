package catalog

import (
	"errors"
	"strings"
)

// ErrInvalidRequest is the kind of a request that names something the
// catalog does not offer in that place, e.g. an optional dependency the
// component does not list.
const ErrInvalidRequest = "InvalidRequest"

// chainSep joins the components of a dependency chain in messages, so the
// UI and logs show the same path the user would follow.
const chainSep = " → "

// Error makes a ResolveError readable on its own: the chain tells the user
// where in the dependency tree to look, the detail what is wrong there.
func (e *ResolveError) Error() string {
	chain := strings.Join(e.Chain, chainSep)
	switch {
	case chain == "":
		return e.Detail
	case e.Detail == "":
		return chain
	}
	return chain + ": " + e.Detail
}

// ValidationError is one problem in a catalog or remote index. Field is the
// path of the offending value (e.g. `components[3] (mongodb).versions[1].version`)
// so a catalog author can find it without reading code.
type ValidationError struct {
	Kind    string // always ErrInvalidCatalog; kept so callers map kinds uniformly
	Field   string
	Problem string
}

func (e *ValidationError) Error() string {
	if e.Field == "" {
		return e.Problem
	}
	return e.Field + ": " + e.Problem
}

func invalid(field, problem string) *ValidationError {
	return &ValidationError{Kind: ErrInvalidCatalog, Field: field, Problem: problem}
}

// KindOf returns the error kind of err (one of the Err* constants) or ""
// when err is not a catalog error. Workers use it to turn catalog failures
// into typed, non-retryable Temporal errors.
func KindOf(err error) string {
	var re *ResolveError
	if errors.As(err, &re) {
		return re.Kind
	}
	var ve *ValidationError
	if errors.As(err, &ve) {
		return ve.Kind
	}
	return ""
}
