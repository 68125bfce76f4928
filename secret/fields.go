package secret

import (
	"reflect"
	"sort"
	"strings"
)

var (
	textType  = reflect.TypeFor[Text]()
	bytesType = reflect.TypeFor[Bytes]()
)

// Is reports whether t is a secret type, or a pointer, slice, array or map
// (by value) of one.
func Is(t reflect.Type) bool {
	for {
		if t == textType || t == bytesType {
			return true
		}
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
			t = t.Elem()
		default:
			return false
		}
	}
}

// Fields are the JSON names of every field of a secret type reachable from
// types (through structs, pointers, slices, arrays and map values), sorted.
// The audit view masks a payload's value under any of these names, so a
// field declared Text is masked whatever it is called.
func Fields(types ...reflect.Type) []string {
	names := map[string]bool{}
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || seen[t] {
			return
		}
		seen[t] = true
		for i := range t.NumField() {
			f := t.Field(i)
			name, ok := JSONName(f)
			if !ok {
				continue
			}
			if Is(f.Type) {
				if name != "" {
					names[name] = true
				}
				continue
			}
			walk(f.Type)
		}
	}
	for _, t := range types {
		if t != nil {
			walk(t)
		}
	}
	out := make([]string, 0, len(names))
	for n := range names {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// JSONName is the name encoding/json gives f, "" for an embedded struct
// whose fields are promoted, and false for a field JSON skips.
func JSONName(f reflect.StructField) (string, bool) {
	tag := f.Tag.Get("json")
	if tag == "-" {
		return "", false
	}
	name, _, _ := strings.Cut(tag, ",")
	if name != "" {
		return name, true
	}
	if f.Anonymous && (f.Type.Kind() == reflect.Struct || (f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.Struct)) {
		return "", true
	}
	if !f.IsExported() {
		return "", false
	}
	return f.Name, true
}
