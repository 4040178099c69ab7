// SPDX-License-Identifier: GPL-2.0-or-later
//
// More file ops on open files: fallocate, lseek (SEEK_DATA/SEEK_HOLE) and
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
#include "daemon/backing/backing_ops.h"
#include "daemon/policy/handle_filters.h"
#include "daemon/policy/node_filters.h"
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

void op_fallocate(request &req)
{
	const auto *in = req.args().get<fuse_fallocate_in>();
	if (!in)
		return req.reply_err(EINVAL);
	session &s = req.sess();
	open_file_ptr f = s.files().get(in->fh);
	if (!f)
		return req.reply_err(EBADF);
	filter::binding_ptr b = binding_of(*f->node);
	if (!filtered_handle(*f, *b, FUSEBPF_OP_FALLOCATE))
		return req.reply_err(do_fallocate(s, *in));
	auto ctx = make_ctx<fusebpf_fallocate_ctx>(req);
	ctx.in = *in;
	filter::user_io io;
	req.reply_err(run_filters(s, *f->node, *b, ctx, io, [&](fusebpf_fallocate_ctx &c) {
		if (!f->has_backing())
			return EOPNOTSUPP;
		fuse_fallocate_in r = c.in;
		r.fh = in->fh; // daemon-owned
		return do_fallocate(s, r);
	}));
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

void op_lseek(request &req)
{
	const auto *in = req.args().get<fuse_lseek_in>();
	if (!in)
		return req.reply_err(EINVAL);
	session &s = req.sess();
	open_file_ptr f = s.files().get(in->fh);
	if (!f)
		return req.reply_err(EBADF);
	filter::binding_ptr b = binding_of(*f->node);
	fuse_lseek_out out;
	if (!filtered_handle(*f, *b, FUSEBPF_OP_LSEEK)) {
		if (int err = do_lseek(s, *in, out))
			return req.reply_err(err);
		return req.reply(out);
	}
	auto ctx = make_ctx<fusebpf_lseek_ctx>(req);
	ctx.in = *in;
	filter::user_io io;
	int err = run_filters(s, *f->node, *b, ctx, io, [&](fusebpf_lseek_ctx &c) {
		if (!f->has_backing())
			return EOPNOTSUPP;
		fuse_lseek_in r = c.in;
		r.fh = in->fh; // daemon-owned
		return do_lseek(s, r, c.out);
	});
	if (err)
		return req.reply_err(err);
	req.reply(ctx.out);
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

void op_copy_file_range(request &req)
{
	const auto *in = req.args().get<fuse_copy_file_range_in>();
	if (!in)
		return req.reply_err(EINVAL);
	session &s = req.sess();
	open_file_ptr src = s.files().get(in->fh_in);
	open_file_ptr dst = s.files().get(in->fh_out);
	if (!src || !dst)
		return req.reply_err(EBADF);
	filter::binding_ptr b = binding_of(*src->node);
	fuse_write_out out;
	if (!filtered_handle(*src, *b, FUSEBPF_OP_COPY_FILE_RANGE)) {
		if (!dst->has_backing())
			return req.reply_err(EOPNOTSUPP);
		if (int err = do_copy_file_range(s, *in, out))
			return req.reply_err(err);
		return req.reply(out);
	}
	auto ctx = make_ctx<fusebpf_copy_file_range_ctx>(req);
	ctx.in = *in;
	filter::user_io io;
	int err = run_filters(s, *src->node, *b, ctx, io, [&](fusebpf_copy_file_range_ctx &c) {
		if (!src->has_backing() || !dst->has_backing())
			return EOPNOTSUPP;
		fuse_copy_file_range_in r = c.in; // offsets, len, flags may be rewritten
		r.fh_in = in->fh_in;              // daemon-owned
		r.fh_out = in->fh_out;
		r.nodeid_out = in->nodeid_out;
		return do_copy_file_range(s, r, c.out);
	});
	if (err)
		return req.reply_err(err);
	req.reply(ctx.out);
}

} // namespace fusebpf::daemon
