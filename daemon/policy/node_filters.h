// SPDX-License-Identifier: GPL-2.0-or-later
//
// node_filters: which filters run for a node, and how an op reaches the
// filter engine for it (docs/filters.md §6). The op path (ops/op_path.h)
// asks filtered() whether the engine runs (fast path: one atomic load and
// one bit test), fills the op's context (make_ctx()) and runs the engine
// around the backing step with run_filters().
//
// run_filters() sends ops on virtual nodes to the user filter's handler
// (engine::serve_virtual) and everything else through engine::run().
//
// Binding points (filter/binding.h): each node gets one when the kernel
// first receives it (give_point(), called by every op that hands the
// kernel a node):
// directories get their own point, child of the parent directory's; other
// nodes share the point of the directory they were first looked up in.
// A lookup handler's child decision (apply_child_decision()) gives the node
// a point of its own with the table it asked for.
#pragma once

#include "daemon/filter/binding.h"
#include "daemon/filter/context.h"
#include "daemon/filter/engine.h"
#include "daemon/filter/user_filter.h"
#include "daemon/backing/inode_table.h"
#include "daemon/fuse/request.h"
#include "daemon/session.h"

#include <fusebpf/fuse_wire.h>

#include <string_view>

namespace fusebpf::daemon {

// A node's binding point (kept in inode::policy_slot): the point of the
// directory it was first looked up in, or for directories and nodes a
// lookup handler gave a table of their own, their own point. Set when the
// kernel first gets the node (place_node()), replaced only by a child
// decision; null only before that (the root's is the tree's root).
inline std::shared_ptr<filter::binding_point> point_of(const inode &node)
{
	return std::static_pointer_cast<filter::binding_point>(node.policy_slot.load());
}

inline void set_point(inode &node, std::shared_ptr<filter::binding_point> p)
{
	node.policy_slot.store(std::move(p));
}

// Sets node's point to p unless it has one (a racing lookup placed it:
// that one stays).
inline void set_point_if_none(inode &node, std::shared_ptr<filter::binding_point> p)
{
	std::shared_ptr<void> none;
	node.policy_slot.compare_exchange_strong(none, std::move(p));
}

// The binding for ops on node: its point's (own or inherited). Never null.
filter::binding_ptr binding_of(const inode &node);

// Whether an op on node must go through the engine: its binding wants op,
// or the node is virtual (only its user filter can answer).
inline bool filtered(const inode &node, const filter::binding &b, fusebpf_op op)
{
	return node.is_virtual() || b.wants(op);
}

// A context for req's op with meta filled from the request header.
template <filter::filter_ctx Ctx> Ctx make_ctx(const request &req)
{
	Ctx ctx{};
	filter::fill_meta(ctx.meta, req.header());
	return ctx;
}

// The engine for an op on node: a virtual node's op goes to its user
// filter's handler only; a backed node's through the pre/post filters
// around backing(ctx). Returns 0 or -errno.
template <filter::filter_ctx Ctx, class Backing>
int run_filters(session &s, const inode &node, const filter::binding &b, Ctx &ctx,
                filter::user_io &io, Backing &&backing)
{
	io.virtual_key = node.virtual_key();
	if (node.is_virtual())
		return s.filters().serve_virtual(b, ctx, io);
	return s.filters().run(b, ctx, io, std::forward<Backing>(backing));
}

// The backing step of a LOOKUP on its context: the context's name (a
// prefilter may have rewritten it; used_name) looked up in parent. taken:
// the lookup reference it took (0 if none); backing_err: the backing fs's
// errno (0 on success). Returns 0 or -errno.
int lookup_backing(session &s, const inode &parent, fusebpf_lookup_ctx &c,
                   std::string_view &used_name, uint64_t &taken, int &backing_err);

// A filtered LOOKUP of `name` in parent (meta of ctx filled by the caller):
// sets the name, runs the engine around the backing lookup (a prefilter may
// rename the entry). taken: the lookup reference the backing lookup took (0
// if none); backing_err: its errno, -1 if it did not run. Returns 0 or
// -errno; the caller ends with finish_entry() or gives `taken` back.
int run_lookup_filters(session &s, const inode &parent, const filter::binding &b,
                       std::string_view name, fusebpf_lookup_ctx &ctx, filter::user_io &io,
                       uint64_t &taken, int &backing_err);

// Ops that touch two places (RENAME and RENAME2: two directories; LINK: the
// linked node and a directory) run the filters of the source's binding
// around those of the target directory's binding (docs/filters.md §7): the
// source's prefilter, the target's prefilter, the backing op, the target's
// postfilter, the source's postfilter, all on the one op context. The
// target's run only when its binding is another one than `source` and
// wants the op; a virtual target has none (the backing op answers EXDEV).
inline bool has_target_filters(const inode &dir, const filter::binding_ptr &source, fusebpf_op op)
{
	if (dir.is_virtual())
		return false;
	filter::binding_ptr b = binding_of(dir);
	return b != source && b->wants(op);
}

// The target's filters around backing(ctx) when has_target_filters(), else
// backing(ctx) alone. Returns 0 or an errno (either sign, as the engine's
// backing ops do).
template <filter::filter_ctx Ctx, class Backing>
int run_target_filters(session &s, const inode &dir, const filter::binding_ptr &source, Ctx &ctx,
                       filter::user_io &io, Backing &&backing)
{
	if (!has_target_filters(dir, source, filter::op_of<Ctx>))
		return backing(ctx);
	return run_filters(s, dir, *binding_of(dir), ctx, io, std::forward<Backing>(backing));
}

// Gives `node`, just handed to the kernel as a child of `parent`, its
// binding point if it has none yet: directories get their own point, child
// of the parent's; other nodes share the parent's. Every op that hands the
// kernel a node (the entry-making ops, READDIRPLUS, a live attach's walk)
// calls it before replying.
void give_point(session &s, const inode &parent, inode &node);

// give_point(), and records (parent, name) as the node's kernel name for
// cache invalidation (backing.h enter_node() records the backing name).
void place_node(session &s, const inode &parent, inode &node, std::string_view name);

// Finishes a filtered LOOKUP-like reply (LOOKUP, CREATE, MKNOD, MKDIR,
// SYMLINK, LINK) after the engine returned `err`:
//   - taken: the nodeid whose lookup reference the backing op took (0 if
//     none). On error it is given back.
//   - io.child.virtual_key: the handler answered with a virtual node;
//     entry.attr is the handler's, the nodeid the daemon's.
//   - io.child.backing_path: the child is that path beneath the backing root
//     instead (the reference on `taken` is given back); a path that leaves
//     the root fails the op with EPERM.
//   - io.child.table: remove/replace gives the child a point of its own
//     with no table / the named table (the parent's user filter stays).
//   - none of these and no node (a handler answered 0 with nodeid 0): a
//     negative entry, replied as it is (user_filter.h).
// On success entry.nodeid/generation are the daemon's whatever a filter
// wrote there. Timeouts are what the entry holds: a backing entry has the
// session's; a handler that leaves them 0 gets its virtual entries looked
// up (and its attributes asked) again on every use, which is what a
// virtual file with changing contents wants.
// Returns 0 or -errno (what to reply).
int finish_entry(session &s, const inode &parent, std::string_view name, int err, uint64_t taken,
                 const filter::user_io &io, fuse_entry_out &entry);

} // namespace fusebpf::daemon
