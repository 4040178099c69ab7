// SPDX-License-Identifier: GPL-2.0-or-later
//
// dataset: the files the workloads read, laid out once in the backing
// directory, natively (not through any mount), before the first
// configuration runs. All configurations then see the very same inodes:
//
//   BACKING/tree/f000000 ... f009999   empty files (stat, readdir)
//   BACKING/data.bin                   FILE_SIZE bytes of pseudo-random data
//                                      (sequential and random reads)
//
// Workloads that write (create, seq-write) write next to these, under names
// that clean_leftovers() removes natively after each configuration.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace fusebpf::bench {

inline constexpr const char *tree_dir = "tree";
inline constexpr const char *data_file = "data.bin";
inline constexpr const char *write_file = "write.dat";
inline constexpr const char *create_dir_prefix = "create.";

// "f000000", "f000001", ...: the names in tree/ and in every create dir.
std::vector<std::string> file_names(int count);

struct dataset_needs {
	bool tree = false;
	bool data = false;
};

// Creates what `needs` asks for under `backing` and syncs it to disk.
// Throws std::runtime_error on failure.
void make_dataset(const std::string &backing, const dataset_needs &needs, int files,
                  uint64_t file_size);

// Removes what the writing workloads left under `backing` (never through a
// mount). Throws std::runtime_error on failure.
void clean_leftovers(const std::string &backing);

} // namespace fusebpf::bench
