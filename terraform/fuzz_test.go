package terraform

import (
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/stretchr/testify/require"
)

// FuzzClassify feeds what tofu prints (the cloud API's own words inside)
// to the runner's output, in two writes split anywhere, and classifies the
// failure. It holds: the kind is one of the five; only a held lock names a
// lock; and a secret (a credential or key, never split across lines) is in
// neither the error, nor the kept output, nor any line passed on.
func FuzzClassify(f *testing.F) {
	f.Add("Error: Error acquiring the state lock\n\nLock Info:\n  ID:        3f1d2c9a-77aa-4b1e-9c55-000000000001\n  Who:       root@build\n", "hcloud-token-0123456789", 17)
	f.Add("Error: unable to authenticate your access token (unauthorized, 401) hcloud-token-0123456789", "hcloud-token-0123456789", 40)
	f.Add("Error: server limit reached (resource_limit_exceeded, 403)\n", "AKIAIOSFODNN7EXAMPLE", 0)
	f.Add("  timeout = 30\nError: service unavailable (unavailable, 503)", "wJalrXUtnFEMI/K7MDENG", 5)
	f.Add("Error: Unsupported argument\n\n  on main.tf line 3\nsecretsecretsecret", "secretsecret", 60)
	f.Add("state lock\n  ID:\n", "0123456789", 3)
	kinds := map[string]bool{ErrLockHeld: true, ErrInvalidCredentials: true, ErrQuota: true, ErrAPI: true, ErrFailed: true}
	f.Fuzz(func(t *testing.T, out, secret string, cut int) {
		var passed []string
		r := &Runner{Secrets: []string{secret}}
		l := &lines{redact: r.redact, out: func(line string) { passed = append(passed, line) }}
		if cut < 0 || cut > len(out) {
			cut = len(out) / 2
		}
		_, _ = l.Write([]byte(out[:cut]))
		_, _ = l.Write([]byte(out[cut:]))
		err := r.classify("apply", errors.New("exit status 1: "+secret), l)
		var te *Error
		require.True(t, errors.As(err, &te))
		require.True(t, kinds[te.Kind], "kind %q", te.Kind)
		if te.Kind != ErrLockHeld {
			require.Empty(t, te.LockID)
			require.Empty(t, te.LockWho)
		}
		require.Equal(t, te.LockID, strings.TrimSpace(te.LockID))
		// The replacement "[redacted]" must not spell the secret again.
		if len(secret) < 9 || strings.ContainsAny(secret, "[]\n") {
			return
		}
		require.NotContains(t, err.Error(), secret)
		require.NotContains(t, te.Output, secret)
		for _, line := range passed {
			require.NotContains(t, line, secret)
		}
	})
}

// FuzzSummarize reads a saved plan as `tofu show -json` prints it (what
// Review shows before anyone approves, and what Apply compares a new plan
// with). It holds: the counts are those of the listed changes (a replace
// is one add and one destroy), every listed change has one of the five
// actions, and the list is in address order.
func FuzzSummarize(f *testing.F) {
	plan := func(changes ...string) string {
		return `{"format_version":"1.2","terraform_version":"1.10.0","resource_changes":[` + strings.Join(changes, ",") + `]}`
	}
	rc := func(addr string, actions ...string) string {
		b, _ := json.Marshal(actions)
		return `{"address":"` + addr + `","type":"hcloud_server","name":"` + addr + `","change":{"actions":` + string(b) + `}}`
	}
	f.Add([]byte(plan(rc("hcloud_server.cp[0]", "create"), rc("hcloud_network.net", "create"), rc("hcloud_load_balancer.api", "create"))))
	f.Add([]byte(plan(rc("b", "delete", "create"), rc("a", "create", "delete"), rc("c", "update"), rc("d", "no-op"), rc("e", "read"), rc("f", "delete"))))
	f.Add([]byte(plan(`{"address":"x"}`, `{"address":"y","change":{"actions":[]}}`)))
	f.Add([]byte(`{"format_version":"9.0"}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var p tfjson.Plan
		if json.Unmarshal(data, &p) != nil {
			return
		}
		s := summarize(&p)
		count := map[string]int{}
		for _, c := range s.Resources {
			count[c.Action]++
		}
		for action := range count {
			require.Contains(t, []string{"create", "update", "delete", "replace", "read"}, action)
		}
		require.Equal(t, count["create"]+count["replace"], s.Add)
		require.Equal(t, count["delete"]+count["replace"], s.Destroy)
		require.Equal(t, count["update"], s.Change)
		require.True(t, sort.SliceIsSorted(s.Resources, func(i, j int) bool { return s.Resources[i].Address < s.Resources[j].Address }))
	})
}
