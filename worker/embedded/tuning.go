package embedded

// Tuning is the dynamic config the embedded server starts with. Each entry is
// here because a benchmark showed what it buys (BENCHMARKS.md, "tuning");
// --temporal-dynamic-config overrides any of them.
func Tuning() map[string]any {
	return map[string]any{
		// One worker process polls each task queue: the default four
		// partitions only add forwarding hops and missed sync matches
		// (p99 at 20 in flight: 1.9 s with one, 4.9 s with four).
		"matching.numTaskqueueReadPartitions":  1,
		"matching.numTaskqueueWritePartitions": 1,
		// The UI lists workflows often; the default 10 RPS throttles it.
		"frontend.namespaceRPS.visibility": 100,
	}
}
