package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/workflows"
)

// BenchmarkUIPages: the real `openova manager` with 500 installed
// components (one meta-component requiring 499 from a remote index,
// installed through the manager) and 2,000 recorded operations (those
// installs plus SelfCheck runs carrying the platform's search
// attributes). Fifty clients, each signed in, load a page 20 times one
// after another; /healthz of the same process, in the same run, is the
// floor. Reports p50 and p99 latency, and the page's weight: requests
// (the page and its stylesheets and scripts) and bytes on the wire (gzip)
// and uncompressed.
func BenchmarkUIPages(b *testing.B) {
	const components, operations, clients, each = 500, 2000, 50, 20
	e := startManagerEnv(b, 0, extraBenchArgs()...)
	e.createPlatform(b, "bench", v1alpha1.PlatformSpec{CatalogIndexURL: serveIndex(b, benchIndex(components-1)),
		Components: []v1alpha1.ComponentRef{{Name: "bench-all"}}})
	e.waitCondition(b, "bench", v1alpha1.ConditionReady, metav1.ConditionTrue, 20*time.Minute)
	recordOperations(b, e, operations)
	ui := signInHTTP(b, e.proc)

	for _, page := range []struct{ name, path string }{
		{"healthz-floor", "/healthz"},
		{"dashboard", "/platforms/bench/"},
		{"components", "/platforms/bench/components?installed=0"},
		{"components-page-5", "/platforms/bench/components?installed=0&page=5"},
		{"components-search", "/platforms/bench/components?installed=0&q=bench+42"},
		{"components-category", "/platforms/bench/components?installed=0&category=a-la-carte"},
		{"upgrades", "/platforms/bench/upgrades"},
		{"settings", "/platforms/bench/settings"},
		{"audit", "/audit?platform=bench"},
	} {
		b.Run(page.name, func(b *testing.B) {
			b.Cleanup(func() {
				if b.Failed() {
					for _, line := range strings.Split(e.proc.log(), "\n") {
						if strings.Contains(line, "http handler failed") {
							b.Log(line)
						}
					}
				}
			})
			for range b.N {
				lat := load(b, ui, page.path, clients, each)
				b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
				b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
				reqs, wire, raw := weight(b, ui, page.path)
				b.ReportMetric(float64(reqs), "requests")
				b.ReportMetric(float64(wire), "bytes-gzip")
				b.ReportMetric(float64(raw), "bytes")
			}
		})
	}
}

// recordOperations tops the history up to n operations with short
// SelfCheck runs filed under the platform.
func recordOperations(b *testing.B, e *managerEnv, n int) {
	ctx := context.Background()
	count, err := e.tc.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{})
	require.NoError(b, err)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 20)
	for i := int(count.GetCount()); i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			run, err := e.tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.SelfCheckID(fmt.Sprintf("bench-%04d", i)),
				TaskQueue: workflows.TaskQueueManager, TypedSearchAttributes: workflows.OperationAttributes("bench", fmt.Sprintf("bench-%03d", i%500), workflows.OperationInstall)},
				workflows.SelfCheckWorkflow, workflows.SelfCheckInput{Steps: 1})
			if err == nil {
				err = run.Get(ctx, nil)
			}
			if err != nil {
				b.Error(err)
			}
		}(i)
	}
	wg.Wait()
	// The pages are measured once visibility has recorded every run's
	// close: its backlog of 2,000 closes otherwise competes with the
	// first pages measured (seen in a CPU profile of the dashboard's run).
	closed := fmt.Sprintf("WorkflowType = '%s' AND ExecutionStatus = 'Completed'", workflows.SelfCheckWorkflow)
	require.EventuallyWithT(b, func(c *assert.CollectT) {
		done, err := e.tc.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: closed})
		require.NoError(c, err)
		require.EqualValues(c, max(0, n-int(count.GetCount())), done.GetCount())
	}, 10*time.Minute, time.Second)
}

// load runs clients × each GETs of path and returns their latencies, sorted.
func load(b *testing.B, ui *uiClient, path string, clients, each int) []time.Duration {
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				req, _ := http.NewRequest(http.MethodGet, ui.base+path, nil)
				req.Header.Set("Accept", "text/html")
				start := time.Now()
				resp, err := ui.hc.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				d := time.Since(start)
				if resp.StatusCode != http.StatusOK {
					b.Errorf("%s: HTTP %d", path, resp.StatusCode)
				}
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return lat
}

// weight is what a first visit to the page transfers: the page and the
// stylesheets and scripts it names, on the wire (gzip) and uncompressed.
func weight(b *testing.B, ui *uiClient, path string) (requests int, wire, raw int64) {
	get := func(p string) (string, int64) {
		req, _ := http.NewRequest(http.MethodGet, ui.base+p, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		tr := &http.Transport{DisableCompression: true}
		hc := &http.Client{Transport: tr, Jar: ui.hc.Jar}
		resp, err := hc.Do(req)
		require.NoError(b, err)
		defer func() { _ = resp.Body.Close() }()
		body, err := io.ReadAll(resp.Body)
		require.NoError(b, err)
		return resp.Header.Get("Content-Encoding"), int64(len(body))
	}
	plain := func(p string) int64 {
		_, body := ui.get(p)
		return int64(len(body))
	}
	_, n := get(path)
	requests, wire, raw = 1, n, plain(path)
	_, html := ui.get(path)
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(html))
	require.NoError(b, err)
	doc.Find(`link[rel="stylesheet"][href], script[src]`).Each(func(_ int, s *goquery.Selection) {
		src, ok := s.Attr("href")
		if !ok {
			src, _ = s.Attr("src")
		}
		_, n := get(src)
		requests, wire, raw = requests+1, wire+n, raw+plain(src)
	})
	return requests, wire, raw
}
