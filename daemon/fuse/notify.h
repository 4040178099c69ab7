// SPDX-License-Identifier: GPL-2.0-or-later
//
// notify: FUSE notifications the daemon sends on its own (not replies):
// invalidating the kernel's caches of a node's attributes and pages
// (FUSE_NOTIFY_INVAL_INODE) and of a name in a directory
// (FUSE_NOTIFY_INVAL_ENTRY). A notification is a write of
// {fuse_out_header{len, error = code, unique = 0}, body} to /dev/fuse.
//
// Used after a live attach/detach/replace and by the "invalidate" control
// command (daemon/control/attach.h), so that answers the old filters gave stop
// being served from the kernel's caches at once.
//
// Deadlock rule: the kernel handles INVAL_ENTRY under the parent
// directory's inode lock and INVAL_INODE under the inode's page locks, so a
// notification must never be written from a request handler the kernel is
// waiting on for the same directory or inode. The control thread (which
// serves no FUSE request) is the caller.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fusebpf::daemon {

// Drops the kernel's cached attributes of nodeid and its page cache from
// `off` for `len` bytes (len 0: to the end; off < 0: attributes only).
// Returns 0 or -errno (-ENOENT: the kernel no longer holds the node).
int notify_inval_inode(int dev_fd, uint64_t nodeid, int64_t off = 0, int64_t len = 0);

// Drops the kernel's dentry for `name` in directory `parent` (and with it
// the cached dentries below it). Returns 0 or -errno (-ENOENT: the kernel
// has no such dentry any more, which is normal).
int notify_inval_entry(int dev_fd, uint64_t parent, std::string_view name);

// What invalidate_nodes() did.
struct invalidation_counts {
	std::size_t nodes = 0;   // nodes asked about
	std::size_t inodes = 0;  // INVAL_INODE the kernel applied
	std::size_t entries = 0; // INVAL_ENTRY the kernel applied
	std::size_t gone = 0;    // ENOENT: the kernel had already dropped it
	std::size_t failed = 0;  // other errors (logged)
};

// A node to invalidate: its nodeid, and the (parent, name) the kernel knows
// it by (parent 0: none, as for the root).
struct invalidation_target {
	uint64_t nodeid = 0;
	uint64_t parent = 0;
	std::string name;
};

// For each target: INVAL_INODE (attributes and all its pages), then
// INVAL_ENTRY of its name.
invalidation_counts invalidate_nodes(int dev_fd, const std::vector<invalidation_target> &targets);

} // namespace fusebpf::daemon
