package main

import (
	"context"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/openova-io/core/dev/testenv"
	"github.com/openova-io/core/secret"
	"github.com/openova-io/core/worker"
	"github.com/openova-io/core/worker/codec"
)

// historySecrets are the secrets an operation's history carries, read
// with the engine's key: every string under a field of a secret type
// (worker.SecretFields) or an OpenTofu variable that holds one, and every
// string that is key material (secret.Contains). A PEM block also gives
// its lines, so a page that shows part of a key is caught too.
func historySecrets(t *testing.T, p *proc, c client.Client, id string) []string {
	t.Helper()
	keyFile := filepath.Join(p.dataDir, "codec.key")
	if *record { // the run used the replay tests' key (cloudStandIn.start)
		keyFile = filepath.Join(testenv.RepoRoot(), "workflows", "testdata", "codec.key")
	}
	keys, err := codec.LoadKeyFile(keyFile)
	require.NoError(t, err)
	dc := codec.New(keys).DataConverter()
	fields := append(worker.SecretFields(), "join_token", "server_ca_key", "client_ca_key")
	var found []string
	var walk func(key string, v any)
	walk = func(key string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				walk(k, e)
			}
		case []any:
			for _, e := range x {
				walk(key, e)
			}
		case string:
			// A short value ("openova" as the bucket's access key) is also
			// a word the page shows for other reasons.
			if len(x) < 12 || (!slices.Contains(fields, key) && !secret.Contains(x)) {
				return
			}
			found = append(found, x)
			for _, line := range strings.Split(x, "\n") {
				if len(line) >= 40 && !strings.HasPrefix(line, "-----") {
					found = append(found, line)
				}
			}
		}
	}
	decode := func(ps *commonpb.Payloads) {
		for _, p := range ps.GetPayloads() {
			var v any
			if dc.FromPayload(p, &v) == nil { // not every payload is JSON
				walk("", v)
			}
		}
	}
	it := c.GetWorkflowHistory(context.Background(), id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		require.NoError(t, err)
		decode(e.GetWorkflowExecutionStartedEventAttributes().GetInput())
		decode(e.GetWorkflowExecutionCompletedEventAttributes().GetResult())
		decode(e.GetActivityTaskScheduledEventAttributes().GetInput())
		decode(e.GetActivityTaskCompletedEventAttributes().GetResult())
	}
	return found
}

// auditShowsNoSecret crawls the audit view from its list and from the
// operation id, and fails if any page or event stream under /audit shows a
// secret of the operation's history or a canary.
func auditShowsNoSecret(t *testing.T, p *proc, c client.Client, id string, canaries ...string) {
	t.Helper()
	secrets := historySecrets(t, p, c, id)
	require.NotEmpty(t, secrets, "the history of %s holds secrets to look for", id)
	op := "/audit/operation?id=" + url.QueryEscape(id)
	pages := signInHTTP(t, p).crawl(300, "/audit", op)
	require.Contains(t, pages, op)
	require.Contains(t, pages[op], `data-testid="operation-input"`, "the operation's payloads are on its page")
	checked := 0
	for path, body := range pages {
		if !strings.HasPrefix(path, "/audit") {
			continue // other pages have crawls of their own
		}
		checked++
		for _, s := range append(secrets, canaries...) {
			require.False(t, strings.Contains(body, s), "%s shows a secret of %s: %.40s…", path, id, s)
		}
		for _, pattern := range []string{"PRIVATE KEY", "LS0tLS1CRUdJTi" /* base64 of "-----BEGIN" */, "client-key-data"} {
			require.False(t, strings.Contains(body, pattern), "%s shows key material (%s)", path, pattern)
		}
	}
	require.Greater(t, checked, 1, "the crawl reached the audit pages")
}
