// SPDX-License-Identifier: GPL-2.0-or-later
//
// configs: the columns of the benchmark. A configuration turns the shared
// backing directory into a root directory the workloads run in:
//
//   native          the backing directory itself (the reference, ratio 1.00)
//   fusebpf         `fusebpf mount -f --transport dev BACKING MNT` (kernel
//                   passthrough on)
//   fusebpf-uring   `fusebpf mount -f --transport uring BACKING MNT` (FUSE over
//                   io_uring; needs enable_uring on)
//   fusebpf-nopt    `fusebpf mount -f --transport dev --no-passthrough BACKING MNT`
//   passthrough_ll  libfuse 3.14's passthrough_ll example -f -o source=BACKING
//
// and the filter columns (not in the default set; `--filters` selects them;
// the daemon's default transport):
//
//   fusebpf-table-empty    `fusebpf mount -f --ops ID`, a table with no programs
//   fusebpf-continue-all   ... a CONTINUE prefilter for every op
//   fusebpf-pre-post       ... POSTFILTER prefilter + CONTINUE postfilter, every op
//
// (filter_tables.h makes those tables and drops them when the column ends.)
//
// A name may end in "@CPU" (e.g. "fusebpf@0"): the benchmark thread is then
// pinned to that CPU while it measures the column (the daemon is not pinned).
// fusebpf mounts go through tests/support's mounted_fs, the peer through
// tests/support/daemon_process; both unmount and reap their daemon when the target is destroyed.
#pragma once

#include "bench/daemon/options.h"

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace fusebpf::bench {

struct config_info {
	std::string name;
	std::string about;
	bool by_default = true; // a column when --config is not given
};

// The base configurations, default columns first, in column order.
const std::vector<config_info> &known_configs();

// A parsed column name: base configuration plus optional pinning.
struct config_spec {
	std::string name; // as given, e.g. "fusebpf@0"
	std::string base; // e.g. "fusebpf"
	int pin_cpu = -1;
};

// Parses "NAME" or "NAME@CPU"; nullopt with `why` for unknown names.
std::optional<config_spec> parse_config(const std::string &name, std::string &why);

// A configuration that is up: its root is ready for the workloads.
class target {
public:
	virtual ~target() = default;
	virtual const std::string &root() const = 0;
	// The command that serves it ("" for native), for the report.
	virtual std::string command() const = 0;
	// fusebpf's per-op counters (`fusebpf stats --json`), if this is a
	// fusebpf mount and the daemon answers.
	virtual std::optional<nlohmann::json> daemon_stats() const { return std::nullopt; }
	// Unmounts and stops the daemon; says how it ended. Idempotent.
	virtual std::string stop() { return {}; }
};

struct target_paths {
	std::string backing;
	std::string mountpoint; // an empty directory, used by mounted configs
	std::string log_path;   // the peer daemon's output
};

// Brings `base` up. On failure returns nullptr with `why` (daemon output
// included); nothing is left mounted then.
std::unique_ptr<target> start_target(const std::string &base, const target_paths &paths,
                                     const bench_options &opts, std::string &why);

} // namespace fusebpf::bench
