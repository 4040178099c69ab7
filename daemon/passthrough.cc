// SPDX-License-Identifier: GPL-2.0-or-later
//
// Kernel passthrough: BACKING_OPEN on first open of an inode, shared id,
// BACKING_CLOSE on last release, classic fallback logged once.
#include "daemon/passthrough.h"

#include "daemon/session.h"

#include <spdlog/spdlog.h>

#include <sys/ioctl.h>

#include <atomic>
#include <cerrno>
#include <cstring>

namespace fusebpf::daemon {

void passthrough_open(session &s, open_file &f, struct fuse_open_out &out)
{
	if (!s.passthrough_enabled() || !f.node->is_reg())
		return;
	inode &node = *f.node;
	std::lock_guard lock(node.backing_mutex);
	if (node.backing_refused)
		return;
	if (node.backing_id == 0) {
		struct fuse_backing_map map = {};
		map.fd = f.fd.get();
		int id = ioctl(s.dev_fd(), FUSE_DEV_IOC_BACKING_OPEN, &map);
		if (id <= 0) {
			int err = errno;
			node.backing_refused = true;
			s.stats().count_passthrough_fallback();
			static std::atomic<bool> logged{false};
			if (!logged.exchange(true))
				spdlog::warn(
				    "kernel passthrough refused for a file (inode {}): {}; "
				    "such files use the classic FUSE data path (logged once)",
				    node.ino, std::strerror(err));
			return;
		}
		node.backing_id = id;
	}
	node.backing_users++;
	f.passthrough = true;
	out.open_flags |= FOPEN_PASSTHROUGH;
	out.backing_id = node.backing_id;
}

void passthrough_release(session &s, open_file &f)
{
	if (!f.passthrough)
		return;
	f.passthrough = false;
	inode &node = *f.node;
	std::lock_guard lock(node.backing_mutex);
	if (node.backing_users == 0 || node.backing_id == 0) {
		spdlog::error(
		    "INTERNAL ERROR: passthrough release of inode {} without a backing id",
		    node.ino);
		return;
	}
	if (--node.backing_users > 0)
		return;
	uint32_t id = static_cast<uint32_t>(node.backing_id);
	node.backing_id = 0;
	if (ioctl(s.dev_fd(), FUSE_DEV_IOC_BACKING_CLOSE, &id) < 0)
		spdlog::warn("closing passthrough backing id {} failed: {}", id,
		             std::strerror(errno));
}

} // namespace fusebpf::daemon
