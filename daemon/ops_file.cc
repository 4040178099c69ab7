// SPDX-License-Identifier: GPL-2.0-or-later
//
// Open files: OPEN, CREATE, READ, WRITE, FLUSH, RELEASE, FSYNC.
//
// Every open gets a real backing fd (opened as the caller, so the permission
// check is the backing fs's) kept in session::files() under the fh. With
// passthrough the kernel then does read/write/mmap on that fd itself and
// READ/WRITE never arrive here; without it (--no-passthrough, or a file the
// kernel refuses) READ/WRITE are served with pread/pwrite.
#include "daemon/backing.h"
#include "daemon/caller_creds.h"
#include "daemon/daemon_limits.h"
#include "daemon/ops.h"
#include "daemon/passthrough.h"
#include "daemon/session.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>

namespace fusebpf::daemon {

// Registers an open backing fd: fh, passthrough setup, open reply flags.
static void finish_open(session &s, inode_ptr node, unique_fd fd, int flags, fuse_open_out &out)
{
	auto f = std::make_shared<open_file>(std::move(node), std::move(fd), flags);
	out = {};
	passthrough_open(s, *f, out);
	out.fh = s.files().insert(std::move(f));
}

static int do_open(request &req, fuse_open_out &out)
{
	const auto *in = req.args().get<fuse_open_in>();
	if (!in)
		return EINVAL;
	inode_ptr node = req.node();
	if (!node)
		return ESTALE;
	if (node->is_dir())
		return EISDIR;
	unique_fd fd;
	if (int err = reopen_inode(req.sess(), *node, static_cast<int>(in->flags), fd))
		return err;
	finish_open(req.sess(), std::move(node), std::move(fd), static_cast<int>(in->flags), out);
	return 0;
}

void op_open(request &req)
{
	fuse_open_out out;
	if (int err = do_open(req, out))
		return req.reply_err(err);
	req.reply(out);
}

static int do_create(request &req, fuse_entry_out &entry, fuse_open_out &open_out)
{
	const auto *in = req.args().get<fuse_create_in>();
	if (!in)
		return EINVAL;
	std::string_view name;
	if (int err = req.args().name(name))
		return err;
	inode_ptr parent = req.node();
	if (!parent)
		return ESTALE;
	if (!parent->is_dir())
		return ENOTDIR;
	session &s = req.sess();
	std::string n(name);
	// O_NOFOLLOW: never create through (or open) a symlink someone placed
	// in the backing tree under this name.
	int flags = static_cast<int>(in->flags) | O_CREAT | O_NOFOLLOW | O_CLOEXEC;
	int fd;
	{
		std::optional<umask_scope> um;
		if (s.conn().has(FUSE_DONT_MASK))
			um.emplace(in->umask);
		fd = openat(parent->fd.get(), n.c_str(), flags, in->mode & 07777);
	}
	if (fd < 0)
		return errno;
	unique_fd file(fd);
	// The node's O_PATH fd comes from the open file itself (through
	// /proc/self/fd), so it is the inode we created even if the name was
	// replaced meanwhile.
	// Following the magic link is the point here (O_NOFOLLOW would give the
	// /proc link itself); it leads to the regular file we just created.
	int opath = openat(s.proc_self_fd(), std::to_string(fd).c_str(), O_PATH | O_CLOEXEC);
	if (opath < 0)
		return errno;
	unique_fd opath_fd(opath);
	struct stat st;
	if (fstat(fd, &st) < 0)
		return errno;
	inode_ptr node = s.inodes().add_lookup(std::move(opath_fd), st);
	fill_entry(s, *node, st, entry);
	finish_open(s, std::move(node), std::move(file), static_cast<int>(in->flags), open_out);
	return 0;
}

void op_create(request &req)
{
	fuse_entry_out entry;
	fuse_open_out open_out;
	if (int err = do_create(req, entry, open_out))
		return req.reply_err(err);
	struct iovec iov[2] = {{&entry, sizeof(entry)}, {&open_out, sizeof(open_out)}};
	req.reply_iov(iov);
}

static open_file_ptr file_of(request &req, uint64_t fh)
{
	return req.sess().files().get(fh);
}

void op_read(request &req)
{
	const auto *in = req.args().get<fuse_read_in>();
	if (!in)
		return req.reply_err(EINVAL);
	open_file_ptr f = file_of(req, in->fh);
	if (!f)
		return req.reply_err(EBADF);
	// One buffer per worker thread, grown to the largest read seen.
	thread_local std::unique_ptr<char[]> buf;
	thread_local size_t buf_size = 0;
	size_t size = std::min<size_t>(in->size, max_write);
	if (buf_size < size) {
		buf = std::make_unique<char[]>(size);
		buf_size = size;
	}
	ssize_t n = pread(f->fd.get(), buf.get(), size, static_cast<off_t>(in->offset));
	if (n < 0)
		return req.reply_err(errno);
	req.reply_bytes(buf.get(), static_cast<size_t>(n));
}

void op_write(request &req)
{
	const auto *in = req.args().get<fuse_write_in>();
	if (!in)
		return req.reply_err(EINVAL);
	std::span<const std::byte> data;
	if (!req.args().bytes(in->size, data))
		return req.reply_err(EINVAL);
	open_file_ptr f = file_of(req, in->fh);
	if (!f)
		return req.reply_err(EBADF);
	ssize_t n = pwrite(f->fd.get(), data.data(), data.size(), static_cast<off_t>(in->offset));
	if (n < 0)
		return req.reply_err(errno);
	fuse_write_out out = {};
	out.size = static_cast<uint32_t>(n);
	req.reply(out);
}

void op_flush(request &req)
{
	const auto *in = req.args().get<fuse_flush_in>();
	if (!in)
		return req.reply_err(EINVAL);
	open_file_ptr f = file_of(req, in->fh);
	if (!f)
		return req.reply_err(EBADF);
	locks_on_flush(req, *f, in->lock_owner);
	// close() of a duplicate reports the backing fs's deferred write errors
	// (NFS and friends) the way close(2) of the caller's fd would.
	int dup_fd = dup(f->fd.get());
	if (dup_fd < 0)
		return req.reply_err(errno);
	if (close(dup_fd) < 0 && errno != EINTR)
		return req.reply_err(errno);
	req.reply_ok();
}

void op_release(request &req)
{
	const auto *in = req.args().get<fuse_release_in>();
	if (!in)
		return req.reply_err(EINVAL);
	open_file_ptr f = req.sess().files().erase(in->fh);
	if (!f)
		return req.reply_err(EBADF);
	locks_on_release(req, *f, in->release_flags, in->lock_owner);
	passthrough_release(req.sess(), *f);
	req.reply_ok();
	// f's backing fd closes here or when the last handler using it is done.
}

void op_fsync(request &req)
{
	const auto *in = req.args().get<fuse_fsync_in>();
	if (!in)
		return req.reply_err(EINVAL);
	open_file_ptr f = file_of(req, in->fh);
	if (!f)
		return req.reply_err(EBADF);
	int rc =
	    (in->fsync_flags & FUSE_FSYNC_FDATASYNC) ? fdatasync(f->fd.get()) : fsync(f->fd.get());
	if (rc < 0)
		return req.reply_err(errno);
	req.reply_ok();
}

} // namespace fusebpf::daemon
