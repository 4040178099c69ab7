// SPDX-License-Identifier: GPL-2.0-or-later
//
// backing_tree: the backing side of one mount, everything the backing-tree
// layer works on: the inode table, the open files and directories, their
// lock state, the cache lifetimes replies carry, and what kernel
// passthrough needs (the /dev/fuse fd, whether INIT agreed it). It knows
// nothing of filters, requests or the transport; the session (session.h)
// is one, and adds those.
//
// Thread-safety: the tables are internally synchronised; the timeouts and
// proc_self_fd() are immutable; set_dev_fd() runs before the workers start
// and set_passthrough() in the INIT handler, before any other request.
#pragma once

#include "common/unique_fd.h"
#include "daemon/backing/inode_table.h"
#include "daemon/backing/lock_state.h"
#include "daemon/backing/open_files.h"
#include "daemon/backing/slot_table.h"

#include <sys/stat.h>

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace fusebpf::daemon {

class backing_tree {
public:
	// A cache lifetime, split as FUSE wants it.
	struct timeout {
		uint64_t sec;
		uint32_t nsec;
	};
	// Seconds (fractional; <= 0: 0) as a timeout.
	static timeout split_seconds(double secs);

	struct lifetimes {
		double entry = 0, attr = 0, negative = 0; // seconds
	};

	// root_fd: O_PATH|O_DIRECTORY fd of the backing dir; root_st: its stat;
	// max_fds: the fd cache's capacity (0: its default).
	backing_tree(unique_fd root_fd, const struct stat &root_st, size_t max_fds,
	             const lifetimes &l);
	backing_tree(const backing_tree &) = delete;
	backing_tree &operator=(const backing_tree &) = delete;

	inode_table &inodes() { return inodes_; }
	const inode_table &inodes() const { return inodes_; }
	slot_table<open_file> &files() { return files_; }
	slot_table<open_dir> &dirs() { return dirs_; }
	// The lock carriers of the mount's POSIX locks (ops/locks.cc).
	carrier_registry &locks() { return locks_; }

	// An fd of /proc/self/fd, opened at start, for re-opening O_PATH fds
	// (backing.h: reopen_inode()).
	int proc_self_fd() const { return proc_self_fd_.get(); }

	timeout entry_timeout() const { return entry_timeout_; }
	timeout attr_timeout() const { return attr_timeout_; }
	timeout negative_timeout() const { return negative_timeout_; }

	// The fd for FUSE_DEV_IOC_BACKING_OPEN/CLOSE (the mount's /dev/fuse fd).
	void set_dev_fd(int fd) { dev_fd_ = fd; }
	int dev_fd() const { return dev_fd_; }

	// Whether opens ask for kernel passthrough (INIT agreed it and it is
	// not disabled with --no-passthrough).
	void set_passthrough(bool on) { passthrough_ = on; }
	bool passthrough_enabled() const { return passthrough_; }

	// Opens that wanted passthrough and got the classic path because the
	// kernel refused the backing file (for stats).
	void count_passthrough_fallback() { pt_fallbacks_.fetch_add(1, std::memory_order_relaxed); }
	uint64_t passthrough_fallbacks() const
	{
		return pt_fallbacks_.load(std::memory_order_relaxed);
	}

private:
	inode_table inodes_;
	slot_table<open_file> files_;
	slot_table<open_dir> dirs_;
	carrier_registry locks_;
	unique_fd proc_self_fd_;
	timeout entry_timeout_, attr_timeout_, negative_timeout_;
	int dev_fd_ = -1;
	bool passthrough_ = false;
	std::atomic<uint64_t> pt_fallbacks_{0};
};

} // namespace fusebpf::daemon
