package main

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/openova-io/core/workflows"
)

// A web page the user opens while openova runs must not reach the engine:
// the browser's cross-site text/plain POSTs (no preflight) to every port
// the process listens on, found from /proc and not from what we think it
// opens, neither start, terminate nor signal a workflow, nor start a batch
// operation. With the defaults no port but --listen answers HTTP at all;
// the HTTP API, when asked for, refuses them too.
func TestCrossSitePostsReachNoWorkflow(t *testing.T) {
	t.Parallel() // its own processes, ports, data dir and namespace
	cases := []struct {
		name   string
		listen *engineListen // nil: startOpenova's defaults
	}{
		{"defaults", nil},
		{"HTTP API on loopback", &engineListen{host: "127.0.0.1", http: true}},
		{"off loopback with the HTTP API", &engineListen{host: "0.0.0.0", http: true}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var p *proc
			var api string
			if tc.listen == nil {
				p = startOpenova(t, "bootstrap", t.TempDir())
			} else {
				p, api = startOpenovaListening(t, t.TempDir(), *tc.listen)
			}
			requireCrossSiteHasNoEffect(t, p, operatorClient(t, p), api)
		})
	}
}

func requireCrossSiteHasNoEffect(t *testing.T, p *proc, c client.Client, api string) {
	ctx := context.Background()
	// The real bootstrap's ID (the HTTP API cannot name it in a path: the
	// page reached it with a batch operation), and one a path can name.
	victims := []string{workflows.BootstrapID("acme"), "running-selfcheck"}
	for _, id := range victims {
		run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: workflows.TaskQueueBootstrap},
			workflows.SelfCheckWorkflow, workflows.SelfCheckInput{Steps: 1, StepHold: 10 * time.Minute})
		require.NoError(t, err)
		t.Cleanup(func() { _ = c.TerminateWorkflow(context.Background(), id, run.GetRunID(), "test ends") })
	}

	addrs := listeningAddrs(t, p.cmd.Process.Pid)
	require.Contains(t, addrs, p.httpAddr, "the UI's port is found")
	require.Contains(t, addrs, p.temporalAddr, "the frontend's port is found")
	if api != "" {
		require.Contains(t, addrs, api, "the HTTP API's port is found")
	}
	t.Logf("openova listens on %v", addrs)
	const attack, job = "started-by-evil", "evil-batch"
	for _, addr := range addrs {
		var answers []string
		for _, r := range crossSiteRequests(victims, attack, job) {
			if a := browserPost(addr, r.path, r.body); !slices.Contains(answers, a) {
				answers = append(answers, a)
			}
		}
		t.Logf("%s answered %s", addr, strings.Join(answers, ", "))
	}

	var notFound *serviceerror.NotFound
	_, err := c.DescribeWorkflowExecution(ctx, attack, "")
	require.ErrorAs(t, err, &notFound, "a cross-site POST started %s", attack)
	_, err = c.WorkflowService().DescribeBatchOperation(ctx, &workflowservice.DescribeBatchOperationRequest{Namespace: "default", JobId: job})
	require.ErrorAs(t, err, &notFound, "a cross-site POST started batch operation %s", job)
	for _, id := range victims {
		desc, err := c.DescribeWorkflowExecution(ctx, id, "")
		require.NoError(t, err)
		require.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, desc.GetWorkflowExecutionInfo().GetStatus(), "a cross-site POST ended %s", id)
		require.False(t, eventTypes(t, c, id)[enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED], "a cross-site POST signalled %s", id)
	}
	for _, addr := range addrs {
		if addr != p.httpAddr && addr != api {
			require.False(t, answersHTTP(addr), "%s answers HTTP: only --listen %s may", addr, p.httpAddr)
		}
	}
}

type crossSiteRequest struct{ path, body string }

