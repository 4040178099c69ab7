// SPDX-License-Identifier: GPL-2.0-or-later
//
// Kernel passthrough: BACKING_OPEN on first open of an inode, shared id,
// BACKING_CLOSE on last release, classic fallback logged once; classic
// opens of filtered files counted per inode so the two modes never mix;
// O_RDWR passthrough opens counted per inode for the attribute timeout.
#include "daemon/backing/passthrough.h"

#include "daemon/fuse/notify.h"
#include "daemon/backing/backing_tree.h"

#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <sys/ioctl.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <unordered_map>

namespace fusebpf::daemon {
namespace {

// Open classic (filtered) files per inode, for inodes that have any. The
// inode_table's inode has no field for it; the open_file that counts keeps
// its inode alive, so the pointer is a valid key until the count drops.
// Lock order: inode::backing_mutex -> classic_mutex (a leaf).
std::mutex classic_mutex;
std::unordered_map<const inode *, unsigned> classic_opens; // under classic_mutex
std::atomic<size_t> classic_inodes{0}; // classic_opens.size(): skip the lock when 0

unsigned classic_count(const inode &node)
{
	if (classic_inodes.load(std::memory_order_acquire) == 0)
		return 0;
	std::lock_guard lock(classic_mutex);
	auto it = classic_opens.find(&node);
	return it == classic_opens.end() ? 0 : it->second;
}

void classic_add(const inode &node, int delta)
{
	std::lock_guard lock(classic_mutex);
	auto it = classic_opens.try_emplace(&node, 0).first;
	it->second += static_cast<unsigned>(delta);
	if (it->second == 0)
		classic_opens.erase(it);
	classic_inodes.store(classic_opens.size(), std::memory_order_release);
}

// Passthrough opens per inode that could back a shared writable mapping
// (O_RDWR: mmap(MAP_SHARED, PROT_WRITE) needs it), for inodes that have
// any; for passthrough_attr_valid(), which has a const node and must not
// take its backing_mutex. The open_file that counts keeps its inode alive.
// Lock order: inode::backing_mutex -> mapped_mutex (a leaf).
std::mutex mapped_mutex;
std::unordered_map<const inode *, unsigned> mappable_opens; // under mapped_mutex
std::atomic<size_t> mappable_inodes{0}; // mappable_opens.size(): skip the lock when 0

bool mappable(const open_file &f)
{
	return (f.flags & O_ACCMODE) == O_RDWR;
}

// Adds delta to node's count; true if it went from 0 to 1.
bool mappable_add(const inode &node, int delta)
{
	std::lock_guard lock(mapped_mutex);
	auto it = mappable_opens.try_emplace(&node, 0).first;
	bool first = it->second == 0 && delta > 0;
	it->second += static_cast<unsigned>(delta);
	if (it->second == 0)
		mappable_opens.erase(it);
	mappable_inodes.store(mappable_opens.size(), std::memory_order_release);
	return first;
}

} // namespace

void passthrough_open(backing_tree &s, open_file &f, struct fuse_open_out &out, classic_reason why)
{
	if (!s.passthrough_enabled() || !f.node->is_reg())
		return;
	inode &node = *f.node;
	std::unique_lock lock(node.backing_mutex);
	if (why != classic_reason::none && node.backing_users == 0) {
		classic_add(node, 1);
		f.classic = true;
		return;
	}
	if (why != classic_reason::none) {
		static std::atomic<bool> logged{false};
		if (!logged.exchange(true))
			spdlog::warn("a file with a data filter or set-user-ID bit (inode {}) is "
			             "open with kernel passthrough already: its data reaches the "
			             "daemon once every open of it is closed (logged once)",
			             node.ino);
	}
	if (node.backing_refused || classic_count(node) > 0)
		return;
	if (node.backing_id == 0) {
		struct fuse_backing_map map = {};
		map.fd = f.fd.get();
		int id = ioctl(s.dev_fd(), FUSE_DEV_IOC_BACKING_OPEN, &map);
		if (id <= 0) {
			int err = errno;
			node.backing_refused = true;
			s.count_passthrough_fallback();
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
	lock.unlock();
	// Attributes only (offset -1): no page lock is taken, so this is safe
	// from the OPEN handler. ENOENT: the kernel does not know the node yet
	// (CREATE), it has nothing cached.
	if (mappable(f) && mappable_add(node, 1)) {
		int err = notify_inval_inode(s.dev_fd(), node.nodeid, -1);
		if (err && err != -ENOENT)
			spdlog::debug("invalidating the attributes of inode {}: {}", node.ino,
			              std::strerror(-err));
	}
}

void passthrough_attr_valid(const inode &node, __u64 &sec, __u32 &nsec)
{
	if (!node.is_reg() || mappable_inodes.load(std::memory_order_acquire) == 0)
		return;
	std::lock_guard lock(mapped_mutex);
	if (mappable_opens.contains(&node)) {
		sec = 0;
		nsec = 0;
	}
}

void passthrough_release(backing_tree &s, open_file &f)
{
	if (f.classic) {
		f.classic = false;
		std::lock_guard lock(f.node->backing_mutex);
		classic_add(*f.node, -1);
		return;
	}
	if (!f.passthrough)
		return;
	f.passthrough = false;
	if (mappable(f))
		mappable_add(*f.node, -1);
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
