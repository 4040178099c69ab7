// SPDX-License-Identifier: GPL-2.0-or-later
//
// The inode table: what the kernel's nodeids stand for.
//
// Each FUSE node is one backing inode, identified by its file handle
// (inode::handle, see fd_cache.h) and reached through an O_PATH|O_NOFOLLOW
// fd that the table's fd_cache keeps open or reopens from the handle
// (inode::pin()); on file systems without usable handles the node holds its
// fd. Never a path: renames in the backing tree need no bookkeeping. Nodes
// are keyed by (st_dev, st_ino), so the hard links of a file share one node,
// as they share one inode natively. A nodeid is a slot_table id (slot +
// generation), so a stale or bogus nodeid from the kernel gets nullptr from
// get() and the handler replies ESTALE; nothing crashes.
//
// Lookup counting (the FUSE contract): every reply that hands the kernel a
// nodeid (LOOKUP, CREATE, MKNOD, MKDIR, SYMLINK, LINK, READDIRPLUS entries)
// adds one to that node's nlookup; FORGET / BATCH_FORGET subtract. A node
// leaves the table when nlookup reaches 0; its fd is closed when the last
// shared_ptr (a handler still using it, an open file) goes away. The root
// (FUSE_ROOT_ID) is never forgotten.
//
// Forgotten nodes come back (FUSE_EXPORT_SUPPORT): the kernel's file handles
// carry (nodeid, generation), and to decode one whose inode it has dropped
// it sends LOOKUP "." on that nodeid. So a forgotten node's handle stays in a
// bounded map keyed by its nodeid (the newest forgotten_capacity of them),
// and revive() makes the node again under the same nodeid. Revived nodes
// live in their own map, since their slot may hold another node by then.
//
// Locking rules:
//   - inode_table::mutex_ protects the (dev, ino) map, the forgotten and
//     revived maps and every nlookup; nothing but the fd_cache and the
//     slot_table mutexes is taken while it is held.
//   - the slot_table inside has its own mutex, taken only under mutex_ or
//     alone (get()); order: inode_table::mutex_ -> slot_table mutex, and
//     inode_table::mutex_ -> fd_cache mutex.
//   - inode fields other than nlookup, the cache slot and the passthrough
//     state are set at creation and immutable, so handlers read them
//     without locks.
//   - inode::backing (the passthrough id, see passthrough.h) is protected by
//     inode::backing_mutex, which is never held while taking mutex_.
//   - the table outlives its nodes (the session owns it and destroys the
//     open files first): a node's destructor unlinks it from the fd_cache.
#pragma once

#include "common/unique_fd.h"
#include "daemon/backing/fd_cache.h"
#include "daemon/backing/slot_table.h"
#include "daemon/backing/small_mutex.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <deque>
#include <utility>
#include <vector>

namespace fusebpf::daemon {

// One backing inode, or one virtual node (a user filter's, no backing
// inode: no handle, no fd, no cache; its key is `ino`). Shared (std::shared_ptr)
// between the table and the handlers/open files that use it. The daemon
// holds one per inode the kernel knows, so the members are ordered to pack
// and the locks are small_mutex (4 bytes).
struct inode {
	// c: the table's fd cache; nullptr makes a virtual node of key i.
	inode(fd_cache *c, backing_handle h, dev_t d, ino_t i, mode_t m)
	    : handle(std::move(h)), dev(d), ino(i), cache(c), type(m & S_IFMT)
	{}
	~inode()
	{
		if (cache)
			cache->drop(*this);
	}
	inode(const inode &) = delete;
	inode &operator=(const inode &) = delete;

	// An O_PATH|O_NOFOLLOW fd on the backing inode, open while the
	// returned pin lives; reopened from the handle when the cache had
	// evicted it. On failure (!pin) pin.error() is the errno to reply:
	// ESTALE once the backing inode is deleted and unused, EBADF for a
	// virtual node.
	pinned_fd pin() const { return cache ? cache->pin(*this) : pinned_fd(EBADF); }

	const backing_handle handle; // the backing inode's file handle; empty: fd held
	const dev_t dev;             // backing st_dev (0 for virtual nodes)
	const ino_t ino;             // backing st_ino (the key for virtual nodes)
	uint64_t nodeid = 0;         // set once by the table before anyone sees the node
	fd_cache *const cache;       // the table's; null for virtual nodes
	mutable fd_slot fd_state;    // protected by cache's mutex (fd_cache.h)

	// A virtual node (user_filter.h) and its key.
	bool is_virtual() const { return cache == nullptr; }
	uint64_t virtual_key() const { return is_virtual() ? ino : 0; }
	bool is_dir() const { return type == S_IFDIR; }
	bool is_reg() const { return type == S_IFREG; }
	bool is_symlink() const { return type == S_IFLNK; }

	// A slot the layer above keeps per node, which the backing tree only
	// carries (also across forget() and revive()): the node's binding
	// point (policy/node_filters.h).
	std::atomic<std::shared_ptr<void>> policy_slot;

	// The name the kernel last looked this node up by, for invalidating
	// its dentry when a table is attached or detached live.
	void set_kernel_name(uint64_t parent, std::string_view n)
	{
		std::lock_guard lock(name_mutex);
		parent_nodeid = parent;
		name.assign(n);
	}
	uint64_t parent_nodeid = 0; // protected by name_mutex; 0 = unknown
	std::string name;           // protected by name_mutex