// crossSiteRequests are what the page of the security review sent: the
// Temporal HTTP API's start, signal, terminate and batch signal, and the
// UI's own signal of a bootstrap.
func crossSiteRequests(victims []string, attack, job string) []crossSiteRequest {
	ns := "/api/v1/namespaces/default"
	reqs := []crossSiteRequest{
		{ns + "/workflows/" + url.PathEscape(attack), `{"workflowType":{"name":"SelfCheck"},"taskQueue":{"name":"` + workflows.TaskQueueBootstrap + `"}}`},
		{ns + "/batch-operations/" + job, `{"visibilityQuery":"WorkflowType='SelfCheck'","reason":"evil","signalOperation":{"signal":"` + workflows.SignalApprove + `"}}`},
		{"/wizard/run/acme/" + workflows.SignalApprove, ``},
	}
	for _, id := range victims {
		reqs = append(reqs,
			crossSiteRequest{ns + "/workflows/" + url.PathEscape(id) + "/signal/" + workflows.SignalApprove, `{}`},
			crossSiteRequest{ns + "/workflows/" + url.PathEscape(id) + "/terminate", `{"reason":"evil"}`})
	}
	return reqs
}

// browserPost sends what a browser sends for a form-less fetch with
// mode no-cors from https://evil.example, and reports what came back.
func browserPost(addr, path, body string) string {
	req, err := http.NewRequest(http.MethodPost, "http://"+addr+path, strings.NewReader(body))
	if err != nil {
		return err.Error()
	}
	req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Sec-Fetch-Mode", "no-cors")
	req.Header.Set("Sec-Fetch-Dest", "empty")
	resp, err := probeClient.Do(req)
	if err != nil {
		return "no HTTP"
	}
	_ = resp.Body.Close()
	return resp.Status
}

// answersHTTP reports whether addr answers a plain HTTP/1.1 request (a
// gRPC server closes the connection instead).
func answersHTTP(addr string) bool {
	resp, err := probeClient.Get("http://" + addr + "/")
	if err != nil {
		return false
	}
	_ = resp.Body.Close()
	return true
}

var probeClient = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// listeningAddrs lists the TCP addresses pid listens on: the socket inodes
// among its open files, looked up in its network namespace's tables. A
// wildcard address is reported as 127.0.0.1, where a browser reaches it.
func listeningAddrs(t testing.TB, pid int) []string {
	t.Helper()
	proc := filepath.Join("/proc", strconv.Itoa(pid))
	fds, err := os.ReadDir(filepath.Join(proc, "fd"))
	require.NoError(t, err)
	inodes := map[string]bool{}
	for _, fd := range fds {
		link, err := os.Readlink(filepath.Join(proc, "fd", fd.Name()))
		if err == nil && strings.HasPrefix(link, "socket:[") {
			inodes[strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]")] = true
		}
	}
	var addrs []string
	for _, table := range []string{"tcp", "tcp6"} {
		f, err := os.Open(filepath.Join(proc, "net", table))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		require.NoError(t, err)
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			const listen = "0A"
			if len(fields) < 10 || fields[3] != listen || !inodes[fields[9]] {
				continue
			}
			addr, err := procAddr(fields[1])
			require.NoError(t, err, "parse %s line %q", table, sc.Text())
			if !slices.Contains(addrs, addr) {
				addrs = append(addrs, addr)
			}
		}
		require.NoError(t, sc.Err())
		_ = f.Close()
	}
	slices.Sort(addrs)
	return addrs
}

// procAddr decodes /proc/net/tcp's "0100007F:1F90" (the address in host
// byte order per 32-bit word, the port big-endian).
func procAddr(s string) (string, error) {
	hexIP, hexPort, ok := strings.Cut(s, ":")
	if !ok {
		return "", fmt.Errorf("no port in %q", s)
	}
	raw, err := hex.DecodeString(hexIP)
	if err != nil || (len(raw) != 4 && len(raw) != 16) {
		return "", fmt.Errorf("address %q", hexIP)
	}
	for i := 0; i < len(raw); i += 4 {
		raw[i], raw[i+1], raw[i+2], raw[i+3] = raw[i+3], raw[i+2], raw[i+1], raw[i]
	}
	port, err := strconv.ParseUint(hexPort, 16, 16)
	if err != nil {
		return "", fmt.Errorf("port %q", hexPort)
	}
	ip := net.IP(raw)
	if ip.IsUnspecified() { // "::" is dual-stack: IPv4 reaches it too
		ip = net.IPv4(127, 0, 0, 1)
	}
	return net.JoinHostPort(ip.String(), strconv.FormatUint(port, 10)), nil
}
