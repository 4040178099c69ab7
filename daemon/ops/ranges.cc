// SPDX-License-Identifier: GPL-2.0-or-later
//
// Byte ranges of open files: fallocate, lseek (SEEK_DATA/SEEK_HOLE) and
// copy_file_range.
//
// Each works on the backing fd of an open file (the fh of OPEN/CREATE, see
// open_files.h), which the caller opened with its own credentials and mode,
// so EBADF for a read-only fd, EOPNOTSUPP for a mode the backing fs lacks,
// ENXIO past the end for SEEK_DATA etc. come from the backing fs as natively.
// ops/file.cc has the basic data path (read, write, flush, fsync).
//
// lseek: the kernel answers SEEK_SET/CUR/END itself and sends only
// SEEK_DATA/SEEK_HOLE, whose result does not depend on the file position;
// lseek() moves the shared backing fd's position, which nothing else uses
// (reads and writes use pread/pwrite with explicit offsets).
//
// copy_file_range: both ends are files of this mount (the kernel falls back
// to a read/write copy otherwise); the backing fs may clone or copy in
// kernel. The reply's size is 32 bits, so one request copies at most
// UINT32_MAX & ~4095 bytes and the kernel asks again for the rest.
//
// Filters: each op goes through the engine when the open file's binding
// wants it or the file has no backing fd (a virtual node's or a user
// handler's open, open_files.h); otherwise it is the plain backing op. The
// fhs (and copy_file_range's nodeid_out) are the kernel's, never a filter's.
// A copy whose destination has no backing fd while the source is not
// filtered fails with EOPNOTSUPP: the kernel then copies with read/write.
#include "daemon/backing/backing.h"
#include "daemon/ops/backing_ops.h"
#include "daemon/policy/handle_filters.h"
#include "daemon/policy/node_filters.h"
#include "daemon/ops/handle_ops.h"
#include "daemon/ops/ops.h"
#include "daemon/session.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace fusebpf::daemon {

int do_fallocate(session &s, const fuse_fallocate_in &in)
{
	open_file_ptr f = s.files().get(in.fh);
	if (!f)
		return EBADF;
	if (in.offset > static_cast<uint64_t>(INT64_MAX) ||
	    in.length > static_cast<uint64_t>(INT64_MAX))
		return EFBIG;
	// mode: 0, FALLOC_FL_KEEP_SIZE, PUNCH_HOLE|KEEP_SIZE, ZERO_RANGE,
	// COLLAPSE/INSERT_RANGE, ... as the backing fs supports them.
	if (fallocate(f->fd.get(), static_cast<int>(in.mode), static_cast<off_t>(in.offset),
	              static_cast<off_t>(in.length)) < 0)
		return errno;
	return 0;
}

int do_lseek(session &s, const fuse_lseek_in &in, fuse_lseek_out &out)
{
	open_file_ptr f = s.files().get(in.fh);
	if (!f)
		return EBADF;
	if (in.whence != SEEK_DATA && in.whence != SEEK_HOLE && in.whence != SEEK_SET &&
	    in.whence != SEEK_CUR && in.whence != SEEK_END)
		return EINVAL;
	if (in.offset > static_cast<uint64_t>(INT64_MAX))
		return ENXIO;
	off_t pos = lseek(f->fd.get(), static_cast<off_t>(in.offset), static_cast<int>(in.whence));
	if (pos < 0)
		return errno;
	out = {};
	out.offset = static_cast<uint64_t>(pos);
	return 0;
}

int do_copy_file_range(session &s, const fuse_copy_file_range_in &in, fuse_write_out &out)
{
	open_file_ptr src = s.files().get(in.fh_in);
	open_file_ptr dst = s.files().get(in.fh_out);
	if (!src || !dst)
		return EBADF;
	constexpr uint64_t max_chunk = UINT32_MAX & ~uint64_t{4095};
	if (in.off_in > static_cast<uint64_t>(INT64_MAX) ||
	    in.off_out > static_cast<uint64_t>(INT64_MAX))
		return EINVAL;
	auto off_in = static_cast<off_t>(in.off_in);
	auto off_out = static_cast<off_t>(in.off_out);
	size_t len = static_cast<size_t>(in.len < max_chunk ? in.len : max_chunk);
	ssize_t n = copy_file_range(src->fd.get(), &off_in, dst->fd.get(), &off_out, len,
	                            static_cast<unsigned>(in.flags));
	if (n < 0)
		return errno;
	out = {};
	out.size = static_cast<uint32_t>(n);
	return 0;
}

// ---- the op descriptors (op_path.h) ----

namespace {

// FALLOCATE and LSEEK: one open file; a handle without a backing fd that
// reaches the backing step (a user handler declined) cannot do either.
template <class Ctx> class range_op : public on_file<Ctx> {
public:
protected:
	bool backed() const { return this->handle_->has_backing(); }
};

class fallocate_op : public range_op<fusebpf_fallocate_ctx> {
public:
	int backing(op_env &env, context &c)
	{
		return backed() ? -do_fallocate(env.s, owned(c.in)) : -EOPNOTSUPP;
	}

	void reply(op_env &env, int err, context &) { reply_status(env, err); }
};

class lseek_op : public range_op<fusebpf_lseek_ctx> {
public:
	int backing(op_env &env, context &c)
	{
		return backed() ? -do_lseek(env.s, owned(c.in), c.out) : -EOPNOTSUPP;
	}

	void reply(op_env &env, int err, context &ctx) { reply_struct(env, err, ctx.out); }
};

// The source file's binding decides; offsets, len and flags may be
// rewritten, the fhs and nodeid_out are the kernel's.
class copy_file_range_op : public on_handle<fusebpf_copy_file_range_ctx, open_file> {
public:
	int decode(request &req, context &ctx)
	{
		if (int e = decode_fixed(req, ctx.in))
			return e;
		kernel_in_ = ctx.in;
		handle_ = req.sess().files().get(ctx.in.fh_in);
		dst_ = req.sess().files().get(ctx.in.fh_out);
		return handle_ && dst_ ? 0 : -EBADF;
	}

	int backing(op_env &env, context &c)
	{
		if (!handle_->has_backing() || !dst_->has_backing())
			return -EOPNOTSUPP;
		fuse_copy_file_range_in r = c.in;
		r.fh_in = kernel_in_.fh_in;
		r.fh_out = kernel_in_.fh_out;
		r.nodeid_out = kernel_in_.nodeid_out;
		return -do_copy_file_range(env.s, r, c.out);
	}

	void reply(op_env &env, int err, context &ctx) { reply_struct(env, err, ctx.out); }

private:
	open_file_ptr dst_;
	fuse_copy_file_range_in kernel_in_{};
};

} // namespace

const op_handler op_fallocate = serve_op<fallocate_op>;
const op_handler op_lseek = serve_op<lseek_op>;
const op_handler op_copy_file_range = serve_op<copy_file_range_op>;

} // namespace fusebpf::daemon
