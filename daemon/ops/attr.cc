// SPDX-License-Identifier: GPL-2.0-or-later
//
// Attribute ops: getattr, setattr (chmod, chown, truncate, utimens), access,
// statfs.
//
// SETATTR carries any mix of changes in one request (fuse_setattr_in.valid);
// they are applied one backing syscall each, in the order libfuse's
// passthrough examples use (mode, owner, size, times), each on the node
// itself without following a symlink:
//   mode   fchmodat2(fd, "", AT_EMPTY_PATH|AT_SYMLINK_NOFOLLOW)
//   owner  fchownat(fd, "", uid|-1, gid|-1, AT_EMPTY_PATH|AT_SYMLINK_NOFOLLOW)
//   size   ftruncate() of the caller's open file when the kernel names one
//          (FATTR_FH: ftruncate(2), or open(O_TRUNC) without atomic
//          truncation), else truncate() of /proc/self/fd/N
//   times  utimensat(fd, "", AT_EMPTY_PATH|AT_SYMLINK_NOFOLLOW), with
//          UTIME_NOW for FATTR_*TIME_NOW and UTIME_OMIT for what is not set
// All run as the caller, so the backing fs makes the native checks: only the
// owner may chmod or set explicit times, "now" needs write access, chown
// needs CAP_CHOWN (root), truncate needs write access.
//
// suid/sgid kill: the kernel asks us to drop suid/sgid either with
// FATTR_KILL_SUIDGID (FUSE_HANDLE_KILLPRIV_V2) or, without it, as a mode
// change riding along with the size change of a truncate. Both happen
// natively in the backing fs when the truncate/chown runs as a caller with
// fsuid != 0 (it kills exactly when the VFS rules say so), so a mode change
// that only clears S_ISUID/S_ISGID next to a size change is left to the
// truncate instead of being run as a chmod the caller may not be allowed to
// do. A root caller without CAP_FSETID (the kernel still sets
// FATTR_KILL_SUIDGID) is served by a thread that has it: kill_suidgid()
// clears the bits then.
//
// Attribute timeout: 0 for a file with passthrough opens
// (passthrough_attr_valid(), passthrough.h).
//
// ACCESS and STATFS are single calls (faccessat2 with AT_EACCESS, so the
// check uses the caller's fsuid/fsgid/groups, not the daemon's real ids;
// fstatfs on the O_PATH fd). Neighbours: xattrs in ops/xattr.cc.
//
// Filters (node_filters.h, docs/filters.md §6): each op runs through the
// filter engine when the node's binding wants it, else it is the plain
// backing op below, unchanged. A setattr prefilter may change in.valid and
// the values (a mode rewrite reaches the backing chmod); in.fh stays the
// kernel's. On a virtual node only the user filter's handler answers.
//
// Limits: FATTR_CTIME and FATTR_LOCKOWNER are ignored (ctime follows every
// change by itself; mandatory locks do not exist any more). A setattr that
// fails half-way leaves the changes already made (natively, each change is
// its own syscall anyway).
#include "daemon/backing/backing.h"
#include "daemon/ops/backing_ops.h"
#include "daemon/policy/node_filters.h"
#include "daemon/ops/op_path.h"
#include "daemon/ops/ops.h"
#include "daemon/backing/passthrough.h"
#include "daemon/session.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <iterator>
#include <string>

