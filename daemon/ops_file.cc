// SPDX-License-Identifier: GPL-2.0-or-later
//
// Open files: OPEN, CREATE, READ, WRITE, FLUSH, RELEASE, FSYNC.
//
// Every open gets a real backing fd (opened as the caller, so the permission
// check is the backing fs's) kept in session::files() under the fh. With
// passthrough the kernel then does read/write/mmap on that fd itself and
// READ/WRITE never arrive here; without it (--no-passthrough, or a file the
// kernel refuses) READ/WRITE are served with pread/pwrite. Buffers are
// page-aligned, so backing files opened O_DIRECT work on that path too.
//
// Set-user-ID bits: INIT agrees FUSE_HANDLE_KILLPRIV_V2 (so the kernel need
// not ask for security.capability before every write). The backing write
// runs as the caller, and the backing fs clears S_ISUID/S_ISGID itself
// exactly when it would natively (no CAP_FSETID); FUSE_WRITE_KILL_SUIDGID
// and FUSE_OPEN_KILL_SUIDGID are set by the kernel in just those cases.
#include "daemon/backing.h"
#include "daemon/backing_ops.h"
#include "daemon/caller_creds.h"
#include "daemon/daemon_limits.h"
#include "daemon/node_filters.h"
#include "daemon/ops.h"
#include "daemon/passthrough.h"
#include "daemon/session.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

