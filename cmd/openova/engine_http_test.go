package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/serviceerror"

	"github.com/openova-io/core/workflows"
)

// --temporal-http-listen turns the Temporal HTTP API on for scripts; a
// request a browser sends there is still refused, whether cross-site,
// same-origin, or from a page of another name that resolves to loopback.
func TestTemporalHTTPAPIServesScriptsNotBrowsers(t *testing.T) {
	t.Parallel() // its own processes, ports, data dir and namespace
	p, api := startOpenovaListening(t, t.TempDir(), engineListen{host: "127.0.0.1", http: true})
	require.NotEmpty(t, api)
	c := p.client(t, "")
	start := `{"workflowType":{"name":"` + workflows.SelfCheckWorkflow + `"},"taskQueue":{"name":"` + workflows.TaskQueueBootstrap + `"}}`
	cases := []struct {
		name    string
		id      string
		header  map[string]string
		host    string
		status  int
		message string
	}{
		{name: "cross-site page", id: "http-cross-site", status: http.StatusForbidden, message: "refuses requests a web browser sent (Origin: https://evil.example)",
			header: map[string]string{"Content-Type": "text/plain;charset=UTF-8", "Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}},
		{name: "page without Origin", id: "http-no-origin", status: http.StatusForbidden, message: "(Sec-Fetch-Site: same-site)",
			header: map[string]string{"Content-Type": "text/plain", "Sec-Fetch-Site": "same-site"}},
		{name: "same origin", id: "http-same-origin", status: http.StatusForbidden, message: "(Origin: http://" + api + ")",
			header: map[string]string{"Content-Type": "application/json", "Origin": "http://" + api, "Sec-Fetch-Site": "same-origin"}},
		{name: "another name for loopback", id: "http-rebinding", host: "evil.example:80", status: http.StatusForbidden, message: "Host not allowed",
			header: map[string]string{"Content-Type": "application/json"}},
		{name: "script", id: "http-script", status: http.StatusOK,
			header: map[string]string{"Content-Type": "application/json"}},
	}
	ctx := context.Background()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id := tc.id // a path cannot name an ID with a slash
			req, err := http.NewRequest(http.MethodPost, "http://"+api+"/api/v1/namespaces/default/workflows/"+id, strings.NewReader(start))
			require.NoError(t, err)
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			if tc.host != "" {
				req.Host = tc.host
			}
			resp, err := probeClient.Do(req)
			require.NoError(t, err)
			body, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			require.Equal(t, tc.status, resp.StatusCode, string(body))
			require.Contains(t, string(body), tc.message)
			if tc.status != http.StatusOK {
				_, err := c.DescribeWorkflowExecution(ctx, id, "")
				var notFound *serviceerror.NotFound
				require.ErrorAs(t, err, &notFound, "%s was started", id)
				return
			}
			waitResult(t, c.GetWorkflow(ctx, id, ""), time.Minute)
		})
	}
}
