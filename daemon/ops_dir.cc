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
//
// Reading (do_readdir: backing entries, plus their lookups) is apart from
// packing (pack_dir_entries), so a postfilter can see and drop entries in
// between (backing_ops.h).
#include "daemon/backing.h"
#include "daemon/backing_ops.h"
#include "daemon/dirent_pack.h"
#include "daemon/ops.h"
#include "daemon/session.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

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

// Reads raw entries from `offset` until their records would fill `room`
// bytes of reply or the directory ends.
int read_entries(open_dir &dir, uint64_t offset, bool plus, size_t room,
                 std::vector<dir_entry> &out)
{
	std::lock_guard lock(dir.mutex);
	if (lseek(dir.fd.get(), static_cast<off_t>(offset), SEEK_SET) < 0)
		return errno;
	alignas(8) char buf[32 * 1024];
	size_t used = 0;
	for (;;) {
		long n = syscall(SYS_getdents64, dir.fd.get(), buf, sizeof(buf));
		if (n < 0)
			return out.empty() ? errno : 0;
		if (n == 0)
			return 0;
		for (long pos = 0; pos < n;) {
			const auto *d = reinterpret_cast<const linux_dirent64 *>(buf + pos);
			pos += d->d_reclen;
			std::string_view name(d->d_name);
			size_t size = plus ? direntplus_record_size(name.size())
			                   : dirent_record_size(name.size());
			if (used + size > room)
				return 0;
			used += size;
			dir_entry e;
			e.name = std::string(name);
			e.ino = d->d_ino;
			e.type = d->d_type;
			e.next_off = static_cast<uint64_t>(d->d_off);
			out.push_back(std::move(e));
		}
	}
}

} // namespace

int do_readdir(session &s, const fuse_read_in &in, bool plus, std::vector<dir_entry> &out)
{
	open_dir_ptr dir = s.dirs().get(in.fh);
	if (!dir)
		return EBADF;
	out.clear();
	size_t room = std::min<size_t>(in.size, 1u << 20);
	if (int err = read_entries(*dir, in.offset, plus, room, out))
		return err;
	if (!plus)
		return 0;
	for (dir_entry &e : out) {
		// e.name is a std::string: NUL-terminated, as lookup_entry wants.
		if (is_dot_or_dotdot(e.name) || validate_name(e.name) ||
		    lookup_entry(s, *dir->node, e.name, e.entry)) {
			e.entry = {};
			e.entry.attr.ino = e.ino;
			e.entry.attr.mode = e.type << 12;
		}
	}
	return 0;
}

size_t pack_dir_entries(session &s, std::vector<dir_entry> &entries, bool plus,
                        std::span<std::byte> buf)
{
	dirent_packer packer(buf);
	for (dir_entry &e : entries) {
		bool ok = plus ? packer.add_plus(e.name, e.entry, e.type, e.next_off)
		               : packer.add(e.name, e.ino, e.type, e.next_off);
		if (!ok && plus && e.entry.nodeid) {
			s.inodes().forget(e.entry.nodeid, 1);
			e.entry.nodeid = 0;
		}
	}
	return packer.used();
}

namespace {

void readdir_common(request &req, bool plus)
{
	const auto *in = req.args().get<fuse_read_in>();
	if (!in)
		return req.reply_err(EINVAL);
	std::vector<dir_entry> entries;
	if (int err = do_readdir(req.sess(), *in, plus, entries))
		return req.reply_err(err);
	size_t size = std::min<size_t>(in->size, 1u << 20);
	auto buf = std::make_unique<std::byte[]>(size);
	size_t used = pack_dir_entries(req.sess(), entries, plus, {buf.get(), size});
	req.reply_bytes(buf.get(), used);
}

} // namespace

int do_opendir(session &s, const inode_ptr &node, const fuse_open_in &, fuse_open_out &out)
{
	if (!node->is_dir())
		return ENOTDIR;
	unique_fd fd;
	if (int err = reopen_inode(s, *node, O_RDONLY | O_DIRECTORY, fd))
		return err;
	out = {};
	out.fh = s.dirs().insert(std::make_shared<open_dir>(node, std::move(fd)));
	return 0;
}

void op_opendir(request &req)
{
	const auto *in = req.args().get<fuse_open_in>();
	if (!in)
		return req.reply_err(EINVAL);
	inode_ptr node = req.node();
	if (!node)
		return req.reply_err(ESTALE);
	fuse_open_out out;
	if (int err = do_opendir(req.sess(), node, *in, out))
		return req.reply_err(err);
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

int do_releasedir(session &s, const fuse_release_in &in)
{
	return s.dirs().erase(in.fh) ? 0 : EBADF;
}

void op_releasedir(request &req)
{
	const auto *in = req.args().get<fuse_release_in>();
	if (!in)
		return req.reply_err(EINVAL);
	if (int err = do_releasedir(req.sess(), *in))
		return req.reply_err(err);
	req.reply_ok();
}

int do_fsyncdir(session &s, const fuse_fsync_in &in)
{
	open_dir_ptr dir = s.dirs().get(in.fh);
	if (!dir)
		return EBADF;
	int rc = (in.fsync_flags & FUSE_FSYNC_FDATASYNC) ? fdatasync(dir->fd.get())
	                                                 : fsync(dir->fd.get());
	return rc < 0 ? errno : 0;
}

void op_fsyncdir(request &req)
{
	const auto *in = req.args().get<fuse_fsync_in>();
	if (!in)
		return req.reply_err(EINVAL);
	if (int err = do_fsyncdir(req.sess(), *in))
		return req.reply_err(err);
	req.reply_ok();
}

} // namespace fusebpf::daemon
