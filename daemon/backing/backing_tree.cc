// SPDX-License-Identifier: GPL-2.0-or-later
//
// backing_tree: construction (timeouts split into sec/nsec, /proc/self/fd
// opened once).
#include "daemon/backing/backing_tree.h"

#include <fcntl.h>

#include <cmath>

namespace fusebpf::daemon {

backing_tree::timeout backing_tree::split_seconds(double secs)
{
	if (!(secs > 0))
		return {0, 0};
	double whole = std::floor(secs);
	return {static_cast<uint64_t>(whole), static_cast<uint32_t>((secs - whole) * 1e9)};
}

backing_tree::backing_tree(unique_fd root_fd, const struct stat &root_st, size_t max_fds,
                           const lifetimes &l)
    : inodes_(std::move(root_fd), root_st, max_fds),
      proc_self_fd_(::open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC)),
      entry_timeout_(split_seconds(l.entry)), attr_timeout_(split_seconds(l.attr)),
      negative_timeout_(split_seconds(l.negative))
{}

} // namespace fusebpf::daemon
