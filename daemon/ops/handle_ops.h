// SPDX-License-Identifier: GPL-2.0-or-later
//
// handle_ops: descriptor pieces (op_path.h) shared by the ops on open files
// (ops/file.cc, ops/ranges.cc, ops/locks.cc) and open directories
// (ops/dir.cc).
#pragma once

#include "daemon/backing/open_files.h"
#include "daemon/ops/op_path.h"

namespace fusebpf::daemon {

// Ops on an open file: the file is the kernel's fh, whatever a prefilter
// writes into in.fh.
template <class Ctx> class on_file : public on_handle<Ctx, open_file> {
protected:
	int decode_fh(request &req, uint64_t fh)
	{
		return this->decode_handle(req.sess().files(), fh);
	}
	int decode_file(request &req, const Ctx &ctx) { return decode_fh(req, ctx.in.fh); }
};

// Ops on an open directory, likewise.
template <class Ctx> class on_dir : public on_handle<Ctx, open_dir> {
protected:
	int decode_fh(request &req, uint64_t fh)
	{
		return this->decode_handle(req.sess().dirs(), fh);
	}
	int decode_dir(request &req, const Ctx &ctx) { return decode_fh(req, ctx.in.fh); }
};

// RELEASE and RELEASEDIR. A close cannot be refused: the filters' verdict
// is counted and replied, and the kernel's handle goes anyway (virtual
// nodes, handlers that answered, errors).
template <class Ctx, class Base, int (*Close)(session &, const fuse_release_in &)>
class close_op : public Base {
public:
	using context = Ctx;

	int decode(request &req, Ctx &ctx)
	{
		if (int e = decode_fixed(req, ctx.in))
			return e;
		kernel_in_ = ctx.in;
		return this->decode_fh(req, ctx.in.fh);
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
	using context = Ctx;

	int decode(request &req, Ctx &ctx)
	{
		if (int e = decode_fixed(req, ctx.in))
			return e;
		return this->decode_fh(req, ctx.in.fh);
	}

	int backing(op_env &env, Ctx &c)
	{
		if (!this->handle_->has_backing())
			return 0;
		return -Sync(env.s, this->owned(c.in));
	}

	void reply(op_env &env, int err, Ctx &) { reply_status(env, err); }
};

} // namespace fusebpf::daemon
