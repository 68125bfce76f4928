package workflows

import (
	"errors"
	"strings"

	"go.temporal.io/sdk/temporal"
)

// rootCause is the innermost message of a chain of Temporal errors: the
// ApplicationError an activity raised, not the wrappers around it, so a
// Platform condition or the UI quotes what actually went wrong.
func rootCause(err error) string {
	var ae *temporal.ApplicationError
	if errors.As(err, &ae) {
		return ae.Message()
	}
	var ce *temporal.CanceledError
	if errors.As(err, &ce) {
		return "cancelled"
	}
	var te *temporal.TimeoutError
	if errors.As(err, &te) {
		return "timed out"
	}
	return err.Error()
}

// errorType keeps the type of the ApplicationError at the root of err, so
// the UI can tell a dependency cycle from an unreachable index; fallback is
// the type to report when there is none.
func errorType(err error, fallback string) string {
	var ae *temporal.ApplicationError
	if errors.As(err, &ae) && ae.Type() != "" {
		return ae.Type()
	}
	return fallback
}

// list joins names for a message, or says "nothing".
func list(names []string) string {
	if len(names) == 0 {
		return "nothing"
	}
	return strings.Join(names, ", ")
}
