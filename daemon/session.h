// SPDX-License-Identifier: GPL-2.0-or-later
//
// session: everything one mount's handlers share, one layer above the
// backing tree and the transport.
//
// There are no globals in the daemon: a session is created per mount and
// reached from every request (request::sess()). It is the mount's backing
// tree (backing_tree.h: inode table, open files, lock state, cache
// lifetimes) and owns the transport's per-connection state (fuse_connection:
// counters, interrupts), the negotiated connection parameters and the
// filters (engine, binding tree). It does not own the channels (they belong
// to workers, see daemon.cc) or the mount itself (mounter.h).
//
// Thread-safety: the tables and counters are internally synchronised;
// config() is immutable; conn() is written once by the INIT handler before
// any other request is served (the kernel sends nothing else until INIT is
// answered) and read-only afterwards.
#pragma once

#include "daemon/backing/backing_tree.h"
#include "daemon/filter/binding.h"
#include "daemon/filter/engine.h"
#include "daemon/filter/filter_stats.h"
#include "daemon/fuse/connection.h"
#include "daemon/options.h"

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

class session : public backing_tree {
public:
	// root_fd: O_PATH|O_DIRECTORY fd of the backing dir; root_st: its stat.
	session(daemon_config cfg, unique_fd root_fd, const struct stat &root_st);
	session(const session &) = delete;
	session &operator=(const session &) = delete;

	const daemon_config &config() const { return config_; }
	const mount_options &opts() const { return config_.opts; }

	fuse_connection &transport() { return transport_; }
	op_stats &stats() { return transport_.stats; }
	const op_stats &stats() const { return transport_.stats; }
	interrupt_registry &interrupts() { return transport_.interrupts; }

	// Filters (docs/filters.md): the engine every filtered op runs through,
	// its counters, and the binding tree whose root holds the mount's table
	// (a node resolves its own binding point, node_filters.h).
	filter::engine &filters() { return filters_; }
	const filter::filter_stats &filter_stats() const { return filter_stats_; }
	filter::binding_tree &bindings() { return bindings_; }

	// Connection parameters; valid once init_done() is true.
	const connection_info &conn() const { return conn_; }

	// Called by the INIT handler only (also turns passthrough on when INIT
	// agreed it).
	void set_conn(const connection_info &c);
	// Blocks until INIT was answered, the connection ended (unmounted before
	// INIT) or timeout_ms passed. Returns true if INIT was answered.
	bool wait_init(int timeout_ms);
	// Called by a worker whose read returned ENODEV: the kernel is gone.
	void connection_ended();
	bool ended() const { return ended_.load(); }
	bool init_done() const { return init_done_.load(std::memory_order_acquire); }

private:
	const daemon_config config_;
	fuse_connection transport_;
	filter::filter_stats filter_stats_; // before filters_, which counts into it
	filter::engine filters_{filter_stats_};
	filter::binding_tree bindings_;

	connection_info conn_;
	std::mutex init_mutex_;
	std::condition_variable init_cv_;
	std::atomic<bool> init_done_{false};
	std::atomic<bool> ended_{false};
};

} // namespace fusebpf::daemon
