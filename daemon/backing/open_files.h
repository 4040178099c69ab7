// SPDX-License-Identifier: GPL-2.0-or-later
//
// What an fh stands for: open files and open directories.
//
// OPEN/CREATE put an open_file into session::files() and give the kernel its
// slot_table id as fh; OPENDIR does the same with open_dir in
// session::dirs(). RELEASE/RELEASEDIR erase it. A handler that gets an fh
// looks it up and gets nullptr for a bogus or stale one (reply EBADF).
//
// Handles without a backing fd: an open of a virtual node (a user filter's,
// node->is_virtual()), or an open a user filter's handle_open()/
// handle_opendir() answered for a backed node. Their fd is invalid
// (has_backing() false); every op on them goes through the filter engine
// (node_filters.h run_filters(), which hands virtual nodes to the user
// filter only), never to a do_<op>() fast path.
//
// Locking: the fields are immutable after creation except open_dir's read
// position, which open_dir::mutex protects (READDIR requests on one handle
// may run in parallel on different workers), and the data-path state
// (passthrough, classic), which only OPEN/CREATE and RELEASE touch, under
// the node's backing_mutex (passthrough.h).
#pragma once

#include "common/unique_fd.h"
#include "daemon/backing/inode_table.h"

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
	// True if this open was given the classic data path because its
	// binding filters data (passthrough.h); RELEASE drops that count.
	bool classic = false;

	// False for a handle with no backing file (see above).
	bool has_backing() const { return fd.get() >= 0; }
};

struct open_dir {
	open_dir(inode_ptr n, unique_fd f) : node(std::move(n)), fd(std::move(f)) {}

	const inode_ptr node;
	const unique_fd fd; // O_RDONLY|O_DIRECTORY on the backing directory
	// Serialises lseek + getdents64 on fd.
	std::mutex mutex;

	// False for a handle with no backing directory (see above).
	bool has_backing() const { return fd.get() >= 0; }
};

using open_file_ptr = std::shared_ptr<open_file>;
using open_dir_ptr = std::shared_ptr<open_dir>;

} // namespace fusebpf::daemon
