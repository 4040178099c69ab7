// SPDX-License-Identifier: GPL-2.0-or-later
//
// scratch: what the daemon-side fuzz targets share.
//
// drop_privileges(): a target started as root continues as nobody
// (65534:65534, no supplementary groups), so whatever the fuzzer makes the
// daemon do to the scratch tree cannot create device nodes, reach the
// kernel's BPF or touch files only root may write. Called once, before the
// first scratch tree exists.
//
// scratch_tree: a fresh backing directory per input (so an input's effect
// does not leak into the next and every crash reproduces from its input
// alone), holding a file "f" (8 bytes), a directory "d" with a file
// "d/g", and a symlink "l" -> "f". Removed with everything below it when
// it goes out of scope. RLIMIT_FSIZE caps every file the daemon writes at
// max_file_size (SIGXFSZ ignored: the write fails with EFBIG), so a WRITE,
// FALLOCATE or COPY_FILE_RANGE with a huge offset cannot fill the disk.
#pragma once

#include <string>

namespace fusebpf::fuzz {

inline constexpr unsigned long max_file_size = 1 << 20;

void drop_privileges();

class scratch_tree {
public:
	scratch_tree();
	~scratch_tree();
	scratch_tree(const scratch_tree &) = delete;
	scratch_tree &operator=(const scratch_tree &) = delete;

	const std::string &path() const { return path_; }

private:
	std::string path_;
};

} // namespace fusebpf::fuzz
