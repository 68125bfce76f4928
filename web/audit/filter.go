package audit

import (
	"cmp"
	"encoding/base64"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/openova-io/core/workflows"
)

// Retention is how far back the audit view reaches: the embedded server
// keeps closed operations this long.
const Retention = 90 * 24 * time.Hour

// Operations and states the filter offers, as visibility names them.
var (
	operationNames = []string{workflows.OperationInstall, workflows.OperationRelease, workflows.OperationUninstall,
		workflows.OperationUpgrade, workflows.OperationScheduledUpgrade, workflows.OperationCheckUpdates, workflows.OperationBootstrap}
	// bootstrapOperations are what a bootstrap mode's engine runs: its
	// audit offers only those, and no component filter.
	bootstrapOperations = []string{workflows.OperationBootstrap, workflows.OperationChange, workflows.OperationPromote}
	statusNames         = map[string]string{"running": "Running", "completed": "Completed", "failed": "Failed",
		"cancelled": "Canceled", "terminated": "Terminated", "timed-out": "TimedOut"}
	nameRE = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
)

// dayLayout is the value of an <input type="date">.
const dayLayout = "2006-01-02"

// Filter is the audit list's filter form, what was wrong with it, and
// the page token of a later page.
type Filter struct {
	Platform, Component, Operation, Status, Since, Until string
	Page                                                 string
	Errors                                               map[string]string
	// operations are the ones this list offers (and accepts).
	operations []string
}

// filterParams are the query parameters of the audit list; from and to
// are since and until as the form's labels name them.
var filterParams = []string{"platform", "component", "operation", "status", "since", "until", "from", "to", "page"}

// readFilter reads the filter of a list that offers these operations.
func readFilter(c echo.Context, operations []string) Filter {
	q := func(k string) string { return strings.TrimSpace(c.QueryParam(k)) }
	f := Filter{Platform: q("platform"), Component: q("component"), Operation: q("operation"), Status: q("status"),
		Since: cmp.Or(q("since"), q("from")), Until: cmp.Or(q("until"), q("to")), Page: q("page"), Errors: map[string]string{},
		operations: operations}
	var unknown []string
	for k := range c.QueryParams() {
		if !slices.Contains(filterParams, k) {
			unknown = append(unknown, fmt.Sprintf("%q", k))
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		f.Errors["filter"] = fmt.Sprintf("The audit list has no filter %s: it filters by platform, component, operation, status, since (from) and until (to).",
			strings.Join(unknown, ", "))
	}
	return f
}

// query checks the filter and builds the visibility query; each value is
// checked against a closed set or a name pattern before it goes in, so the
// query cannot be bent by what is typed.
func (f *Filter) query(now time.Time) (string, []byte) {
	parts := []string{}
	for _, kv := range []struct {
		field, value string
		attr         string
	}{
		{"platform", f.Platform, workflows.SearchAttrPlatform.GetName()},
		{"component", f.Component, workflows.SearchAttrComponent.GetName()},
	} {
		if kv.value == "" {
			continue
		}
		if !nameRE.MatchString(kv.value) || len(kv.value) > 63 {
			f.Errors[kv.field] = fmt.Sprintf("%q is not a %s name (lower-case letters, digits and '-').", kv.value, kv.field)
			continue
		}
		parts = append(parts, fmt.Sprintf("%s = '%s'", kv.attr, kv.value))
	}
	if f.Operation != "" {
		if !contains(f.operations, f.Operation) {
			f.Errors["operation"] = fmt.Sprintf("%q is not an operation here: choose one of %s.", f.Operation, strings.Join(f.operations, ", "))
		} else {
			parts = append(parts, fmt.Sprintf("%s = '%s'", workflows.SearchAttrOperation.GetName(), f.Operation))
		}
	}
	if f.Status != "" {
		if s, ok := statusNames[f.Status]; ok {
			parts = append(parts, fmt.Sprintf("ExecutionStatus = '%s'", s))
		} else {
			f.Errors["status"] = fmt.Sprintf("%q is not a status.", f.Status)
		}
	}
	since := now.Add(-Retention)
	if f.Since != "" {
		if t, err := time.Parse(dayLayout, f.Since); err != nil {
			f.Errors["since"] = notADate(f.Since, "2026-11-01")
		} else if t.After(since) {
			since = t
		}
	}
	parts = append(parts, fmt.Sprintf("StartTime >= '%s'", since.UTC().Format(time.RFC3339)))
	if f.Until != "" {
		if t, err := time.Parse(dayLayout, f.Until); err != nil {
			f.Errors["until"] = notADate(f.Until, "2026-11-30")
		} else {
			parts = append(parts, fmt.Sprintf("StartTime < '%s'", t.Add(24*time.Hour).UTC().Format(time.RFC3339)))
		}
	}
	var token []byte
	if f.Page != "" {
		var err error
		if token, err = base64.RawURLEncoding.DecodeString(f.Page); err != nil {
			f.Errors["page"] = "The page link is broken: start from the first page."
		}
	}
	return strings.Join(parts, " AND "), token
}

// notADate names a date field's value that is not a date: a browser's
// date field drops such a value, so the message is where it is still seen.
func notADate(value, example string) string {
	return fmt.Sprintf("%q is not a date: give one such as %s.", value, example)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
