// SPDX-License-Identifier: GPL-2.0-or-later
//
// lock_state: the lock carriers of one session (ops/locks.cc explains
// them): for each (backing inode, lock owner) one extra open file
// description that holds the owner's POSIX locks as OFD locks, and which
// open files locked through it.
#pragma once

#include "common/unique_fd.h"
#include "daemon/backing/inode_table.h"
#include "daemon/backing/open_files.h"

#include <sys/types.h>

#include <compare>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <utility>
#include <vector>

namespace fusebpf::daemon {

// One owner's locks on one backing inode.
struct lock_carrier {
	explicit lock_carrier(unique_fd f) : fd(std::move(f)) {}
	const unique_fd fd;                // the description the OFD locks sit on
	uint32_t pid = 0;                  // last locker's pid, for GETLK; registry mutex
	std::set<const open_file *> users; // open files that locked through it; registry mutex
};
using carrier_ptr = std::shared_ptr<lock_carrier>;

struct carrier_key {
	dev_t dev;
	ino_t ino;
	uint64_t owner;
	auto operator<=>(const carrier_key &) const = default;
};

// All carriers of one session (session::locks()). A leaf lock: nothing
// blocks while it is held.
class carrier_registry {
public:
	carrier_ptr find(const carrier_key &k)
	{
		std::lock_guard lock(mutex_);
		auto it = map_.find(k);
		return it == map_.end() ? nullptr : it->second;
	}

	// Registers c under k unless another carrier is there; returns the one
	// registered. Records user and pid.
	carrier_ptr insert(const carrier_key &k, carrier_ptr c, const open_file *user, uint32_t pid)
	{
		std::lock_guard lock(mutex_);
		auto [it, added] = map_.try_emplace(k, std::move(c));
		it->second->users.insert(user);
		it->second->pid = pid;
		return it->second;
	}

	// Re-registers c after a blocking wait if its key was dropped meanwhile
	// (see the limits in the header comment).
	void reinsert(const carrier_key &k, const carrier_ptr &c, const open_file *user,
	              uint32_t pid)
	{
		std::lock_guard lock(mutex_);
		auto [it, added] = map_.try_emplace(k, c);
		if (it->second == c) {
			c->users.insert(user);
			c->pid = pid;
		}
	}

	carrier_ptr erase(const carrier_key &k)
	{
		std::lock_guard lock(mutex_);
		auto it = map_.find(k);
		if (it == map_.end())
			return nullptr;
		carrier_ptr c = std::move(it->second);
		map_.erase(it);
		return c;
	}

	// The other carriers of the same inode, with their pids.
	std::vector<std::pair<carrier_ptr, uint32_t>> others(const carrier_key &k)
	{
		std::lock_guard lock(mutex_);
		std::vector<std::pair<carrier_ptr, uint32_t>> out;
		carrier_key first{k.dev, k.ino, 0};
		for (auto it = map_.lower_bound(first); it != map_.end(); ++it) {
			const carrier_key &key = it->first;
			if (key.dev != k.dev || key.ino != k.ino)
				break;
			if (key.owner != k.owner)
				out.emplace_back(it->second, it->second->pid);
		}
		return out;
	}

	// Forgets `user` in every carrier of its inode; returns the carriers
	// nobody uses any more (already removed from the registry).
	std::vector<carrier_ptr> release_user(const inode &node, const open_file *user)
	{
		std::lock_guard lock(mutex_);
		std::vector<carrier_ptr> dropped;
		auto it = map_.lower_bound(carrier_key{node.dev, node.ino, 0});
		while (it != map_.end() && it->first.dev == node.dev && it->first.ino == node.ino) {
			it->second->users.erase(user);
			if (it->second->users.empty()) {
				dropped.push_back(std::move(it->second));
				it = map_.erase(it);
			} else {
				++it;
			}
		}
		return dropped;
	}

private:
	std::mutex mutex_;
	std::map<carrier_key, carrier_ptr> map_; // protected by mutex_
};

} // namespace fusebpf::daemon
