// SPDX-License-Identifier: GPL-2.0-or-later
//
// Directories: OPENDIR, READDIR, READDIRPLUS, RELEASEDIR, FSYNCDIR.
//
// A directory handle is a real O_RDONLY|O_DIRECTORY fd (opened as the
// caller: needs read permission, like opendir(3)). READDIR seeks it to the
// kernel's offset and reads with getdents64, so each record's offset is the
// backing fs's own d_off cookie and a listing may be continued at any
// record, across as many requests as the kernel needs.
//
// READDIRPLUS looks every entry up (one kernel lookup reference each,
// inode_table.h) except "." and "..", which the kernel skips, so they carry
// nodeid 0. An entry the caller may not look up (no search permission) or
// that vanished meanwhile is still listed, with nodeid 0: the kernel then
// looks it up itself if someone asks, and gets the real error.
#include "daemon/backing.h"
#include "daemon/dirent_pack.h"
#include "daemon/ops.h"
#include "daemon/session.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <memory>

namespace fusebpf::daemon {
namespace {

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

bool is_dot_or_dotdot(std::string_view name)
{
	return name == "." || name == "..";
}

// Reads the directory from `offset` and packs records until the reply
// buffer is full or the directory ends. Returns 0 or an errno.
int fill_dir(request &req, open_dir &dir, uint64_t offset, bool plus, dirent_packer &out)
{
	std::lock_guard lock(dir.mutex);
	if (lseek(dir.fd.get(), static_cast<off_t>(offset), SEEK_SET) < 0)
		return errno;
	alignas(8) char buf[32 * 1024];
	for (;;) {
		long n = syscall(SYS_getdents64, dir.fd.get(), buf, sizeof(buf));
		if (n < 0)
			return out.used() ? 0 : errno;
		if (n == 0)
			return 0;
		for (long pos = 0; pos < n;) {
			const auto *d = reinterpret_cast<const linux_dirent64 *>(buf + pos);
			pos += d->d_reclen;
			std::string_view name(d->d_name);
			uint64_t next = static_cast<uint64_t>(d->d_off);
			if (!plus) {
				if (!out.add(name, d->d_ino, d->d_type, next))
					return 0;
				continue;
			}
			if (!out.fits_plus(name))
				return 0;
			fuse_entry_out e = {};
			if (is_dot_or_dotdot(name) || validate_name(name) ||
			    lookup_entry(req.sess(), *dir.node, name, e)) {
				e = {};
				e.attr.ino = d->d_ino;
				e.attr.mode = static_cast<uint32_t>(d->d_type) << 12;
			}
			out.add_plus(name, e, d->d_type, next);
		}
	}
}

void readdir_common(request &req, bool plus)
{
	const auto *in = req.args().get<fuse_read_in>();
	if (!in)
		return req.reply_err(EINVAL);
	open_dir_ptr dir = req.sess().dirs().get(in->fh);
	if (!dir)
		return req.reply_err(EBADF);
	size_t size = std::min<size_t>(in->size, 1u << 20);
	auto buf = std::make_unique<std::byte[]>(size);
	dirent_packer packer({buf.get(), size});
	if (int err = fill_dir(req, *dir, in->offset, plus, packer))
		return req.reply_err(err);
	req.reply_bytes(packer.data(), packer.used());
}

} // namespace

void op_opendir(request &req)
{
	const auto *in = req.args().get<fuse_open_in>();
	if (!in)
		return req.reply_err(EINVAL);
	inode_ptr node = req.node();
	if (!node)
		return req.reply_err(ESTALE);
	if (!node->is_dir())
		return req.reply_err(ENOTDIR);
	unique_fd fd;
	if (int err = reopen_inode(req.sess(), *node, O_RDONLY | O_DIRECTORY, fd))
		return req.reply_err(err);
	fuse_open_out out = {};
	out.fh =
	    req.sess().dirs().insert(std::make_shared<open_dir>(std::move(node), std::move(fd)));
	req.reply(out);
}

void op_readdir(request &req)
{
	readdir_common(req, false);
}

void op_readdirplus(request &req)
{
	readdir_common(req, true);
}

void op_releasedir(request &req)
{
	const auto *in = req.args().get<fuse_release_in>();
	if (!in)
		return req.reply_err(EINVAL);
	if (!req.sess().dirs().erase(in->fh))
		return req.reply_err(EBADF);
	req.reply_ok();
}

void op_fsyncdir(request &req)
{
	const auto *in = req.args().get<fuse_fsync_in>();
	if (!in)
		return req.reply_err(EINVAL);
	open_dir_ptr dir = req.sess().dirs().get(in->fh);
	if (!dir)
		return req.reply_err(EBADF);
	int rc = (in->fsync_flags & FUSE_FSYNC_FDATASYNC) ? fdatasync(dir->fd.get())
	                                                  : fsync(dir->fd.get());
	if (rc < 0)
		return req.reply_err(errno);
	req.reply_ok();
}

} // namespace fusebpf::daemon
