// SPDX-License-Identifier: GPL-2.0-or-later
//
// system_info: the facts a reader needs to interpret the numbers (kernel, CPU
// count and model, the backing file system, whether FUSE over io_uring is
// enabled), printed above the table and stored in the JSON copy.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace fusebpf::bench {

struct system_info {
	std::string kernel; // uname -r
	int cpus_online = 0;
	std::string cpu_model;      // from /proc/cpuinfo
	std::string backing_fs;     // e.g. "ext4"
	std::string fuse_uring;     // /sys/module/fuse/parameters/enable_uring ("Y", "N", "?")
	unsigned long fd_limit = 0; // RLIMIT_NOFILE the daemons inherit
	std::string loadavg; // /proc/loadavg when the run started: others' work skews numbers
	std::string started; // UTC, ISO 8601
};

system_info probe_system(const std::string &backing_dir);

// The first three fields of /proc/loadavg, e.g. "0.52 0.31 0.12".
std::string current_loadavg();

nlohmann::json to_json(const system_info &info);

} // namespace fusebpf::bench
