// SPDX-License-Identifier: GPL-2.0-or-later
//
// fd_cache: a bounded set of O_PATH fds on backing inodes, reopened from
// file handles on a miss.
//
// A node's identity is data: its backing file handle (name_to_handle_at
// with AT_EMPTY_PATH, struct backing_handle), kept in the inode for the
// node's whole life. An O_PATH|O_NOFOLLOW fd on the inode is only a cached
// means of reaching it: at most `capacity` of them stay open, least recently
// used first out, and a node whose fd was evicted gets a new one from
// open_by_handle_at() on the backing root's file system. So the daemon's fd
// count stays bounded however many inodes the kernel knows, and a successor
// daemon holding the handles could reopen every node.
//
// Fallback: where handles are not available (the backing fs cannot encode
// them, the daemon lacks CAP_DAC_READ_SEARCH for open_by_handle_at, or the
// inode sits on another mount below the backing root) the node's handle is
// empty and its fd is held for the node's life, outside the bound, as before.
//
// Pinning: inode::pin() returns a pinned_fd, which shares ownership of the
// fd; eviction only drops the cache's share, so an fd a handler uses is
// never closed (or reused for another file) under it. The fds open at once
// are thus at most capacity + the pins in flight (a few per worker thread).
//
// Locking: one mutex guards the LRU list and every node's fd_slot. A hit is
// that mutex, a shared_ptr copy and a list splice; reopening and closing
// happen outside it. Lock order: inode_table::mutex_ -> fd_cache::mutex_
// (the table adopts new nodes' fds under its own lock); fd_cache never calls
// back into the table and holds no inode_ptr, so a node destructor (which
// unlinks the node from the list) may run anywhere but under this mutex.
#pragma once

#include "common/unique_fd.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace fusebpf::daemon {

struct inode;

// A file handle of a backing inode, as plain bytes (the f_handle of
// struct file_handle). Handles of the common local file systems (ext4 and
// xfs: 8 bytes, tmpfs: 12) fit std::string's inline buffer: no allocation.
struct backing_handle {
	int type = 0;      // file_handle::handle_type
	std::string bytes; // file_handle::f_handle; empty: no handle

	bool empty() const { return bytes.empty(); }
	bool operator==(const backing_handle &o) const = default;
};

// An O_PATH fd kept open while this object lives, or an errno.
class pinned_fd {
public:
	explicit pinned_fd(int err) : err_(err) {}
	explicit pinned_fd(std::shared_ptr<const unique_fd> fd) : fd_(std::move(fd)) {}

	// The fd, or -1 (then error() says why).
	int get() const { return fd_ ? fd_->get() : -1; }
	explicit operator bool() const { return fd_ != nullptr; }
	// The errno when there is no fd (ESTALE: the backing inode is gone).
	int error() const { return err_; }

private:
	std::shared_ptr<const unique_fd> fd_;
	int err_ = 0;
};

// A node's place in the cache; every member is protected by fd_cache's mutex.
// A node with a handle is in the LRU list exactly while it has an fd; one
// without holds its fd for good, outside the list.
struct fd_slot {
	std::shared_ptr<const unique_fd> fd;    // null: evicted (or a virtual node)
	std::list<const inode *>::iterator lru; // valid while fd && the node has a handle
};

class fd_cache {
public:
	// root_opath: the backing root's O_PATH fd (the cache opens its own
	// real fd on the same directory for open_by_handle_at); capacity: fds
	// kept open at most (0: default_capacity()).
	fd_cache(int root_opath, size_t capacity);
	fd_cache(const fd_cache &) = delete;
	fd_cache &operator=(const fd_cache &) = delete;

	// Whether nodes on the backing root's mount are identified by handle
	// (else every node holds its fd).
	bool uses_handles() const { return mount_fd_.get() >= 0; }

	// The handle of the inode `opath` refers to, or an empty one when it
	// has none usable here (see the fallback above).
	backing_handle handle_of(int opath) const;

	// Opens a handle as O_PATH (symlinks are not followed). 0 or an errno
	// (ESTALE once the inode is deleted and no longer in use).
	int open_handle(const backing_handle &h, unique_fd &out) const;

	// Gives a new node its first fd: into the LRU if the node has a handle
	// (evicting the least recently used beyond capacity), else held.
	void adopt(const inode &node, unique_fd opath);

	// The node's fd, reopened from its handle on a miss.
	pinned_fd pin(const inode &node);

	// Unlinks a dying node (inode's destructor).
	void drop(const inode &node);

	size_t capacity() const { return capacity_; }
	// fds in the LRU now (held ones excluded).
	size_t cached() const;
	uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
	uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

	// Half the process's RLIMIT_NOFILE soft limit, at least 64: the rest
	// stays for open files, /dev/fuse clones, BPF objects and held fds.
	static size_t default_capacity();

private:
	// Inserts node with fd at the LRU head; evicted fds move to `closed`
	// so they are closed after the mutex is released.
	void insert_locked(const inode &node, std::shared_ptr<const unique_fd> fd,
	                   std::vector<std::shared_ptr<const unique_fd>> &closed);

	unique_fd mount_fd_; // O_RDONLY on the backing root; -1: no handles
	int mount_id_ = -1;  // the backing root's mount id
	const size_t capacity_;
	mutable std::mutex mutex_;
	std::list<const inode *> lru_; // protected by mutex_; front: most recent
	std::atomic<uint64_t> hits_{0};
	std::atomic<uint64_t> misses_{0};
};

// Raises the soft RLIMIT_NOFILE to the hard limit (once, at daemon start).
// Returns the soft limit in force afterwards.
uint64_t raise_fd_limit();

} // namespace fusebpf::daemon
