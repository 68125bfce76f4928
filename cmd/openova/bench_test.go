package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/worker/codec"
	"github.com/openova-io/core/workflows"
)

// BenchmarkColdStart: exec to ready. openova: `openova bootstrap` on an empty
// data dir until /readyz answers 200 (schema, namespace, key, worker
// polling). Peer: `temporal server start-dev --db-filename` until its
// frontend answers a health check.
func BenchmarkColdStart(b *testing.B) {
	b.Run("openova-bootstrap", func(b *testing.B) {
		var toReady []time.Duration
		var rss float64
		for range b.N {
			start := time.Now()
			p := startOpenova(b, "bootstrap", b.TempDir())
			toReady = append(toReady, time.Since(start))
			rss += rssMB(p.cmd.Process.Pid)
			require.NoError(b, p.stop())
		}
		reportStart(b, toReady, rss)
	})
	b.Run("temporal-start-dev-file", func(b *testing.B) {
		var toReady []time.Duration
		var rss float64
		for range b.N {
			start := time.Now()
			_, proc := startDevServer(b, true)
			toReady = append(toReady, time.Since(start))
			rss += rssMB(proc.Pid)
			_ = proc.Kill()
		}
		reportStart(b, toReady, rss)
	})
}

// reportStart reports the median time to ready and the mean RSS at ready.
func reportStart(b *testing.B, toReady []time.Duration, rssSum float64) {
	slices.Sort(toReady)
	b.ReportMetric(ms(pct(toReady, 50)), "p50-ms-to-ready")
	b.ReportMetric(rssSum/float64(len(toReady)), "rss-ready-MB")
}

// BenchmarkThroughput runs SelfCheck workflows of five activities each, 1 and
// 20 in flight, on openova's embedded server (its own worker, durable SQLite)
// and on the stock `temporal server start-dev` with a file database and in
// memory (a worker in this process with the same codec and activities).
// Run with -benchtime=Nx: N workflows per case.
func BenchmarkThroughput(b *testing.B) {
	for _, inflight := range benchInflight() {
		b.Run(fmt.Sprintf("inflight=%d/openova-embedded", inflight), func(b *testing.B) {
			p := startOpenova(b, "bootstrap", b.TempDir(), extraBenchArgs()...)
			c := p.client(b, "")
			ready := rssMB(p.cmd.Process.Pid)
			runLoad(b, c, inflight)
			b.ReportMetric(ready, "rss-ready-MB")
			b.ReportMetric(rssMB(p.cmd.Process.Pid), "rss-after-MB")
		})
		for _, file := range []bool{true, false} {
			name := "temporal-start-dev-memory"
			if file {
				name = "temporal-start-dev-file"
			}
			b.Run(fmt.Sprintf("inflight=%d/%s", inflight, name), func(b *testing.B) {
				addr, proc := startDevServer(b, file)
				ready := rssMB(proc.Pid)
				c := peerWorker(b, addr)
				runLoad(b, c, inflight)
				b.ReportMetric(ready, "rss-ready-MB")
				b.ReportMetric(rssMB(proc.Pid), "rss-after-MB")
			})
		}
	}
}

// extraBenchArgs lets the tuning benchmark pass flags (OPENOVA_BENCH_ARGS,
// space separated), e.g. a --temporal-dynamic-config that undoes one setting.
func extraBenchArgs() []string {
	return strings.Fields(os.Getenv("OPENOVA_BENCH_ARGS"))
}

// peerWorker runs the same workflow, activities and codec against a peer
// server, in this process, and returns a client for it.
func peerWorker(b *testing.B, addr string) client.Client {
	kr, err := codec.NewKeyring(make([]byte, codec.KeySize))
	require.NoError(b, err)
	cd := codec.New(kr)
	c, err := client.Dial(client.Options{HostPort: addr, DataConverter: cd.DataConverter(), FailureConverter: cd.FailureConverter(),
		Logger: sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))})
	require.NoError(b, err)
	b.Cleanup(c.Close)
	w := sdkworker.New(c, workflows.TaskQueueBootstrap, sdkworker.Options{})
	w.RegisterWorkflowWithOptions(workflows.SelfCheck, workflow.RegisterOptions{Name: workflows.SelfCheckWorkflow})
	w.RegisterActivity(&activities.SelfCheck{Dir: b.TempDir()})
	require.NoError(b, w.Start())
	b.Cleanup(w.Stop)
	return c
}

// runLoad starts b.N five-step SelfChecks with `inflight` concurrent callers
// and reports throughput and latency percentiles (start to result).
func runLoad(b *testing.B, c client.Client, inflight int) {
	// Warm up: the first workflow pays for caches and connections.
	run, err := c.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{TaskQueue: workflows.TaskQueueBootstrap}, workflows.SelfCheckWorkflow, workflows.SelfCheckInput{})
	require.NoError(b, err)
	require.NoError(b, run.Get(context.Background(), nil))

	jobs := make(chan int)
	lat := make([]time.Duration, 0, b.N)
	var mu sync.Mutex
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range inflight {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range jobs {
				t0 := time.Now()
				run, err := c.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{TaskQueue: workflows.TaskQueueBootstrap}, workflows.SelfCheckWorkflow, workflows.SelfCheckInput{})
				if err == nil {
					err = run.Get(context.Background(), nil)
				}
				if err != nil {
					b.Error(err)
					return
				}
				mu.Lock()
				lat = append(lat, time.Since(t0))
				mu.Unlock()
			}
		}()
	}
	for i := range b.N {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "wf/s")
	b.ReportMetric(ms(pct(lat, 50)), "p50-ms")
	b.ReportMetric(ms(pct(lat, 99)), "p99-ms")
}

func pct(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	return d[(len(d)-1)*p/100]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// rssMB reads a process's resident set from /proc.
func rssMB(pid int) float64 {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// benchInflight is 1 and 20 concurrent workflows, or the comma-separated
// list in OPENOVA_BENCH_INFLIGHT.
func benchInflight() []int {
	v := os.Getenv("OPENOVA_BENCH_INFLIGHT")
	if v == "" {
		return []int{1, 20}
	}
	var out []int
	for _, f := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err == nil && n > 0 {
			out = append(out, n)
		}
	}
	return out
}
