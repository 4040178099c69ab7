// SPDX-License-Identifier: GPL-2.0-or-later
//
// session: construction and the INIT hand-over between the INIT handler
// and the starter.
#include "daemon/session.h"

#include <chrono>

namespace fusebpf::daemon {
session::session(daemon_config cfg, unique_fd root_fd, const struct stat &root_st)
    : backing_tree(std::move(root_fd), root_st, cfg.opts.max_fds,
                   {cfg.opts.entry_timeout, cfg.opts.attr_timeout, cfg.opts.negative_timeout}),
      config_(std::move(cfg)), transport_(config_.debug)
{
	inodes().root()->policy_slot.store(bindings_.root());
}

void session::set_conn(const connection_info &c)
{
	{
		std::lock_guard lock(init_mutex_);
		conn_ = c;
		set_passthrough(c.passthrough);
		init_done_.store(true, std::memory_order_release);
	}
	init_cv_.notify_all();
}

void session::connection_ended()
{
	{
		std::lock_guard lock(init_mutex_);
		ended_.store(true);
	}
	init_cv_.notify_all();
}

bool session::wait_init(int timeout_ms)
{
	std::unique_lock lock(init_mutex_);
	return init_cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [this] {
		return init_done_.load() || ended_.load();
	}) && init_done_.load();
}

} // namespace fusebpf::daemon
