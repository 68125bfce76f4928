package v1alpha1

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

// The errors of DecodeValues. They never quote the values, which may hold
// secrets (passwords, tokens): a message goes into workflow history, logs
// and the UI.
var (
	errValuesNotJSON     = errors.New("values are not valid JSON")
	errValuesTrailing    = errors.New("values hold more than one JSON document")
	errValuesNotObject   = errors.New("values must be a JSON object")
	errValuesNumberRange = errors.New("values hold a number out of range")
)

// DecodeValues is the one decoder of a component's Helm values (the JSON of
// the values fields of Platform and Component), used for the Component spec
// and for the composite resource alike, so both carry the same numbers.
// Integers become int64 and other numbers float64, as the API machinery's
// own JSON decoding does: decoding into float64 alone would round integers
// above 2^53. Empty input and null mean no values (nil); anything but one
// JSON object is an error.
func DecodeValues(raw []byte) (map[string]any, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, errValuesNotJSON
	}
	// Token, unlike More, also sees a stray closing bracket.
	if _, err := dec.Token(); err != io.EOF {
		return nil, errValuesTrailing
	}
	if v == nil {
		return nil, nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, errValuesNotObject
	}
	if _, err := normalizeNumbers(obj); err != nil {
		return nil, err
	}
	return obj, nil
}

// normalizeNumbers replaces each json.Number under v, in place, by an int64
// or a float64, the only number types unstructured data may hold.
func normalizeNumbers(v any) (any, error) {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			n, err := normalizeNumbers(e)
			if err != nil {
				return nil, err
			}
			t[k] = n
		}
	case []any:
		for i, e := range t {
			n, err := normalizeNumbers(e)
			if err != nil {
				return nil, err
			}
			t[i] = n
		}
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i, nil
		}
		f, err := t.Float64()
		if err != nil {
			return nil, errValuesNumberRange
		}
		return f, nil
	}
	return v, nil
}