namespace fusebpf::daemon {
namespace {

constexpr size_t page_size = 4096;

struct free_deleter {
	void operator()(void *p) const { std::free(p); }
};

// A per-thread page-aligned buffer, grown on demand.
std::span<std::byte> thread_buffer(size_t size, int which)
{
	thread_local std::unique_ptr<std::byte, free_deleter> bufs[2];
	thread_local size_t sizes[2] = {0, 0};
	size = (std::max<size_t>(size, page_size) + page_size - 1) & ~(page_size - 1);
	if (sizes[which] < size) {
		bufs[which].reset(static_cast<std::byte *>(std::aligned_alloc(page_size, size)));
		sizes[which] = bufs[which] ? size : 0;
		if (!bufs[which])
			return {};
	}
	return {bufs[which].get(), size};
}

// Registers an open backing fd: fh, passthrough setup, open reply flags.
void finish_open(session &s, inode_ptr node, unique_fd fd, int flags, fuse_open_out &out)
{
	auto f = std::make_shared<open_file>(std::move(node), std::move(fd), flags);
	out = {};
	passthrough_open(s, *f, out);
	out.fh = s.files().insert(std::move(f));
}

} // namespace

std::span<std::byte> read_buffer(size_t size)
{
	return thread_buffer(size, 0);
}

int do_open(session &s, const inode_ptr &node, const fuse_open_in &in, fuse_open_out &out)
{
	if (node->is_dir())
		return EISDIR;
	unique_fd fd;
	if (int err = reopen_inode(s, *node, static_cast<int>(in.flags), fd))
		return err;
	finish_open(s, node, std::move(fd), static_cast<int>(in.flags), out);
	return 0;
}

void op_open(request &req)
{
	const auto *in = req.args().get<fuse_open_in>();
	if (!in)
		return req.reply_err(EINVAL);
	inode_ptr node = req.node();
	if (!node)
		return req.reply_err(ESTALE);
	fuse_open_out out;
	if (int err = do_open(req.sess(), node, *in, out))
		return req.reply_err(err);
	req.reply(out);
}

int do_create(session &s, inode &parent, const fuse_create_in &in, std::string_view name,
              fuse_entry_out &entry, fuse_open_out &open_out)
{
	if (!parent.is_dir())
		return ENOTDIR;
	std::string n(name);
	// O_NOFOLLOW: never create through (or open) a symlink someone placed
	// in the backing tree under this name.
	int flags = static_cast<int>(in.flags) | O_CREAT | O_NOFOLLOW | O_CLOEXEC;
	int fd;
	{
		std::optional<umask_scope> um;
		if (s.conn().has(FUSE_DONT_MASK))
			um.emplace(in.umask);
		fd = openat(parent.fd.get(), n.c_str(), flags, in.mode & 07777);
	}
	if (fd < 0)
		return errno;
	unique_fd file(fd);
	// The node's O_PATH fd comes from the open file itself (through
	// /proc/self/fd), so it is the inode we created even if the name was
	// replaced meanwhile. Following the magic link is the point here
	// (O_NOFOLLOW would give the /proc link itself); it leads to the regular
	// file we just created.
	int opath = openat(s.proc_self_fd(), std::to_string(fd).c_str(), O_PATH | O_CLOEXEC);
	if (opath < 0)
		return errno;
	unique_fd opath_fd(opath);
	struct stat st;
	if (fstat(fd, &st) < 0)
		return errno;
	inode_ptr node = s.inodes().add_lookup(std::move(opath_fd), st);
	place_node(s, parent, *node, name);
	fill_entry(s, *node, st, entry);
	finish_open(s, std::move(node), std::move(file), static_cast<int>(in.flags), open_out);
	return 0;
}

void op_create(request &req)
{
	const auto *in = req.args().get<fuse_create_in>();
	if (!in)
		return req.reply_err(EINVAL);
	std::string_view name;
	if (int err = req.args().name(name))
		return req.reply_err(err);
	inode_ptr parent = req.node();
	if (!parent)
		return req.reply_err(ESTALE);
	fuse_entry_out entry;
	fuse_open_out open_out;
	if (int err = do_create(req.sess(), *parent, *in, name, entry, open_out))
		return req.reply_err(err);
	struct iovec iov[2] = {{&entry, sizeof(entry)}, {&open_out, sizeof(open_out)}};
	req.reply_iov(iov);
}

int do_read(session &s, const fuse_read_in &in, std::span<std::byte> buf, size_t &n)
{
	open_file_ptr f = s.files().get(in.fh);
	if (!f)
		return EBADF;
	size_t size = std::min<size_t>(in.size, buf.size());
	ssize_t got = pread(f->fd.get(), buf.data(), size, static_cast<off_t>(in.offset));
	if (got < 0)
		return errno;
	n = static_cast<size_t>(got);
	return 0;
}

void op_read(request &req)
{
	const auto *in = req.args().get<fuse_read_in>();
	if (!in)
		return req.reply_err(EINVAL);
	std::span<std::byte> buf = read_buffer(std::min<size_t>(in->size, max_write));
	if (buf.empty())
		return req.reply_err(ENOMEM);
	size_t n = 0;
	if (int err = do_read(req.sess(), *in, buf, n))
		return req.reply_err(err);
	req.reply_bytes(buf.data(), n);
}

int do_write(session &s, const fuse_write_in &in, std::span<const std::byte> data,
             fuse_write_out &out)
{
	open_file_ptr f = s.files().get(in.fh);
	if (!f)
		return EBADF;
	const std::byte *p = data.data();
	// O_DIRECT needs an aligned buffer; the payload sits after the headers.
	if ((f->flags & O_DIRECT) && reinterpret_cast<uintptr_t>(p) % page_size) {
		std::span<std::byte> aligned = thread_buffer(data.size(), 1);
		if (aligned.empty())
			return ENOMEM;
		std::memcpy(aligned.data(), data.data(), data.size());
		p = aligned.data();
	}
	ssize_t n = pwrite(f->fd.get(), p, data.size(), static_cast<off_t>(in.offset));
	if (n < 0)
		return errno;
	out = {};
	out.size = static_cast<uint32_t>(n);
	return 0;
}

void op_write(request &req)
{
	const auto *in = req.args().get<fuse_write_in>();
	if (!in)
		return req.reply_err(EINVAL);
	std::span<const std::byte> data;
	if (!req.args().bytes(in->size, data))
		return req.reply_err(EINVAL);
	fuse_write_out out;
	if (int err = do_write(req.sess(), *in, data, out))
		return req.reply_err(err);
	req.reply(out);
}

int do_flush(session &s, const fuse_flush_in &in)
{
	open_file_ptr f = s.files().get(in.fh);
	if (!f)
		return EBADF;
	// close() of a duplicate reports the backing fs's deferred write errors
	// (NFS and friends) the way close(2) of the caller's fd would.
	int dup_fd = dup(f->fd.get());
	if (dup_fd < 0)
		return errno;
	if (close(dup_fd) < 0 && errno != EINTR)
		return errno;
	return 0;
}

void op_flush(request &req)
{
	const auto *in = req.args().get<fuse_flush_in>();
	if (!in)
		return req.reply_err(EINVAL);
	open_file_ptr f = req.sess().files().get(in->fh);
	if (!f)
		return req.reply_err(EBADF);
	locks_on_flush(req, *f, in->lock_owner);
	if (int err = do_flush(req.sess(), *in))
		return req.reply_err(err);
	req.reply_ok();
}

int do_release(session &s, const fuse_release_in &in)
{
	open_file_ptr f = s.files().erase(in.fh);
	if (!f)
		return EBADF;
	passthrough_release(s, *f);
	// f's backing fd closes here or when the last handler using it is done.
	return 0;
}

void op_release(request &req)
{
	const auto *in = req.args().get<fuse_release_in>();
	if (!in)
		return req.reply_err(EINVAL);
	if (open_file_ptr f = req.sess().files().get(in->fh))
		locks_on_release(req, *f, in->release_flags, in->lock_owner);
	if (int err = do_release(req.sess(), *in))
		return req.reply_err(err);
	req.reply_ok();
}

int do_fsync(session &s, const fuse_fsync_in &in)
{
	open_file_ptr f = s.files().get(in.fh);
	if (!f)
		return EBADF;
	int rc =
	    (in.fsync_flags & FUSE_FSYNC_FDATASYNC) ? fdatasync(f->fd.get()) : fsync(f->fd.get());
	return rc < 0 ? errno : 0;
}

void op_fsync(request &req)
{
	const auto *in = req.args().get<fuse_fsync_in>();
	if (!in)
		return req.reply_err(EINVAL);
	if (int err = do_fsync(req.sess(), *in))
		return req.reply_err(err);
	req.reply_ok();
}

} // namespace fusebpf::daemon
