// SPDX-License-Identifier: GPL-2.0-or-later
//
// options: everything a fusebpf-bench run can be told on its command line
// (parsed in main.cc with CLI11), with the defaults that make a full run take
// about two to four minutes on a 2-CPU machine.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace fusebpf::bench {

struct bench_options {
	int files = 10000;                     // entries for create / stat / readdir
	uint64_t file_size = 256ull << 20;     // bytes of the sequential / random file
	int reps = 5;                          // measured repetitions; the median is reported
	double seconds = 1.0;                  // length of one random-read repetition
	std::vector<std::string> workloads;    // empty: all
	std::vector<std::string> configs;      // column order; see configs.h
	std::string json_path;                 // "" none, "-" stdout
	std::string dir = "/tmp";              // where the scratch dir (backing + mountpoints) goes
	std::string peer_path;                 // passthrough_ll binary
	std::string baseline_cli;              // fusebpf CLI of the fusebpf-baseline column
	int threads = 0;                       // fusebpf mount --threads (0: daemon default)
	std::vector<std::string> fusebpf_opts; // extra `-o` options for fusebpf mounts
	bool keep = false;                     // keep the scratch dir (never kept mounted)
};

} // namespace fusebpf::bench
