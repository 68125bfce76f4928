package v1alpha1_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/openova-io/core/crds/v1alpha1"
)

// FuzzDecodeValuesRoundTrip: a component's Helm values (spec.components[].
// values, anyone's to write with kubectl or Git) either are refused with
// one of DecodeValues' fixed messages (which never quote them: values may
// hold secrets), or decode to what an unstructured object can hold (the
// composite resource carries them: runtime.DeepCopyJSON panics on any
// other type) and encode back to values that decode to the same JSON.
func FuzzDecodeValuesRoundTrip(f *testing.F) {
	for _, s := range []string{`{"replication":{"enabled":true,"mode":"async"}}`, `{"a": [1, 2.5, {"b": 9007199254740993}], "n": null}`,
		`{"huge": 18446744073709551616, "e": 1e3, "neg": -0}`, `{"password": "hunter2"}]`, `["x"]`, ` `, `{"n": 1e400}`, `{"a":{"a":{"a":[[[]]]}}}`} {
		f.Add([]byte(s))
	}
	messages := map[string]bool{"values are not valid JSON": true, "values hold more than one JSON document": true,
		"values must be a JSON object": true, "values hold a number out of range": true}
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, err := v1alpha1.DecodeValues(raw)
		if err != nil {
			require.True(t, messages[err.Error()], "message %q", err.Error())
			return
		}
		if got == nil {
			return
		}
		require.NotPanics(t, func() { runtime.DeepCopyJSON(got) }, "values an unstructured object cannot hold")
		out, err := json.Marshal(got)
		require.NoError(t, err)
		again, err := v1alpha1.DecodeValues(out)
		require.NoError(t, err, "%s", out)
		// 1e3 comes back as the integer 1000: the same JSON number.
		out2, err := json.Marshal(again)
		require.NoError(t, err)
		require.Equal(t, string(out), string(out2))
	})
}

// FuzzReleaseAnnotations reads the annotations the manager's workflows
// write on a Component (and anyone with kubectl may change): a value that
// is read encodes back to one that reads the same.
func FuzzReleaseAnnotations(f *testing.F) {
	f.Add(`{"versions":[{"version":"v11.4.0","chartVersion":"8.7.0","source":"catalog"}],"checkedAt":"2026-12-01T10:00:00Z"}`)
	f.Add(`{"checkedAt":"2026-12-01T10:00:00+02:00","indexError":"fetch catalog index https://x: HTTP 500"}`)
	f.Add(`{"from":"v11.3.0","to":"v11.4.0","reason":"not Ready within 10m0s","at":"2026-12-01T10:00:00Z"}`)
	f.Add(`{"at":"not a time"}`)
	f.Add(`null`)
	f.Add(``)
	f.Fuzz(func(t *testing.T, raw string) {
		if av, ok := v1alpha1.ParseAvailableVersions(raw); ok {
			b, err := json.Marshal(av)
			require.NoError(t, err)
			again, ok := v1alpha1.ParseAvailableVersions(string(b))
			require.True(t, ok, "%s", b)
			b2, err := json.Marshal(again)
			require.NoError(t, err)
			require.JSONEq(t, string(b), string(b2))
			for _, v := range again.Versions {
				_ = v.ChartOnly()
			}
		}
		if rb, ok := v1alpha1.ParseRolledBack(raw); ok {
			b, err := json.Marshal(rb)
			require.NoError(t, err)
			again, ok := v1alpha1.ParseRolledBack(string(b))
			require.True(t, ok, "%s", b)
			require.True(t, rb.At.Equal(again.At))
			require.Equal(t, [3]string{rb.From, rb.To, rb.Reason}, [3]string{again.From, again.To, again.Reason})
		}
	})
}

// FuzzReleaseStateOf reads a ComponentRelease as the API server returns it
// (its status is Crossplane's and provider-helm's to write): any object
// reads as an existing release whose Synced and Ready have a status.
func FuzzReleaseStateOf(f *testing.F) {
	f.Add(`{"metadata":{"generation":3},"status":{"conditions":[{"type":"Synced","status":"True"},{"type":"Ready","status":"False","reason":"Creating","observedGeneration":2}],"installedVersion":"8.7.0","endpoints":[{"name":"web","url":"https://grafana.acme.io"}]}}`)
	f.Add(`{"status":{"conditions":[1,"x",{"type":"Ready"}],"endpoints":[null,{"name":5}]}}`)
	f.Add(`{"status":{"conditions":{"type":"Ready"}}}`)
	f.Add(`{"metadata":{"deletionTimestamp":"2026-12-01T10:00:00Z"}}`)
	f.Fuzz(func(t *testing.T, doc string) {
		var obj map[string]any
		if json.Unmarshal([]byte(doc), &obj) != nil || obj == nil {
			return
		}
		st := v1alpha1.ReleaseStateOf(&unstructured.Unstructured{Object: obj})
		require.True(t, st.Exists)
		require.NotEmpty(t, st.Synced.Status)
		require.NotEmpty(t, st.Ready.Status)
	})
}
