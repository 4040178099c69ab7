// SPDX-License-Identifier: GPL-2.0-or-later
//
// handle_ops: descriptor pieces (op_path.h) shared by the ops on open files
// (ops/file.cc, ops/ranges.cc, ops/locks.cc) and open directories
// (ops/dir.cc).
#pragma once

#include "daemon/backing/open_files.h"
#include "daemon/ops/op_path.h"

#include <type_traits>

namespace fusebpf::daemon {

// Ops on an open file or directory: the handle is the kernel's fh,
// whatever a prefilter writes into in.fh.
template <class Ctx, class Handle> class on_open : public on_handle<Ctx, Handle> {
public:
	// The usual decode: the fixed-size input, then its handle.
	int decode(request &req, Ctx &ctx)
	{
		if (int e = decode_fixed(req, ctx.in))
			return e;
		return decode_fh(req, ctx.in.fh);
	}

protected:
	int decode_fh(request &req, uint64_t fh)
	{
		if constexpr (std::is_same_v<Handle, open_file>)
			return this->decode_handle(req.sess().files(), fh);
		else
			return this->decode_handle(req.sess().dirs(), fh);
	}
};

template <class Ctx> using on_file = on_open<Ctx, open_file>;
template <class Ctx> using on_dir = on_open<Ctx, open_dir>;

// RELEASE and RELEASEDIR. A close cannot be refused: the filters' verdict
// is counted and replied, and the kernel's handle goes anyway (virtual
// nodes, handlers that answered, errors).
template <class Ctx, class Base, int (*Close)(session &, const fuse_release_in &)>
class close_op : public Base {
public:
	int decode(request &req, Ctx &ctx)
	{
		if (int e = Base::decode(req, ctx))
			return e;
		kernel_in_ = ctx.in;
		return 0;
	}

	int backing(op_env &env, Ctx &)
	{
		closed_ = true;
		return -Close(env.s, kernel_in_);
	}

	void reply(op_env &env, int err, Ctx &)
	{
		if (!closed_)
			(void)Close(env.s, kernel_in_);
		reply_status(env, err);
	}

protected:
	fuse_release_in kernel_in_{};
	bool closed_ = false;
};

// FSYNC and FSYNCDIR: a handle without a backing fd has nothing to sync.
template <class Ctx, class Base, int (*Sync)(session &, const fuse_fsync_in &)>
class sync_op : public Base {
public:
	int backing(op_env &env, Ctx &c)
	{
		if (!this->handle_->has_backing())
			return 0;
		return -Sync(env.s, this->owned(c.in));
	}

	void reply(op_env &env, int err, Ctx &) { reply_status(env, err); }
};

} // namespace fusebpf::daemon
