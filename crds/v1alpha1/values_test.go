package v1alpha1_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/crds/v1alpha1"
)

// Decoded values encode back to the same numbers, above 2^53 too, and hold
// only the number types unstructured data allows.
func TestDecodeValues(t *testing.T) {
	for name, tc := range map[string]struct {
		raw  string
		want map[string]any // nil: no values
		json string         // the decoded values encoded again
	}{
		"empty":      {raw: "", want: nil},
		"blank":      {raw: " \n\t", want: nil},
		"null":       {raw: "null", want: nil},
		"empty obj":  {raw: `{}`, want: map[string]any{}, json: `{}`},
		"above 2^53": {raw: `{"big": 9007199254740993}`, want: map[string]any{"big": int64(9007199254740993)}, json: `{"big":9007199254740993}`},
		"int64 ends": {
			raw:  `{"max": 9223372036854775807, "min": -9223372036854775808}`,
			want: map[string]any{"max": int64(9223372036854775807), "min": int64(-9223372036854775808)},
			json: `{"max":9223372036854775807,"min":-9223372036854775808}`,
		},
		"nested": {
			raw: `{"a": [1, 2.5, {"b": 9007199254740993}], "s": "x", "t": true, "n": null}`,
			want: map[string]any{
				"a": []any{int64(1), 2.5, map[string]any{"b": int64(9007199254740993)}},
				"s": "x", "t": true, "n": nil,
			},
			json: `{"a":[1,2.5,{"b":9007199254740993}],"n":null,"s":"x","t":true}`,
		},
		"beyond int64": {raw: `{"huge": 18446744073709551616}`, want: map[string]any{"huge": 18446744073709551616.0}},
		"exponent":     {raw: `{"e": 1e3}`, want: map[string]any{"e": 1000.0}, json: `{"e":1000}`},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := v1alpha1.DecodeValues([]byte(tc.raw))
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
			if tc.json != "" {
				out, err := json.Marshal(got)
				require.NoError(t, err)
				require.Equal(t, tc.json, string(out))
			}
		})
	}
}

// A bad value is refused with a message that does not quote it: values may
// hold secrets.
func TestDecodeValuesRefusesWithoutQuoting(t *testing.T) {
	for name, tc := range map[string]struct {
		raw, msg string
	}{
		"not JSON":     {`{"password": "hunter2"`, "values are not valid JSON"},
		"bad token":    {`{"password": hunter2}`, "values are not valid JSON"},
		"two docs":     {`{"password": "hunter2"} {}`, "values hold more than one JSON document"},
		"stray close":  {`{"password": "hunter2"}]`, "values hold more than one JSON document"},
		"array":        {`["hunter2"]`, "values must be a JSON object"},
		"string":       {`"hunter2"`, "values must be a JSON object"},
		"out of range": {`{"password": "hunter2", "n": 1e400}`, "values hold a number out of range"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := v1alpha1.DecodeValues([]byte(tc.raw))
			require.EqualError(t, err, tc.msg)
			require.NotContains(t, err.Error(), "hunter2")
		})
	}
}

// Whatever the input, DecodeValues does not panic, and what it accepts is
// unstructured data that encodes to JSON again.
func FuzzDecodeValues(f *testing.F) {
	for _, s := range []string{`{}`, `null`, `{"a": [1, 2.5, {"b": 9007199254740993}]}`, `{"n": 1e400}`, `{} ]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, err := v1alpha1.DecodeValues(raw)
		if err != nil || got == nil {
			return
		}
		_, err = json.Marshal(got)
		require.NoError(t, err)
	})
}
