package fakehcloud

import (
	"regexp"
	"slices"
	"strings"
)

// requirement is one comma-separated term of a label selector.
type requirement struct {
	key    string
	op     string // "=", "!=", "exists", "!exists", "in", "notin"
	values []string
}

// selector is a parsed label selector; all its requirements must hold.
type selector []requirement

var setTerm = regexp.MustCompile(`^(\S+)\s+(in|notin)\s+\((.*)\)$`)

// parseSelector parses the API's label selector syntax: k=v, k==v, k!=v,
// k, !k, "k in (a,b)" and "k notin (a,b)", joined by commas.
func parseSelector(s string) (selector, error) {
	var out selector
	for _, term := range splitTerms(s) {
		term = strings.TrimSpace(term)
		var r requirement
		switch {
		case term == "":
			return nil, errInvalid("label_selector", "empty term in %q", s)
		case setTerm.MatchString(term):
			m := setTerm.FindStringSubmatch(term)
			r = requirement{key: m[1], op: m[2]}
			for v := range strings.SplitSeq(m[3], ",") {
				r.values = append(r.values, strings.TrimSpace(v))
			}
		case strings.HasPrefix(term, "!"):
			r = requirement{key: strings.TrimSpace(term[1:]), op: "!exists"}
		case strings.Contains(term, "!="):
			k, v, _ := strings.Cut(term, "!=")
			r = requirement{key: strings.TrimSpace(k), op: "!=", values: []string{strings.TrimSpace(v)}}
		case strings.Contains(term, "="):
			k, v, _ := strings.Cut(strings.Replace(term, "==", "=", 1), "=")
			r = requirement{key: strings.TrimSpace(k), op: "=", values: []string{strings.TrimSpace(v)}}
		default:
			r = requirement{key: term, op: "exists"}
		}
		if !labelKey.MatchString(r.key) {
			return nil, errInvalid("label_selector", "invalid label key %q", r.key)
		}
		out = append(out, r)
	}
	return out, nil
}

// splitTerms splits at the commas outside parentheses.
func splitTerms(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, ch := range s {
		switch ch {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// matches reports whether labels satisfy every requirement.
func (sel selector) matches(labels map[string]string) bool {
	for _, r := range sel {
		v, has := labels[r.key]
		var ok bool
		switch r.op {
		case "exists":
			ok = has
		case "!exists":
			ok = !has
		case "=":
			ok = has && v == r.values[0]
		case "!=":
			ok = !has || v != r.values[0]
		case "in":
			ok = has && slices.Contains(r.values, v)
		case "notin":
			ok = !has || !slices.Contains(r.values, v)
		}
		if !ok {
			return false
		}
	}
	return true
}

var (
	labelName  = `[a-z0-9A-Z]([a-z0-9A-Z._-]{0,61}[a-z0-9A-Z])?`
	labelKey   = regexp.MustCompile(`^([a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?/)?` + labelName + `$`)
	labelValue = regexp.MustCompile(`^(` + labelName + `)?$`)
)

// validLabel applies the API's rules for label keys (an optional DNS
// prefix and a name of at most 63 characters) and values.
func validLabel(k, v string) error {
	if !labelKey.MatchString(k) {
		return errInvalid("labels", "invalid label key %q", k)
	}
	if !labelValue.MatchString(v) {
		return errInvalid("labels", "invalid label value %q", v)
	}
	return nil
}
