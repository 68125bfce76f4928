package engine

import "time"

// statusTTL is how long one reading of a run serves every page that asks.
// The run page of a running bootstrap reloads its part every second in
// every tab, and each reading is a Describe, a Query (and, once closed, a
// Get) on the engine; twenty tabs on one run asked twenty times a second
// and the embedded server's one SQLite connection queued them (p99 3.8 to
// 7.6 s in the issue; BENCHMARKS.md). Temporal.Status shares one reading
// in flight (operations.Shared), serves its answer for statusTTL, and a
// decision (Start, Signal) forgets it at once.
const statusTTL = 500 * time.Millisecond
