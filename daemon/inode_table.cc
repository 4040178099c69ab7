// SPDX-License-Identifier: GPL-2.0-or-later
//
// inode_table: (dev, ino) -> node map plus nodeid slots, with lookup counts.
// The locking rules are in inode_table.h.
#include "daemon/inode_table.h"

#include <fusebpf/fuse_wire.h>

#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <sys/stat.h>

namespace fusebpf::daemon {
namespace {

// Whether `node` still is the backing inode `st` describes. (dev, ino) can
// be reused once the old inode is deleted (some file systems hand the
// number out again at once); a deleted node has no links left.
bool same_inode(const inode &node, const struct stat &st)
{
	struct stat cur;
	if (fstatat(node.fd.get(), "", &cur, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
		return false;
	return cur.st_nlink > 0 && (cur.st_mode & S_IFMT) == (st.st_mode & S_IFMT);
}

} // namespace

inode_table::inode_table(unique_fd root_fd, const struct stat &root_st)
{
	root_ = std::make_shared<inode>(std::move(root_fd), root_st.st_dev, root_st.st_ino,
	                                root_st.st_mode);
	root_->nodeid = FUSE_ROOT_ID;
	root_->nlookup = 1; // pinned: the kernel never forgets the root
	ids_.insert_fixed(FUSE_ROOT_ID, root_);
	by_ino_.emplace(std::make_pair(root_st.st_dev, root_st.st_ino), root_);
}

inode_ptr inode_table::get(uint64_t nodeid) const
{
	return ids_.get(nodeid);
}

inode_ptr inode_table::add_lookup(unique_fd opath, const struct stat &st)
{
	std::lock_guard lock(mutex_);
	auto key = std::make_pair(st.st_dev, st.st_ino);
	auto it = by_ino_.find(key);
	if (it != by_ino_.end() && same_inode(*it->second, st)) {
		// opath is closed on return: the node keeps its own fd.
		it->second->nlookup++;
		return it->second;
	}
	// New, or the old node's inode is gone and its number was reused: a
	// new node takes over the key; the old one lives on under its nodeid
	// until the kernel forgets it.
	auto node = std::make_shared<inode>(std::move(opath), st.st_dev, st.st_ino, st.st_mode);
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
	auto node = std::make_shared<inode>(unique_fd(), 0, static_cast<ino_t>(key), mode, key);
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

void inode_table::forget(uint64_t nodeid, uint64_t n)
{
	if (nodeid == FUSE_ROOT_ID)
		return;
	std::lock_guard lock(mutex_);
	inode_ptr node = ids_.get(nodeid);
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
	ids_.erase(nodeid);
	if (node->is_virtual()) {
		auto v = by_virtual_key_.find(node->virtual_key);
		if (v != by_virtual_key_.end() && v->second == node)
			by_virtual_key_.erase(v);
		return;
	}
	auto it = by_ino_.find(std::make_pair(node->dev, node->ino));
	if (it != by_ino_.end() && it->second == node)
		by_ino_.erase(it);
}

size_t inode_table::size() const
{
	return ids_.size();
}

} // namespace fusebpf::daemon

namespace fusebpf::daemon {

inode_ptr inode_table::find(dev_t dev, ino_t ino) const
{
	std::lock_guard lock(mutex_);
	auto it = by_ino_.find(std::make_pair(dev, ino));
	return it == by_ino_.end() ? nullptr : it->second;
}

std::vector<inode_ptr> inode_table::snapshot() const
{
	return ids_.live();
}

} // namespace fusebpf::daemon
