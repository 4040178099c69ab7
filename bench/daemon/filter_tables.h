// SPDX-License-Identifier: GPL-2.0-or-later
//
// filter_tables: the ops tables behind fusebpf-bench's filter columns, each
// held for as long as its column runs (RAII: unloaded / closed when the
// bench_table is destroyed, after the mount that uses it is gone).
//
//   fusebpf-table-empty    an ops table with no programs: a prog array of
//                          FUSEBPF_SLOT_COUNT empty slots the bench creates
//                          itself (the loader refuses an object without
//                          programs); held by its fd, never pinned
//   fusebpf-continue-all   bench/filters/continue_all.bpf.c (loader::load_filter)
//   fusebpf-pre-post       bench/filters/pre_post.bpf.c (loader::load_filter)
//
// Loaded tables are pinned under a name unique to this process
// ("fbench_<kind>_<pid>") and unpinned again at the end of the column; a
// bench killed with SIGKILL leaves that pin behind (`fusebpf unload NAME`).
// Differs from configs.h, which mounts: this only makes tables and says
// which map ID to give to `fusebpf mount --ops`.
#pragma once

#include "common/unique_fd.h"

#include <cstdint>
#include <memory>
#include <string>

namespace fusebpf::bench {

class bench_table {
public:
	virtual ~bench_table() = default;
	// The map ID `fusebpf mount --ops` takes.
	virtual uint32_t id() const = 0;
	// One line for the report: what the table holds.
	virtual std::string describe() const = 0;
};

// Whether `base` is a configuration that mounts with a table.
bool is_table_config(const std::string &base);

// Makes the table of configuration `base` (is_table_config(base)); nullptr
// with `why` on failure (e.g. the verifier's words, not root).
std::unique_ptr<bench_table> make_bench_table(const std::string &base, std::string &why);

} // namespace fusebpf::bench
