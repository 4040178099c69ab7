// SPDX-License-Identifier: GPL-2.0-or-later
//
// Loaded tables, as the kernel and bpffs see them: list, describe, find by
// name or map ID, unload.  Everything here is read back from the pins and
// the kernel (bpf_*_get_info_by_fd), never from a cache, so what `fusebpf
// list` prints is what a daemon will get.  Loading is in load.h; running
// filters in ops_table.h.
#pragma once

#include "loader/bpffs.h"
#include "loader/result.h"

#include <cstdint>
#include <string>
#include <vector>

namespace fusebpf::loader {

struct program_info {
	std::uint32_t id = 0;
	std::string name;
	std::string type;                 // "syscall", ...
	std::uint32_t xlated_insns = 0;   // instructions after the verifier's rewrites
	std::uint32_t jited_bytes = 0;    // 0 when not JITed
	std::uint32_t verified_insns = 0; // instructions the verifier processed
	std::uint64_t run_count = 0;      // with sysctl kernel.bpf_stats_enabled=1
	std::uint64_t run_time_ns = 0;
};

struct slot_info {
	std::uint32_t slot = 0;
	std::string op;      // "lookup", ..., "default"
	std::string side;    // "pre", "post", "" for default
	std::string section; // "fuse_ops/lookup_prefilter"
	program_info program;
};

struct map_info {
	std::uint32_t id = 0;
	std::string name;
	std::string type; // "hash", "ringbuf", "array", ...
	std::uint32_t max_entries = 0;
	std::string pin; // its path in bpffs
};

struct table_info {
	std::string name;
	std::uint32_t id = 0; // the map ID of the ops table: what a daemon takes
	std::string pin_dir;
	std::uint32_t slot_count = 0; // slots of the table (FUSEBPF_SLOT_COUNT when loaded)
	std::vector<slot_info> slots; // filled slots only, by slot number
	std::vector<map_info> maps;   // the object's maps, by name
};

// Reads the table pinned as <pin_root>/<name>.
result<table_info> read_table(std::string_view pin_root, std::string_view name);

// Every table under pin_root, by name.  A missing pin_root is an empty list.
result<std::vector<table_info>> list_tables(std::string_view pin_root = default_pin_root);

// The name of the table given by name or by map ID (all digits).
result<std::string> resolve_table(std::string_view pin_root, std::string_view name_or_id);

// Unpins the table given by name or ID (and its programs and maps).  The
// kernel frees them once no process (daemon) holds them any more.
status unload_table(std::string_view pin_root, std::string_view name_or_id);

// Kernel info of a program / map fd (used by the above and by the CLI).
result<program_info> program_info_of_fd(int fd);
result<map_info> map_info_of_fd(int fd);

} // namespace fusebpf::loader
