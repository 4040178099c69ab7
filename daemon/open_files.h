// SPDX-License-Identifier: GPL-2.0-or-later
//
// What an fh stands for: open files and open directories.
//
// OPEN/CREATE put an open_file into session::files() and give the kernel its
// slot_table id as fh; OPENDIR does the same with open_dir in
// session::dirs(). RELEASE/RELEASEDIR erase it. A handler that gets an fh
// looks it up and gets nullptr for a bogus or stale one (reply EBADF).
//
// Locking: the fields are immutable after creation except open_dir's read
// position, which open_dir::mutex protects (READDIR requests on one handle
// may run in parallel on different workers).
#pragma once

#include "common/unique_fd.h"
#include "daemon/inode_table.h"

#include <cstdint>
#include <mutex>

namespace fusebpf::daemon {

struct open_file {
	open_file(inode_ptr n, unique_fd f, int fl)
	    : node(std::move(n)), fd(std::move(f)), flags(fl)
	{}

	const inode_ptr node; // keeps the node (and its backing id) alive
	const unique_fd fd;   // a real open file on the backing inode
	const int flags;      // open(2) flags it was opened with
	// True if this open holds a reference on node->backing_id (kernel
	// passthrough); RELEASE must then drop it (passthrough::release()).
	bool passthrough = false;
};

struct open_dir {
	open_dir(inode_ptr n, unique_fd f) : node(std::move(n)), fd(std::move(f)) {}

	const inode_ptr node;
	const unique_fd fd; // O_RDONLY|O_DIRECTORY on the backing directory
	// Serialises lseek + getdents64 on fd.
	std::mutex mutex;
};

using open_file_ptr = std::shared_ptr<open_file>;
using open_dir_ptr = std::shared_ptr<open_dir>;

} // namespace fusebpf::daemon
