// SPDX-License-Identifier: GPL-2.0-or-later
//
// inode_table: (dev, ino) -> node map plus nodeid slots, with lookup counts,
// and the forgotten nodes' handles for revive(). The locking rules are in
// inode_table.h.
#include "daemon/backing/inode_table.h"

#include <fusebpf/fuse_wire.h>

#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <sys/stat.h>

namespace fusebpf::daemon {
namespace {

// Whether `node` still is the backing inode that `handle` and `st` describe.
// With handles that is handle equality (a handle names one inode
// generation). Without, (dev, ino) can be reused once the old inode is
// deleted (some file systems hand the number out again at once); a deleted
// node has no links left.
bool same_inode(const inode &node, const backing_handle &handle, const struct stat &st)
{
	if (!node.handle.empty() || !handle.empty())
		return node.handle == handle;
	pinned_fd fd = node.pin();
	struct stat cur;
	if (!fd || fstatat(fd.get(), "", &cur, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
		return false;
	return cur.st_nlink > 0 && (cur.st_mode & S_IFMT) == (st.st_mode & S_IFMT);
}

} // namespace

inode_table::inode_table(unique_fd root_fd, const struct stat &root_st, size_t max_fds)
    : cache_(root_fd.get(), max_fds)
{
	// The root is never forgotten: its fd is held (no handle), outside the bound.
	root_ = std::make_shared<inode>(&cache_, backing_handle{}, root_st.st_dev, root_st.st_ino,
	                                root_st.st_mode);
	cache_.adopt(*root_, std::move(root_fd));
	root_->nodeid = FUSE_ROOT_ID;
	root_->nlookup = 1; // pinned: the kernel never forgets the root
	ids_.insert_fixed(FUSE_ROOT_ID, root_);
	by_ino_.emplace(std::make_pair(root_st.st_dev, root_st.st_ino), root_);
}

inode_ptr inode_table::get(uint64_t nodeid) const
{
	if (inode_ptr node = ids_.get(nodeid))
		return node;
	if (revived_count_.load(std::memory_order_acquire) == 0)
		return nullptr;
	std::lock_guard lock(mutex_);
	auto it = revived_.find(nodeid);
	return it == revived_.end() ? nullptr : it->second;
}

inode_ptr inode_table::get_locked(uint64_t nodeid) const
{
	if (inode_ptr node = ids_.get(nodeid))
		return node;
	auto it = revived_.find(nodeid);
	return it == revived_.end() ? nullptr : it->second;
}

inode_ptr inode_table::add_lookup(unique_fd opath, const struct stat &st)
{
	// One syscall, outside the lock: no path walk, no I/O.
	backing_handle handle = cache_.handle_of(opath.get());
	std::lock_guard lock(mutex_);
	auto key = std::make_pair(st.st_dev, st.st_ino);
	auto it = by_ino_.find(key);
	if (it != by_ino_.end() && same_inode(*it->second, handle, st)) {
		// opath is closed on return: the node keeps (or reopens) its own.
		it->second->nlookup++;
		return it->second;
	}
	// New, or the old node's inode is gone and its number was reused: a
	// new node takes over the key; the old one lives on under its nodeid
	// until the kernel forgets it.
	auto node =
	    std::make_shared<inode>(&cache_, std::move(handle), st.st_dev, st.st_ino, st.st_mode);
	cache_.adopt(*node, std::move(opath));
	node->nodeid = ids_.insert(node);
	node->nlookup = 1;
	by_ino_[key] = node;
	return node;
}

inode_ptr inode_table::add_virtual(uint64_t key, mode_t mode)
{
	std::lock_guard lock(mutex_);
	auto it = by_virtual_key_.find(key);
	if (it != by_virtual_key_.end() && it->second->type == (mode & S_IFMT)) {
		it->second->nlookup++;
		return it->second;
	}
	auto node =
	    std::make_shared<inode>(nullptr, backing_handle{}, 0, static_cast<ino_t>(key), mode);
	node->nodeid = ids_.insert(node);
	node->nlookup = 1;
	by_virtual_key_[key] = node;
	return node;
}

bool inode_table::add_ref(const inode_ptr &node)
{
	std::lock_guard lock(mutex_);
	if (node->nlookup == 0)
		return false;
	node->nlookup++;
	return true;
}

inode_ptr inode_table::revive(uint64_t nodeid, int &err)
{
	forgotten_node entry;
	{
		std::lock_guard lock(mutex_);
		if (inode_ptr node = get_locked(nodeid)) {
			node->nlookup++;
			return node;
		}
		auto it = forgotten_.find(nodeid);
		if (it == forgotten_.end()) {
			err = ESTALE;
			return nullptr;
		}
		entry = it->second;
	}
	// Reopen and stat outside the lock.
	unique_fd opath;
	if ((err = cache_.open_handle(entry.handle, opath)))
		return nullptr;
	struct stat st;
	if (fstatat(opath.get(), "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) {
		err = errno;
		return nullptr;
	}
	if ((st.st_mode & S_IFMT) != entry.type) {
		err = ESTALE;
		return nullptr;
	}
	std::lock_guard lock(mutex_);
	if (inode_ptr node = get_locked(nodeid)) { // a racing LOOKUP "." revived it
		node->nlookup++;
		return node;
	}
	auto node = std::make_shared<inode>(&cache_, std::move(entry.handle), st.st_dev, st.st_ino,
	                                    st.st_mode);
	cache_.adopt(*node, std::move(opath));
	node->nodeid = nodeid;
	node->nlookup = 1;
	node->policy_slot.store(entry.policy_slot);
	revived_.emplace(nodeid, node);
	revived_count_.store(revived_.size(), std::memory_order_release);
	forgotten_.erase(nodeid);
	// The kernel may also hold this inode under another nodeid (looked up
	// by name after it forgot this one): that node keeps the key.
	by_ino_.emplace(std::make_pair(st.st_dev, st.st_ino), node);
	err = 0;
	return node;
}

void inode_table::remember_locked(const inode &node)
{
	if (node.handle.empty())
		return;
	uint64_t seq = ++forgotten_seq_;
	forgotten_[node.nodeid] =
	    forgotten_node{node.handle, node.type, seq, node.policy_slot.load()};
	forgotten_order_.emplace_back(node.nodeid, seq);
	while (forgotten_.size() > forgotten_capacity && !forgotten_order_.empty()) {
		auto [id, s] = forgotten_order_.front();
		forgotten_order_.pop_front();
		auto it = forgotten_.find(id);
		if (it != forgotten_.end() && it->second.seq == s)
			forgotten_.erase(it);
	}
	// Entries revived or replaced since leave stale (nodeid, seq) pairs
	// behind; keep the queue from growing past twice the map.
	if (forgotten_order_.size() > 2 * forgotten_capacity) {
		std::deque<std::pair<uint64_t, uint64_t>> live;
		for (auto [id, s] : forgotten_order_) {
			auto it = forgotten_.find(id);
			if (it != forgotten_.end() && it->second.seq == s)
				live.emplace_back(id, s);
		}
		forgotten_order_.swap(live);
	}
}

void inode_table::forget(uint64_t nodeid, uint64_t n)
{
	if (nodeid == FUSE_ROOT_ID)
		return;
	inode_ptr node; // released after the lock: its destructor takes the fd_cache mutex
	std::lock_guard lock(mutex_);
	node = get_locked(nodeid);
	if (!node) {
		spdlog::debug("FORGET of unknown nodeid {} ignored", nodeid);
		return;
	}
	if (n < node->nlookup) {
		node->nlookup -= n;
		return;
	}
	if (n > node->nlookup)
		spdlog::warn("FORGET of {} references on nodeid {} which has {}", n, nodeid,
		             node->nlookup);
	node->nlookup = 0;
	if (!ids_.erase(nodeid)) {
		revived_.erase(nodeid);
		revived_count_.store(revived_.size(), std::memory_order_release);
	}
	if (node->is_virtual()) {
		auto v = by_virtual_key_.find(node->virtual_key());
		if (v != by_virtual_key_.end() && v->second == node)
			by_virtual_key_.erase(v);
		return;
	}
	remember_locked(*node);
	auto it = by_ino_.find(std::make_pair(node->dev, node->ino));
	if (it != by_ino_.end() && it->second == node)
		by_ino_.erase(it);
}

size_t inode_table::size() const
{
	std::lock_guard lock(mutex_);
	return ids_.size() + revived_.size();
}

size_t inode_table::forgotten() const
{
	std::lock_guard lock(mutex_);
	return forgotten_.size();
}

inode_ptr inode_table::find(dev_t dev, ino_t ino) const
{
	std::lock_guard lock(mutex_);
	auto it = by_ino_.find(std::make_pair(dev, ino));
	return it == by_ino_.end() ? nullptr : it->second;
}

std::vector<inode_ptr> inode_table::snapshot() const
{
	std::lock_guard lock(mutex_);
	std::vector<inode_ptr> all = ids_.live();
	for (const auto &[id, node] : revived_)
		all.push_back(node);
	return all;
}

} // namespace fusebpf::daemon
