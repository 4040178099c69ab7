// SPDX-License-Identifier: GPL-2.0-or-later
//
// session: construction (timeouts split into sec/nsec, /proc/self/fd opened
// once) and the INIT hand-over between the INIT handler and the starter.
#include "daemon/session.h"

#include <fcntl.h>

#include <chrono>
#include <cmath>

namespace fusebpf::daemon {
namespace {

session::timeout split_seconds(double secs)
{
	if (!(secs > 0))
		return {0, 0};
	double whole = std::floor(secs);
	return {static_cast<uint64_t>(whole), static_cast<uint32_t>((secs - whole) * 1e9)};
}

} // namespace

session::session(daemon_config cfg, unique_fd root_fd, const struct stat &root_st)
    : config_(std::move(cfg)), inodes_(std::move(root_fd), root_st, config_.opts.max_fds),
      proc_self_fd_(::open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC)),
      entry_timeout_(split_seconds(config_.opts.entry_timeout)),
      attr_timeout_(split_seconds(config_.opts.attr_timeout)),
      negative_timeout_(split_seconds(config_.opts.negative_timeout))
{
	inodes_.root()->point.store(bindings_.root());
}

void session::set_conn(const connection_info &c)
{
	{
		std::lock_guard lock(init_mutex_);
		conn_ = c;
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
