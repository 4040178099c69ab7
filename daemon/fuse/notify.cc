// SPDX-License-Identifier: GPL-2.0-or-later
//
// notify: writing FUSE_NOTIFY_INVAL_INODE / INVAL_ENTRY to /dev/fuse; see
// notify.h.
#include "daemon/fuse/notify.h"

#include <fusebpf/fuse_wire.h>

#include <spdlog/spdlog.h>

#include <sys/uio.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <string>

namespace fusebpf::daemon {
namespace {

// One notification: header + body (+ name and its NUL). The kernel reads it
// in one write; a short write does not happen on /dev/fuse.
int write_notify(int dev_fd, fuse_notify_code code, const void *body, size_t body_len,
                 std::string_view name = {}, bool with_name = false)
{
	static const char nul = '\0';
	fuse_out_header h{};
	h.error = code;
	h.unique = 0;
	struct iovec iov[4] = {
	    {&h, sizeof(h)},
	    {const_cast<void *>(body), body_len},
	    {const_cast<char *>(name.data()), name.size()},
	    {const_cast<char *>(&nul), 1},
	};
	int count = with_name ? 4 : 2;
	size_t total = 0;
	for (int i = 0; i < count; i++)
		total += iov[i].iov_len;
	h.len = static_cast<uint32_t>(total);
	ssize_t n;
	do {
		n = writev(dev_fd, iov, count);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : 0;
}

void count_result(int rc, std::size_t &applied, invalidation_counts &c, const char *what,
                  uint64_t nodeid)
{
	if (rc == 0)
		applied++;
	else if (rc == -ENOENT)
		c.gone++;
	else {
		c.failed++;
		spdlog::warn("{} for nodeid {}: {}", what, nodeid, std::strerror(-rc));
	}
}

} // namespace

int notify_inval_inode(int dev_fd, uint64_t nodeid, int64_t off, int64_t len)
{
	fuse_notify_inval_inode_out out{};
	out.ino = nodeid;
	out.off = off;
	out.len = len;
	return write_notify(dev_fd, FUSE_NOTIFY_INVAL_INODE, &out, sizeof(out));
}

int notify_inval_entry(int dev_fd, uint64_t parent, std::string_view name)
{
	fuse_notify_inval_entry_out out{};
	out.parent = parent;
	out.namelen = static_cast<uint32_t>(name.size());
	out.flags = 0; // drop the dentry (not FUSE_EXPIRE_ONLY): its subtree goes too
	return write_notify(dev_fd, FUSE_NOTIFY_INVAL_ENTRY, &out, sizeof(out), name, true);
}

invalidation_counts invalidate_nodes(int dev_fd, const std::vector<invalidation_target> &targets)
{
	invalidation_counts c;
	for (const invalidation_target &t : targets) {
		c.nodes++;
		// The inode first: dropping the dentry first can evict an unused
		// inode, and its cached pages and attributes would then be
		// reported "gone" instead of invalidated.
		count_result(notify_inval_inode(dev_fd, t.nodeid), c.inodes, c,
		             "FUSE_NOTIFY_INVAL_INODE", t.nodeid);
		if (t.parent != 0 && !t.name.empty())
			count_result(notify_inval_entry(dev_fd, t.parent, t.name), c.entries, c,
			             "FUSE_NOTIFY_INVAL_ENTRY", t.nodeid);
	}
	return c;
}

} // namespace fusebpf::daemon