namespace fusebpf::daemon {

namespace {

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452 // Linux 6.6, same number on every architecture
#endif

// chmod of the node itself. fchmodat2 is the only chmod that takes
// AT_EMPTY_PATH on an O_PATH fd and never follows a symlink (a symlink's
// mode cannot be changed on most file systems: EOPNOTSUPP, as natively).
// Whether the calling thread's fsgid or supplementary groups (the caller's,
// as caller_creds.h set them) hold gid. Raw syscalls: per thread.
bool thread_in_group(gid_t gid)
{
	if (static_cast<gid_t>(syscall(SYS_setfsgid, static_cast<gid_t>(-1))) == gid)
		return true;
	gid_t groups[256];
	long n = syscall(SYS_getgroups, std::size(groups), groups);
	return n > 0 && std::find(groups, groups + n, gid) != groups + n;
}

int chmod_node(const inode &node, mode_t mode)
{
	pinned_fd node_fd = node.pin();
	if (!node_fd)
		return node_fd.error();
	if (syscall(SYS_fchmodat2, node_fd.get(), "", mode, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) ==
	    0)
		return 0;
	if (errno != ENOSYS)
		return errno;
	// Kernels before 6.6: the magic link leads to the node; a symlink node
	// cannot be reached without following it, so refuse as lchmod does.
	if (node.is_symlink())
		return EOPNOTSUPP;
	std::string p = proc_fd_path(node_fd.get());
	return chmod(p.c_str(), mode) < 0 ? errno : 0;
}

int truncate_node(session &s, const inode &node, const fuse_setattr_in &in)
{
	if (in.size > static_cast<uint64_t>(INT64_MAX))
		return EFBIG;
	auto size = static_cast<off_t>(in.size);
	if (in.valid & FATTR_FH) {
		// fh may name an open directory (its fh is in another table);
		// only an open regular file is truncated through its fd.
		open_file_ptr f = s.files().get(in.fh);
		if (f && f->node.get() == &node)
			return ftruncate(f->fd.get(), size) < 0 ? errno : 0;
	}
	if (node.is_dir())
		return EISDIR;
	if (!node.is_reg())
		return EINVAL;
	pinned_fd node_fd = node.pin();
	if (!node_fd)
		return node_fd.error();
	std::string p = proc_fd_path(node_fd.get());
	return truncate(p.c_str(), size) < 0 ? errno : 0;
}

struct timespec wire_time(uint32_t valid, uint32_t set_bit, uint32_t now_bit, uint64_t sec,
                          uint32_t nsec)
{
	struct timespec ts = {};
	if (!(valid & set_bit)) {
		ts.tv_nsec = UTIME_OMIT;
	} else if (valid & now_bit) {
		ts.tv_nsec = UTIME_NOW;
	} else {
		ts.tv_sec = static_cast<time_t>(sec);
		ts.tv_nsec = nsec;
	}
	return ts;
}

int utimens_node(const inode &node, const fuse_setattr_in &in)
{
	struct timespec ts[2] = {
	    wire_time(in.valid, FATTR_ATIME, FATTR_ATIME_NOW, in.atime, in.atimensec),
	    wire_time(in.valid, FATTR_MTIME, FATTR_MTIME_NOW, in.mtime, in.mtimensec),
	};
	// Older kernels sent *_NOW without the matching FATTR_*TIME bit.
	if ((in.valid & FATTR_ATIME_NOW) && !(in.valid & FATTR_ATIME))
		ts[0].tv_nsec = UTIME_NOW;
	if ((in.valid & FATTR_MTIME_NOW) && !(in.valid & FATTR_MTIME))
		ts[1].tv_nsec = UTIME_NOW;
	pinned_fd node_fd = node.pin();
	if (!node_fd)
		return node_fd.error();
	if (utimensat(node_fd.get(), "", ts, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
		return errno;
	return 0;
}

// True if changing old_mode to new_mode only clears suid/sgid bits: what the
// kernel sends (without KILLPRIV_V2) to kill them on truncate.
bool only_kills_suid(mode_t old_mode, mode_t new_mode)
{
	const mode_t kill = S_ISUID | S_ISGID;
	old_mode &= 07777;
	new_mode &= 07777;
	return old_mode != new_mode && (old_mode & ~kill) == (new_mode & ~kill) &&
	       (new_mode & ~old_mode) == 0;
}

} // namespace

int do_getattr(session &s, inode &node, const fuse_getattr_in &, fuse_attr_out &out)
{
	// FUSE_GETATTR_FH names an open file; the node is the same inode, and
	// fstat of the O_PATH fd needs no permission, so the node is enough.
	struct stat st;
	if (int err = stat_node(node, st))
		return err;
	fill_attr_out(s, st, out);
	passthrough_attr_valid(node, out.attr_valid, out.attr_valid_nsec);
	return 0;
}

int do_setattr(session &s, inode &node, const fuse_setattr_in &in, fuse_attr_out &out)
{
	const uint32_t valid = in.valid;
	if (valid & FATTR_MODE) {
		bool kill_by_truncate = false;
		if (valid & FATTR_SIZE) {
			struct stat st;
			if (int err = stat_node(node, st))
				return err;
			kill_by_truncate = only_kills_suid(st.st_mode, in.mode);
		}
		if (!kill_by_truncate)
			if (int err = chmod_node(node, in.mode & 07777))
				return err;
	}
	if (valid & (FATTR_UID | FATTR_GID)) {
		uid_t uid = (valid & FATTR_UID) ? in.uid : static_cast<uid_t>(-1);
		gid_t gid = (valid & FATTR_GID) ? in.gid : static_cast<gid_t>(-1);
		pinned_fd node_fd = node.pin();
		if (!node_fd)
			return node_fd.error();
		if (fchownat(node_fd.get(), "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
			return errno;
	}
	if (valid & FATTR_SIZE)
		if (int err = truncate_node(s, node, in))
			return err;
	// Only for a truncate: the kernel sets FATTR_KILL_SUIDGID on every chown
	// (whatever the caller's CAP_FSETID), and the backing chown as the
	// caller already clears what the VFS's chown rules clear.
	if ((valid & FATTR_KILL_SUIDGID) && (valid & FATTR_SIZE))
		if (int err = kill_suidgid(node))
			return err;
	if (valid & (FATTR_ATIME | FATTR_MTIME | FATTR_ATIME_NOW | FATTR_MTIME_NOW))
		if (int err = utimens_node(node, in))
			return err;
	return do_getattr(s, node, fuse_getattr_in{}, out);
}

int kill_suidgid(const inode &node)
{
	// A caller with fsuid != 0 runs without CAP_FSETID, so its write,
	// truncate or open(O_TRUNC) made the backing fs clear the bits already.
	if (static_cast<uid_t>(syscall(SYS_setfsuid, static_cast<uid_t>(-1))) != 0)
		return 0;
	struct stat st;
	if (int err = stat_node(node, st))
		return err;
	// The VFS's setattr_should_drop_sgid(): S_ISGID goes with group
	// execute, or without it when the caller is not in the file's group.
	mode_t kill = S_ISUID;
	if ((st.st_mode & S_ISGID) && ((st.st_mode & S_IXGRP) || !thread_in_group(st.st_gid)))
		kill |= S_ISGID;
	if (!S_ISREG(st.st_mode) || !(st.st_mode & kill))
		return 0;
	return chmod_node(node, st.st_mode & 07777 & ~kill);
}

// mask: F_OK or any of R_OK/W_OK/X_OK. AT_EACCESS makes the check use the
// fsuid/fsgid the caller_creds scope set (plain access() would check the
// daemon's real uid, root).
int do_access(session &, inode &node, const fuse_access_in &in)
{
	int mask = static_cast<int>(in.mask) & (R_OK | W_OK | X_OK);
	pinned_fd node_fd = node.pin();
	if (!node_fd)
		return node_fd.error();
	if (faccessat(node_fd.get(), "", mask, AT_EACCESS | AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) <
	    0)
		return errno;
	return 0;
}

int do_statfs(session &, inode &node, fuse_statfs_out &out)
{
	struct statfs sf;
	pinned_fd node_fd = node.pin();
	if (!node_fd)
		return node_fd.error();
	if (fstatfs(node_fd.get(), &sf) < 0)
		return errno;
	out = {};
	out.st.blocks = sf.f_blocks;
	out.st.bfree = sf.f_bfree;
	out.st.bavail = sf.f_bavail;
	out.st.files = sf.f_files;
	out.st.ffree = sf.f_ffree;
	out.st.bsize = static_cast<uint32_t>(sf.f_bsize);
	out.st.namelen = static_cast<uint32_t>(sf.f_namelen);
	out.st.frsize = static_cast<uint32_t>(sf.f_frsize);
	return 0;
}

// ---- the op descriptors (op_path.h) ----

namespace {

// The op's input: GETATTR's may be empty (before 7.9 it had none).
int decode_attr_in(request &req, fuse_getattr_in &in)
{
	req.args().get_compat(in, 0);
	return 0;
}

int decode_attr_in(request &req, fuse_setattr_in &in)
{
	return decode_fixed(req, in);
}

// GETATTR and SETATTR: the node's attributes. A setattr prefilter may change
// in.valid and the values (a mode rewrite reaches the backing chmod); in.fh
// (FUSE_GETATTR_FH, FATTR_FH) stays the kernel's.
template <class Ctx, int (*Attr)(session &, inode &, const decltype(Ctx::in) &, fuse_attr_out &)>
class attr_op : public on_node<Ctx> {
public:
	int decode(request &req, Ctx &ctx)
	{
		if (int e = decode_attr_in(req, ctx.in))
			return e;
		fh_ = ctx.in.fh;
		return this->decode_node(req);
	}

	int backing(op_env &env, Ctx &c)
	{
		auto in = c.in;
		in.fh = fh_; // daemon-owned
		return -Attr(env.s, *this->node_, in, c.out);
	}

	void reply(op_env &env, int err, Ctx &ctx) { reply_struct(env, err, ctx.out); }

private:
	uint64_t fh_ = 0;
};

using getattr_op = attr_op<fusebpf_getattr_ctx, do_getattr>;
using setattr_op = attr_op<fusebpf_setattr_ctx, do_setattr>;

class access_op : public on_node<fusebpf_access_ctx> {
public:
	int backing(op_env &env, context &c) { return -do_access(env.s, *node_, c.in); }

	void reply(op_env &env, int err, context &) { reply_status(env, err); }
};

class statfs_op : public on_node<fusebpf_statfs_ctx> {
public:
	int backing(op_env &env, context &c) { return -do_statfs(env.s, *node_, c.out); }

	void reply(op_env &env, int err, context &ctx) { reply_struct(env, err, ctx.out); }
};

} // namespace

const op_handler op_getattr = serve_op<getattr_op>;
const op_handler op_setattr = serve_op<setattr_op>;
const op_handler op_access = serve_op<access_op>;
const op_handler op_statfs = serve_op<statfs_op>;

} // namespace fusebpf::daemon
