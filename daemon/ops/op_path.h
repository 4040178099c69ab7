// SPDX-License-Identifier: GPL-2.0-or-later
//
// op_path: the one path every op takes (docs/filters.md §6):
//
//	decode -> node(s) -> binding -> (filters around the backing step, or
//	the backing step alone) -> reply
//
// An op is a descriptor class; serve<Op>() runs it. Filtered and unfiltered
// requests run the same descriptor code: the only difference is whether
// the filter engine runs around Op::backing(). The descriptor works on the
// op's filter context (fusebpf_<op>_ctx) in both cases, so what a filter
// may rewrite and what the backing step reads are the same fields.
//
// A descriptor provides:
//
//	using context = fusebpf_<op>_ctx;
//	int decode(request &req, context &ctx);
//		The request's arguments into ctx's inputs, and the node(s) the
//		op is on into the descriptor. 0, or -errno to reply (EINVAL for
//		a short argument, ESTALE for an unknown nodeid, ...); decode
//		errors are checked in wire order.
//	const inode &node() const;
//		The node whose binding decides (for ops on an open handle: the
//		handle's node).
//	bool engine(const filter::binding &b) const;
//		Whether the engine runs: the binding wants the op, or only a
//		user filter can serve it (a virtual node, a handle without a
//		backing fd). on_node / on_handle below give the usual answer.
//	void prepare(op_env &env, const context &ctx);  (optional)
//		What runs once the binding is known, before any filter, whatever
//		the filters decide (user_io buffers, lock bookkeeping of a close,
//		what the reply needs of the kernel's inputs).
//	int backing(op_env &env, context &ctx);
//		The op on the backing tree: ctx's inputs (as a prefilter left
//		them) to ctx's outputs. Daemon-owned fields (file handles, node
//		ids a filter may not redirect) come from the descriptor, never
//		from ctx. 0 or -errno.
//	void reply(op_env &env, int err, context &ctx);
//		The one reply, from err (0 or -errno: the engine's or the
//		backing step's) and ctx's outputs.
//
// Ops that make entries finish with finish_entry_op() below; ops that touch
// two places (RENAME, LINK) run the target's filters inside their backing
// step (node_filters.h run_target_filters()).
#pragma once

#include "daemon/fuse/request.h"
#include "daemon/policy/handle_filters.h"
#include "daemon/policy/node_filters.h"
#include "daemon/session.h"

#include <cerrno>
#include <string_view>

namespace fusebpf::daemon {

// What a backing step and a reply may use besides the context.
struct op_env {
	request &req;
	session &s;
	filter::binding_ptr binding; // node()'s binding
	filter::user_io io;          // what a user filter answered (child decisions, data)
};

template <class Op> void serve(request &req, Op op = Op{})
{
	using Ctx = typename Op::context;
	Ctx ctx = make_ctx<Ctx>(req);
	if (int err = op.decode(req, ctx))
		return req.reply_err(err);
	op_env env{req, req.sess(), binding_of(op.node()), {}};
	if constexpr (requires { op.prepare(env, ctx); })
		op.prepare(env, ctx);
	int err;
	if (op.engine(*env.binding))
		err = run_filters(env.s, op.node(), *env.binding, ctx, env.io,
		                  [&](Ctx &c) { return op.backing(env, c); });
	else
		err = op.backing(env, ctx);
	op.reply(env, err < 0 ? err : -err, ctx);
}

// ---- decode steps: 0 or -errno ----

// The op's fixed-size input struct into `in`; -EINVAL if too short.
template <class T> int decode_fixed(request &req, T &in)
{
	const T *p = req.args().get<T>();
	if (!p)
		return -EINVAL;
	in = *p;
	return 0;
}

// The next argument as a validated name (one path component) into a
// context name (0 or -errno).
int decode_name(request &req, fusebpf_name &dst, std::string_view &name);

// The handler of a descriptor op (an op table entry).
template <class Op> void serve_op(request &req)
{
	serve(req, Op{});
}

// ---- the node an op is on ----

// The node of the request's header nodeid, or nullptr if it is unknown or
// stale (reply ESTALE).
inline inode_ptr node_of(request &req)
{
	return req.sess().inodes().get(req.nodeid());
}

// Ops on the request's node (header nodeid).
template <class Ctx> class on_node {
public:
	using context = Ctx;

	// The usual decode: the context's fixed-size input (if it has one),
	// then the node.
	int decode(request &req, Ctx &ctx)
	{
		if constexpr (requires { ctx.in; })
			if (int e = decode_fixed(req, ctx.in))
				return e;
		return decode_node(req);
	}

	const inode &node() const { return *node_; }
	bool engine(const filter::binding &b) const
	{
		return filtered(*node_, b, filter::op_of<Ctx>);
	}

protected:
	// The decode of an op that names an entry in the request's node: the
	// fixed-size input, the name (into ctx.name and `name`), the node.
	int decode_named(request &req, Ctx &ctx, std::string_view &name)
	{
		if constexpr (requires { ctx.in; })
			if (int e = decode_fixed(req, ctx.in))
				return e;
		if (int e = decode_name(req, ctx.name, name))
			return e;
		return decode_node(req);
	}

	// The request's node; -ESTALE if unknown.
	int decode_node(request &req)
	{
		node_ = node_of(req);
		return node_ ? 0 : -ESTALE;
	}

	inode_ptr node_;
};

// Ops on an open handle (an open_file or open_dir of the session); the
// handle is the kernel's fh, whatever a prefilter writes into ctx.
template <class Ctx, class Handle> class on_handle {
public:
	using context = Ctx;

	const inode &node() const { return *handle_->node; }
	bool engine(const filter::binding &b) const
	{
		return filtered_handle(*handle_, b, filter::op_of<Ctx>);
	}

protected:
	// The open handle fh of `table` (session::files() or dirs()); -EBADF
	// if unknown.
	template <class Table> int decode_handle(Table &table, uint64_t fh)
	{
		fh_ = fh;
		handle_ = table.get(fh);
		return handle_ ? 0 : -EBADF;
	}

	// A context's input with the daemon-owned fh put back.
	template <class In> In owned(In in) const
	{
		in.fh = fh_;
		return in;
	}

	std::shared_ptr<Handle> handle_;
	uint64_t fh_ = 0;
};

// ---- replies ----

// 0: reply_ok(); else the error.
inline void reply_status(op_env &env, int err)
{
	env.req.reply_err(err);
}

// 0: the wire struct `out`; else the error.
template <class T> void reply_struct(op_env &env, int err, const T &out)
{
	if (err)
		return env.req.reply_err(err);
	env.req.reply(out);
}

// ---- entry-making ops: LOOKUP, CREATE, MKNOD, MKDIR, SYMLINK, LINK ----

// The name an entry-making op's backing step used: the context's, which a
// prefilter may have rewritten. `renamed`: it is not the kernel's.
int entry_name(fusebpf_name &ctx_name, std::string_view kernel_name, std::string_view &out,
               bool &renamed);

// The end of an entry-making op, after the engine (or the backing step)
// returned err: finish_entry() (child decisions, virtual nodes, daemon-owned
// ids), then the node gets its binding point (give_point()) and is recorded
// under the kernel's name, which is what the kernel caches it by, even when
// a prefilter made the backing entry another one. taken: the nodeid whose lookup reference the
// backing step took (0 if none). Returns 0 or -errno (what to reply).
int finish_entry_op(op_env &env, const inode &parent, std::string_view kernel_name, int err,
                    uint64_t taken, bool renamed, fuse_entry_out &entry);

} // namespace fusebpf::daemon
