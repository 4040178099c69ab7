// SPDX-License-Identifier: GPL-2.0-or-later
//
// binding: which filters run for a node, and how that changes on a live
// mount without failing an op.
//
// A binding is an immutable {ops table, user filter} pair with a generation
// number.  Everything the engine's fast path needs is computed once when it
// is made: wants(op) is one bit test, so an op whose table has no program
// for it (and no default_filter) never enters the engine: no BPF call, no
// context copy.
//
// binding_point: where a binding is attached.  Points form a tree that
// mirrors the directories the kernel looked up: the root's point is made at
// mount; each directory node gets its own point, child of its parent
// directory's point; non-directory nodes use the point of the directory they
// were looked up in.  A point either has a binding of its own (attached
// there: `fusebpf mount --filter`, `fusebpf attach DIR`, a user lookup
// handler's child decision) or inherits the nearest ancestor's.  So:
//   - inheritance is by construction (a child resolves to its parent's);
//   - attach/replace at a directory is one atomic store on its point, seen
//     by the whole subtree at once, including nodes looked up long ago;
//   - detach (`fusebpf detach DIR`) stores the empty binding ("no table",
//     plain passthrough for the subtree); clear() makes a point inherit
//     again;
//   - a rename of a directory re-parents its point.
//
// Threads.  resolve() is lock-free in the sense that matters (no mutex):
// the point caches its resolved binding tagged with the tree's epoch; every
// set/clear/reparent bumps the epoch, so the next resolve() walks up once
// and caches again.  The binding a resolve() returned stays alive (a
// shared_ptr, holding the table's program fds) for as long as the op uses
// it, so replacing or detaching a table while ops run never fails one: an op
// runs entirely with the old binding or entirely with the new.
// std::atomic<std::shared_ptr> (libstdc++ 12: a spin bit, not a mutex)
// holds every pointer.
//
// On attach/detach the daemon invalidates the kernel's caches for the
// subtree (see docs/filters.md, "Live attach").
#pragma once

#include "daemon/filter/op_traits.h"
#include "daemon/filter/user_filter.h"
#include "loader/ops_table.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

namespace fusebpf::filter {

class binding {
public:
	// table and user may each be null; both null is the empty binding.
	static std::shared_ptr<const binding> make(std::shared_ptr<const loader::ops_table> table,
	                                           std::shared_ptr<user_filter> user);
	// The empty binding (no table, no user filter): every op passes through.
	static std::shared_ptr<const binding> none();

	// Whether op must go through the engine (else: plain backing op).
	bool wants(fusebpf_op op) const noexcept
	{
		return op >= 0 && op < FUSEBPF_OP_COUNT && ((wants_mask_ >> op) & 1u);
	}
	// Whether any op does (false for the empty binding).
	bool active() const noexcept { return wants_mask_ != 0; }
	// Whether files under this binding must use the classic FUSE data path:
	// a filter wants to see READ or WRITE. A user filter alone does not
	// count: it is only asked about an op its table (or, without a table,
	// its verdict_without_table()) sends to it, and that is wants(op).
	bool filters_data() const noexcept
	{
		return wants(FUSEBPF_OP_READ) || wants(FUSEBPF_OP_WRITE);
	}

	// The verdict the engine uses when the table has no prefilter and no
	// default for op (BPF_FUSE_CONTINUE, or the user filter's
	// verdict_without_table() when there is no table).
	int implicit_verdict(fusebpf_op op) const noexcept { return implicit_[op]; }

	const loader::ops_table *table() const noexcept { return table_.get(); }
	user_filter *user() const noexcept { return user_.get(); }
	// The same, shared: a child decision's binding keeps the parent's user
	// filter.
	const std::shared_ptr<user_filter> &user_shared() const noexcept { return user_; }
	std::uint64_t generation() const noexcept { return generation_; }
	// "table NAME (map ID N)", "+ user NAME", or "none".
	const std::string &description() const noexcept { return description_; }

	binding(const binding &) = delete;
	binding &operator=(const binding &) = delete;

private:
	binding() = default;

	std::shared_ptr<const loader::ops_table> table_;
	std::shared_ptr<user_filter> user_;
	std::uint64_t generation_ = 0;
	std::uint64_t wants_mask_ = 0;
	int implicit_[FUSEBPF_OP_COUNT] = {};
	std::string description_;
};

using binding_ptr = std::shared_ptr<const binding>;

class binding_tree;

class binding_point {
public:
	// The binding for ops on nodes of this point: its own, or the nearest
	// ancestor's, or the empty binding.  Never null.
	binding_ptr resolve() const;

	// Attaches b here (replacing what was attached here).  b may be
	// binding::none(): the subtree then runs without filters.
	void set(binding_ptr b);
	// Makes this point inherit its parent's binding again.
	void clear();
	// Whether a binding is attached here (not inherited).
	bool attached() const { return own_.load() != nullptr; }
	// After a rename of this point's directory to another parent.
	void reparent(std::shared_ptr<binding_point> new_parent);

	std::shared_ptr<binding_point> parent() const { return parent_.load(); }
	binding_tree &tree() const { return tree_; }

	binding_point(binding_tree &tree, std::shared_ptr<binding_point> parent)
	    : tree_(tree), parent_(std::move(parent))
	{}
	binding_point(const binding_point &) = delete;
	binding_point &operator=(const binding_point &) = delete;

private:
	struct cached {
		std::uint64_t epoch;
		binding_ptr resolved;
	};

	binding_tree &tree_;
	std::atomic<std::shared_ptr<binding_point>> parent_;
	std::atomic<binding_ptr> own_;
	mutable std::atomic<std::shared_ptr<const cached>> cache_;
};

// The points of one mount.  Outlives every point (the session owns it).
class binding_tree {
public:
	binding_tree();
	binding_tree(const binding_tree &) = delete;
	binding_tree &operator=(const binding_tree &) = delete;

	// The root's point (FUSE_ROOT_ID), with the mount's binding (none at first).
	const std::shared_ptr<binding_point> &root() const { return root_; }
	// A new point for a directory looked up in parent's directory.
	std::shared_ptr<binding_point> make_child(std::shared_ptr<binding_point> parent);

	std::uint64_t epoch() const { return epoch_.load(std::memory_order_acquire); }

private:
	friend class binding_point;
	void bump() { epoch_.fetch_add(1, std::memory_order_acq_rel); }

	std::atomic<std::uint64_t> epoch_{1};
	std::shared_ptr<binding_point> root_;
};

} // namespace fusebpf::filter
