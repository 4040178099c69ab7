// SPDX-License-Identifier: GPL-2.0-or-later
//
// workloads: what fusebpf-bench measures, the same code for every
// configuration (it only gets a root directory: the backing dir itself for
// "native", a mountpoint otherwise). Each workload is a small class in
// workloads.cc; the runner (runner.h) owns the clock, so a workload only says
// what is untimed set-up (setup, prepare) and what is the measured work (run),
// and every workload is timed the same way.
//
// Limits: single-threaded (one caller), so the numbers show per-op latency as
// throughput, not how a daemon scales with many callers.
#pragma once

#include "bench/daemon/dataset.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace fusebpf::bench {

struct workload_params {
	std::string root; // where the dataset is visible
	int files = 0;
	uint64_t file_size = 0;
	double seconds = 0; // length of one time-bounded repetition
};

class workload {
public:
	virtual ~workload() = default;
	// Untimed, once per configuration before the first repetition.
	virtual void setup() {}
	// Untimed, before each repetition (e.g. drop the caches).
	virtual void prepare(int /*rep*/) {}
	// The measured work of one repetition. Returns how much was done, in the
	// unit of the workload's rate (files, entries, MiB, reads).
	virtual double run(int rep) = 0;
	// Untimed, once after the last repetition (also after a failure).
	virtual void teardown() {}
};

struct workload_info {
	std::string name;  // what --only takes, e.g. "stat-cold"
	std::string unit;  // rate unit, e.g. "ops/s", "MiB/s"
	std::string about; // one line for the legend
	dataset_needs needs;
	std::function<std::unique_ptr<workload>(const workload_params &)> make;
};

// All workloads, in the order they run and are printed.
const std::vector<workload_info> &all_workloads();

} // namespace fusebpf::bench
