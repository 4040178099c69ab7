// SPDX-License-Identifier: GPL-2.0-or-later
//
// runner: runs every selected workload on every selected configuration, one
// configuration at a time, and owns the clock. Per configuration: bring the
// target up, then per workload: setup, then REPS times { prepare, time run },
// teardown; then stop the target and remove what the writing workloads left.
// A failing workload or configuration becomes an error cell; the run goes on.
//
// Layout of the scratch directory (made under --dir, removed at the end):
//   fusebpf-bench.XXXXXX/backing   the dataset every configuration serves
//   fusebpf-bench.XXXXXX/mnt       the mountpoint, reused by each mount
//
// For fusebpf mounts the runner also reads the daemon's counters around each
// timed repetition, so the report can say how many requests reached the
// daemon per measured operation (e.g. 0 READ per MiB with passthrough).
#pragma once

#include "bench/daemon/configs.h"
#include "bench/daemon/options.h"
#include "bench/daemon/system_info.h"
#include "bench/daemon/workloads.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace fusebpf::bench {

struct cell {
	std::vector<double> rates; // one per repetition, in the workload's unit
	std::string error;         // why it failed, "" if it did not
	double units = 0;          // work done over all repetitions (for the per-op figures)
	bool have_requests = false;
	std::map<std::string, uint64_t> requests; // daemon requests during the timed runs
	std::map<std::string, uint64_t> bpf_runs; // BPF programs the daemon ran, per opcode

	bool ok() const { return error.empty() && !rates.empty(); }
	double median() const;
	double best() const;
};

struct column {
	config_spec spec;
	std::string about;
	std::string command;     // what served it
	std::string error;       // the configuration could not run at all
	std::string ended;       // how its daemon ended
	std::vector<cell> cells; // one per workload, in workload order
};

struct bench_result {
	system_info sys;
	bench_options opts;
	std::vector<const workload_info *> workloads;
	std::vector<column> columns;
	double seconds = 0; // wall time of the whole run
	std::string loadavg_end;
};

// Throws interrupted_error on Ctrl-C (after everything is unmounted) and
// std::runtime_error if the scratch directory or dataset cannot be made.
bench_result run_bench(const bench_options &opts, const std::vector<config_spec> &configs,
                       const std::vector<const workload_info *> &workloads);

} // namespace fusebpf::bench
