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
		// The embedded server has one history shard, and each shard's queue
		// processors poll at most 20 times a second by default (tuned for
		// hundreds of shards). With one shard every workflow task waited
		// ~35 ms for the transfer queue's next poll: a five-step workflow
		// took 300 ms instead of 100 ms.
		"history.transferProcessorMaxPollRPS":   1000,
		"history.visibilityProcessorMaxPollRPS": 1000,
		"history.timerProcessorMaxPollRPS":      1000,
		// The UI lists workflows often; the default 10 RPS throttles it.
		"frontend.namespaceRPS.visibility": 100,
	}
}
