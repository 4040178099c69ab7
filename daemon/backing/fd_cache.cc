// SPDX-License-Identifier: GPL-2.0-or-later
//
// fd_cache: O_PATH fds of backing inodes, bounded, reopened from handles.
// The contract and the locking rules are in fd_cache.h.
#include "daemon/backing/fd_cache.h"

#include "daemon/backing/inode_table.h"

#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace fusebpf::daemon {
namespace {

// struct file_handle with room for any handle (MAX_HANDLE_SZ is 128).
struct handle_buf {
	struct file_handle h;
	unsigned char room[128];
};

} // namespace

uint64_t raise_fd_limit()
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 1024;
	if (rl.rlim_cur < rl.rlim_max) {
		struct rlimit want = {rl.rlim_max, rl.rlim_max};
		if (setrlimit(RLIMIT_NOFILE, &want) == 0)
			rl = want;
		else
			spdlog::warn("cannot raise RLIMIT_NOFILE from {} to {}: {}", rl.rlim_cur,
			             rl.rlim_max, std::strerror(errno));
	}
	return rl.rlim_cur;
}

size_t fd_cache::default_capacity()
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return 4096;
	return std::max<size_t>(64, rl.rlim_cur / 2);
}

fd_cache::fd_cache(int root_opath, size_t capacity)
    : capacity_(capacity ? capacity : default_capacity())
{
	if (root_opath < 0)
		return; // a table without a backing tree (unit tests of virtual nodes)
	// open_by_handle_at() wants a real fd on the file system (an O_PATH
	// one gives EBADF).
	unique_fd mnt(openat(root_opath, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	handle_buf buf;
	buf.h.handle_bytes = sizeof(buf.room);
	int mount_id = -1;
	if (!mnt || name_to_handle_at(root_opath, "", &buf.h, &mount_id, AT_EMPTY_PATH) < 0) {
		spdlog::info("the backing file system gives no file handles ({}); every inode "
		             "the kernel knows holds one fd",
		             std::strerror(errno));
		return;
	}
	// Probe open_by_handle_at() once: it needs CAP_DAC_READ_SEARCH.
	unique_fd probe(open_by_handle_at(mnt.get(), &buf.h, O_PATH | O_CLOEXEC));
	if (!probe) {
		spdlog::info("cannot open backing inodes by handle ({}); every inode the kernel "
		             "knows holds one fd",
		             std::strerror(errno));
		return;
	}
	mount_fd_ = std::move(mnt);
	mount_id_ = mount_id;
	spdlog::debug("backing inodes identified by file handle, at most {} O_PATH fds cached",
	              capacity_);
}

backing_handle fd_cache::handle_of(int opath) const
{
	backing_handle out;
	if (!uses_handles())
		return out;
	handle_buf buf;
	buf.h.handle_bytes = sizeof(buf.room);
	int mount_id = -1;
	if (name_to_handle_at(opath, "", &buf.h, &mount_id, AT_EMPTY_PATH) < 0 ||
	    mount_id != mount_id_ || buf.h.handle_bytes == 0)
		return out; // another mount below the root, or no handle: held fd
	out.type = buf.h.handle_type;
	out.bytes.assign(reinterpret_cast<const char *>(buf.h.f_handle), buf.h.handle_bytes);
	return out;
}

int fd_cache::open_handle(const backing_handle &h, unique_fd &out) const
{
	if (h.empty() || !uses_handles() || h.bytes.size() > sizeof(handle_buf::room))
		return ESTALE;
	handle_buf buf;
	buf.h.handle_bytes = static_cast<unsigned>(h.bytes.size());
	buf.h.handle_type = h.type;
	std::memcpy(buf.h.f_handle, h.bytes.data(), h.bytes.size());
	// open_by_handle_at() needs CAP_DAC_READ_SEARCH, which a handler
	// running as its caller (fsuid != 0, caller_creds.h) does not have in
	// its effective set: open as fsuid 0, then return to the caller. An
	// O_PATH fd grants nothing by itself; every use of it is checked
	// against the caller's credentials again.
	long caller = syscall(SYS_setfsuid, -1);
	if (caller != 0)
		syscall(SYS_setfsuid, 0);
	int fd = open_by_handle_at(mount_fd_.get(), &buf.h, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	int err = errno;
	if (caller != 0)
		syscall(SYS_setfsuid, caller);
	if (fd < 0)
		return err;
	out.reset(fd);
	return 0;
}

void fd_cache::insert_locked(const inode &node, std::shared_ptr<const unique_fd> fd,
                             std::vector<std::shared_ptr<const unique_fd>> &closed)
{
	fd_slot &slot = node.fd_state;
	slot.fd = std::move(fd);
	lru_.push_front(&node);
	slot.lru = lru_.begin();
	while (lru_.size() > capacity_) {
		const inode *victim = lru_.back();
		lru_.pop_back();
		closed.push_back(std::move(victim->fd_state.fd));
		victim->fd_state.fd.reset();
	}
}

void fd_cache::adopt(const inode &node, unique_fd opath)
{
	auto fd = std::make_shared<const unique_fd>(std::move(opath));
	std::vector<std::shared_ptr<const unique_fd>> closed;
	std::lock_guard lock(mutex_);
	if (node.handle.empty()) {
		node.fd_state.fd = std::move(fd); // held for the node's life
		return;
	}
	insert_locked(node, std::move(fd), closed);
}

pinned_fd fd_cache::pin(const inode &node)
{
	fd_slot &slot = node.fd_state;
	{
		std::lock_guard lock(mutex_);
		if (slot.fd) {
			if (!node.handle.empty() && slot.lru != lru_.begin())
				lru_.splice(lru_.begin(), lru_, slot.lru);
			hits_.fetch_add(1, std::memory_order_relaxed);
			return pinned_fd(slot.fd);
		}
	}
	if (node.handle.empty())
		return pinned_fd(EBADF); // a virtual node: nothing to open
	unique_fd opened;
	if (int err = open_handle(node.handle, opened))
		return pinned_fd(err);
	auto fd = std::make_shared<const unique_fd>(std::move(opened));
	std::vector<std::shared_ptr<const unique_fd>> closed; // closed after unlock
	std::lock_guard lock(mutex_);
	if (slot.fd) // another thread reopened it meanwhile: use that one
		return pinned_fd(slot.fd);
	misses_.fetch_add(1, std::memory_order_relaxed);
	insert_locked(node, fd, closed);
	return pinned_fd(std::move(fd));
}

void fd_cache::drop(const inode &node)
{
	std::shared_ptr<const unique_fd> fd;
	std::lock_guard lock(mutex_);
	if (node.fd_state.fd && !node.handle.empty())
		lru_.erase(node.fd_state.lru);
	fd = std::move(node.fd_state.fd);
}

size_t fd_cache::cached() const
{
	std::lock_guard lock(mutex_);
	return lru_.size();
}

} // namespace fusebpf::daemon
