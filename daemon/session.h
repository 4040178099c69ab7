// SPDX-License-Identifier: GPL-2.0-or-later
//
// session: everything one mount's handlers share.
//
// There are no globals in the daemon: a session is created per mount and
// reached from every request (request::sess()). It owns the inode table, the
// open file/dir tables, their lock state, the negotiated connection
// parameters, the per-op counters and the interrupt registry. It does not own the transport
// (channels belong to workers, see daemon.cc) or the mount itself
// (mounter.h).
//
// Thread-safety: the tables and counters are internally synchronised;
// config() is immutable; conn() is written once by the INIT handler before
// any other request is served (the kernel sends nothing else until INIT is
// answered) and read-only afterwards.
#pragma once

#include "daemon/filter/binding.h"
#include "daemon/filter/engine.h"
#include "daemon/filter/filter_stats.h"
#include "daemon/backing/inode_table.h"
#include "daemon/backing/lock_state.h"
#include "daemon/fuse/interrupts.h"
#include "daemon/fuse/op_stats.h"
#include "daemon/backing/open_files.h"
#include "daemon/options.h"
#include "daemon/backing/slot_table.h"

#include <fusebpf/fuse_wire.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace fusebpf::daemon {

// What INIT negotiated.
struct connection_info {
	uint32_t minor = 0;     // kernel protocol minor we agreed on
	uint64_t flags = 0;     // negotiated flags (flags | flags2 << 32)
	uint32_t max_write = 0; // largest WRITE payload
	uint32_t max_readahead = 0;
	bool passthrough = false; // FUSE_PASSTHROUGH is on

	bool has(uint64_t flag) const { return (flags & flag) != 0; }
};

class session {
public:
	// root_fd: O_PATH|O_DIRECTORY fd of the backing dir; root_st: its stat.
	session(daemon_config cfg, unique_fd root_fd, const struct stat &root_st);
	session(const session &) = delete;
	session &operator=(const session &) = delete;

	const daemon_config &config() const { return config_; }
	const mount_options &opts() const { return config_.opts; }

	inode_table &inodes() { return inodes_; }
	slot_table<open_file> &files() { return files_; }
	slot_table<open_dir> &dirs() { return dirs_; }
	op_stats &stats() { return stats_; }
	const op_stats &stats() const { return stats_; }
	interrupt_registry &interrupts() { return interrupts_; }
	// The lock carriers of the mount's POSIX locks (ops/locks.cc).
	carrier_registry &locks() { return locks_; }

	// Filters (docs/filters.md): the engine every filtered op runs through,
	// its counters, and the binding tree whose root holds the mount's table
	// (a node resolves its own binding point, node_filters.h).
	filter::engine &filters() { return filters_; }
	const filter::filter_stats &filter_stats() const { return filter_stats_; }
	filter::binding_tree &bindings() { return bindings_; }

	// An fd of /proc/self/fd, opened at start, for re-opening O_PATH fds
	// (see backing.h: reopen_inode()).
	int proc_self_fd() const { return proc_self_fd_.get(); }

	// Connection parameters; valid once init_done() is true.
	const connection_info &conn() const { return conn_; }

	// Called by the INIT handler only.
	void set_conn(const connection_info &c);
	// Blocks until INIT was answered, the connection ended (unmounted before
	// INIT) or timeout_ms passed. Returns true if INIT was answered.
	bool wait_init(int timeout_ms);
	// Called by a worker whose read returned ENODEV: the kernel is gone.
	void connection_ended();
	bool ended() const { return ended_.load(); }
	bool init_done() const { return init_done_.load(std::memory_order_acquire); }

	// Whether opens should ask for kernel passthrough (negotiated and not
	// disabled with --no-passthrough).
	bool passthrough_enabled() const { return conn_.passthrough; }

	// The fd used for FUSE_DEV_IOC_BACKING_OPEN/CLOSE (the mount's /dev/fuse
	// fd); set by the daemon before the workers start.
	void set_dev_fd(int fd) { dev_fd_ = fd; }
	int dev_fd() const { return dev_fd_; }

	// Cache lifetimes for replies, split as FUSE wants them.
	struct timeout {
		uint64_t sec;
		uint32_t nsec;
	};
	timeout entry_timeout() const { return entry_timeout_; }
	timeout attr_timeout() const { return attr_timeout_; }
	timeout negative_timeout() const { return negative_timeout_; }

private:
	const daemon_config config_;
	inode_table inodes_;
	slot_table<open_file> files_;
	slot_table<open_dir> dirs_;
	op_stats stats_;
	interrupt_registry interrupts_;
	carrier_registry locks_;
	filter::filter_stats filter_stats_; // before filters_, which counts into it
	filter::engine filters_{filter_stats_};
	filter::binding_tree bindings_;
	unique_fd proc_self_fd_;
	int dev_fd_ = -1;
	timeout entry_timeout_, attr_timeout_, negative_timeout_;

	connection_info conn_;
	std::mutex init_mutex_;
	std::condition_variable init_cv_;
	std::atomic<bool> init_done_{false};
	std::atomic<bool> ended_{false};
};

} // namespace fusebpf::daemon