	// Protected by inode_table::mutex_.
	uint64_t nlookup = 0;

	const mode_t type; // S_IFREG, S_IFDIR, S_IFLNK, ... (S_IFMT bits only)
	small_mutex name_mutex;

	// Kernel passthrough state of this inode (one backing id per inode,
	// refcounted by the opens using it). See daemon/backing/passthrough.h.
	small_mutex backing_mutex;
	int backing_id = 0;           // protected by backing_mutex; 0 = none
	unsigned backing_users = 0;   // protected by backing_mutex
	bool backing_refused = false; // protected by backing_mutex: BACKING_OPEN failed once
};

using inode_ptr = std::shared_ptr<inode>;

class inode_table {
public:
	// Forgotten nodes whose handles are kept for revive() (about 100 bytes
	// each).
	static constexpr size_t forgotten_capacity = 1 << 16;

	// root_fd: O_PATH fd of the backing root; root_st: its stat;
	// max_fds: O_PATH fds the cache keeps open (0: fd_cache's default).
	inode_table(unique_fd root_fd, const struct stat &root_st, size_t max_fds = 0);
	inode_table(const inode_table &) = delete;
	inode_table &operator=(const inode_table &) = delete;

	// The node with this nodeid, or nullptr if unknown or stale (reply
	// ESTALE). Cheap: one mutex and a shared_ptr copy.
	inode_ptr get(uint64_t nodeid) const;

	// The root node (nodeid FUSE_ROOT_ID).
	const inode_ptr &root() const { return root_; }

	// Registers one kernel lookup reference for the backing inode described
	// by st, whose O_PATH|O_NOFOLLOW fd is `opath`. If a node for the same
	// backing inode exists (a hard link, a repeated lookup: same handle, or
	// without handles same (st_dev, st_ino) and still linked), opath is
	// closed and that node is returned; otherwise a new node takes it.
	// Either way nlookup grows by one. Never fails.
	inode_ptr add_lookup(unique_fd opath, const struct stat &st);

	// The node the kernel holds for backing inode (dev, ino), or nullptr.
	// Takes no reference (a directory rename re-parents its binding point).
	inode_ptr find(dev_t dev, ino_t ino) const;

	// Registers one kernel lookup reference for the virtual node `key`
	// (user_filter.h): the node of that key if the kernel still holds it,
	// else a new one of type (mode & S_IFMT). Never fails.
	inode_ptr add_virtual(uint64_t key, mode_t mode);

	// Adds one kernel lookup reference to a node the caller holds. Returns
	// false if the node already left the table (a racing FORGET dropped its
	// last reference); the caller then fails with ESTALE.
	bool add_ref(const inode_ptr &node);

	// One kernel lookup reference on the node `nodeid` (LOOKUP "." of an
	// export handle): the live node, or a forgotten one made again under the
	// same nodeid from its handle, with the binding point it had. nullptr
	// with err = ESTALE when the nodeid is unknown, its handle was dropped
	// from the forgotten map, or the backing inode is gone (err from
	// open_by_handle_at).
	inode_ptr revive(uint64_t nodeid, int &err);

	// Drops n kernel lookup references (FORGET). Unknown or stale ids and
	// the root are ignored; an n larger than nlookup drops the node (and
	// logs, since the kernel then broke the contract).
	void forget(uint64_t nodeid, uint64_t n);

	// Number of nodes, root excluded (for tests and stats).
	size_t size() const;

	// Forgotten nodes that revive() could make again.
	size_t forgotten() const;

	// Every node the kernel holds now, root included (for cache
	// invalidation after a live attach).
	std::vector<inode_ptr> snapshot() const;

	// The O_PATH fd cache (capacity, counters).
	fd_cache &fds() { return cache_; }
	const fd_cache &fds() const { return cache_; }

private:
	struct ino_hash {
		// noexcept: the map then does not store each hash (8 bytes a node).
		size_t operator()(const std::pair<dev_t, ino_t> &k) const noexcept
		{
			return std::hash<uint64_t>()(k.second * 0x9e3779b97f4a7c15ULL ^ k.first);
		}
	};
	struct forgotten_node {
		backing_handle handle;
		mode_t type;
		uint64_t seq; // matches forgotten_order_ while this entry is the newest
		std::shared_ptr<void> policy_slot;
	};

	// The node with this nodeid, slot or revived; mutex_ held.
	inode_ptr get_locked(uint64_t nodeid) const;
	// Remembers a forgotten node's handle; mutex_ held.
	void remember_locked(const inode &node);

	fd_cache cache_; // first: outlives every node of the table
	mutable std::mutex mutex_;
	std::unordered_map<std::pair<dev_t, ino_t>, inode_ptr, ino_hash>
	    by_ino_;                                                // protected by mutex_
	std::map<uint64_t, inode_ptr> by_virtual_key_;              // protected by mutex_
	std::unordered_map<uint64_t, inode_ptr> revived_;           // protected by mutex_
	std::atomic<size_t> revived_count_{0};                      // revived_.size()
	std::unordered_map<uint64_t, forgotten_node> forgotten_;    // protected by mutex_
	std::deque<std::pair<uint64_t, uint64_t>> forgotten_order_; // (nodeid, seq), oldest first
	uint64_t forgotten_seq_ = 0;                                // protected by mutex_
	slot_table<inode> ids_{2}; // slot 1 is the root (FUSE_ROOT_ID)
	inode_ptr root_;
};

} // namespace fusebpf::daemon
