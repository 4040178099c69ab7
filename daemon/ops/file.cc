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
// Filters (docs/filters.md §6): each op goes through the filter engine when
// its node's binding wants it or the node is virtual (node_filters.h
// filtered()); otherwise it is the plain backing op below, unchanged. The
// daemon owns fh and backing_id (from the request / its own open), never a
// filter. Files whose binding filters_data() are opened on the classic data
// path (passthrough.h), so their READ/WRITE reach the filters. Handles with
// no backing fd (virtual nodes, opens a user handler answered: open_files.h)
// always go through the engine, never a do_<op>() fast path. RELEASE and
// FLUSH of a virtual node succeed when the handler declines them; a release
// always happens, whatever a filter says (the kernel ignores its error).
//
// Set-user-ID bits: INIT agrees FUSE_HANDLE_KILLPRIV_V2 (so the kernel need
// not ask for security.capability before every write). The backing write
// runs as the caller, and for a caller with fsuid != 0 the backing fs clears
// S_ISUID/S_ISGID itself exactly when it would natively (no CAP_FSETID).
// The kernel sets FUSE_WRITE_KILL_SUIDGID and FUSE_OPEN_KILL_SUIDGID (an
// O_TRUNC open) when the caller lacks CAP_FSETID; for a root caller without
// it (the worker thread has it) kill_suidgid() clears the bits. Files with
// such bits take the classic data path, so every write is seen here
// (passthrough.h, classic_reason::set_id). File capabilities
// (security.capability) are dropped by the kernel's own REMOVEXATTR before
// a write or fallocate (ops/xattr.cc).
//
// Exec: an execve() of a file on the mount opens it with __FMODE_EXEC in
// the OPEN flags; open_for_exec() serves it (execute permission, not read).
#include "daemon/backing/backing.h"
#include "daemon/ops/backing_ops.h"
#include "daemon/fuse/caller_creds.h"
#include "daemon/fuse/limits.h"
#include "daemon/policy/handle_filters.h"
#include "daemon/policy/name_guard.h"
#include "daemon/policy/node_filters.h"
#include "daemon/ops/handle_ops.h"
#include "daemon/ops/ops.h"
#include "daemon/backing/passthrough.h"
#include "daemon/session.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>

#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
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

// __FMODE_EXEC (include/linux/fs.h): in the OPEN flags of an execve().
constexpr int fmode_exec = 0x20;

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

// True for a mode whose set-ID bits a write may clear (S_ISUID; S_ISGID
// with group execute, or for a writer outside the file's group: the VFS's
// setattr_should_drop_sgid()).
bool has_killable_id_bits(mode_t mode)
{
	return (mode & (S_ISUID | S_ISGID)) != 0;
}

// Registers an open backing fd: fh, data path (passthrough unless the
// node's binding filters data or the file has set-ID bits, passthrough.h),
// open reply flags.
void finish_open(session &s, inode_ptr node, unique_fd fd, int flags, fuse_open_out &out)
{
	classic_reason why = classic_reason::none;
	struct stat st;
	if (binding_of(*node)->filters_data())
		why = classic_reason::filtered;
	else if (node->is_reg() && fstat(fd.get(), &st) == 0 && has_killable_id_bits(st.st_mode))
		why = classic_reason::set_id;
	auto f = std::make_shared<open_file>(std::move(node), std::move(fd), flags);
	out = {};
	passthrough_open(s, *f, out, why);
	out.fh = s.files().insert(std::move(f));
}

// Registers an open a user filter answered (a virtual node, or a handler's
// handle_open()/handle_create() on a backed node): no backing fd, classic
// path, the handler's open_flags except FOPEN_PASSTHROUGH.
void finish_handler_open(session &s, inode_ptr node, int flags, fuse_open_out &out)
{
	uint32_t open_flags = out.open_flags & ~uint32_t{FOPEN_PASSTHROUGH};
	out = {};
	out.open_flags = open_flags;
	out.fh = s.files().insert(std::make_shared<open_file>(std::move(node), unique_fd(), flags));
}

// The reply of a filtered OPEN/CREATE: the filters' open_flags with the
// daemon's fh, backing_id and passthrough bit (`real`: what the daemon's
// own open replied).
void restore_open_ids(fuse_open_out &out, const fuse_open_out &real)
{
	out.fh = real.fh;
	out.backing_id = real.backing_id;
	out.open_flags =
	    (out.open_flags & ~uint32_t{FOPEN_PASSTHROUGH}) | (real.open_flags & FOPEN_PASSTHROUGH);
}

// Gives back an fh the daemon opened for an op whose final result is an
// error (a postfilter failed the open or create).
void drop_open(session &s, uint64_t fh)
{
	fuse_release_in r{};
	r.fh = fh;
	(void)do_release(s, r);
}

// The daemon's own credentials for one scope inside a request handler
// (which runs as the caller, caller_creds.h): fsuid/fsgid 0, which also
// gives the thread back its file-system capabilities; the caller's are
// restored at the end. Supplementary groups are left alone (root needs none).
class daemon_creds_scope {
public:
	daemon_creds_scope()
	    : uid_(static_cast<uid_t>(syscall(SYS_setfsuid, 0))),
	      gid_(static_cast<gid_t>(syscall(SYS_setfsgid, 0)))
	{}
	~daemon_creds_scope()
	{
		syscall(SYS_setfsgid, gid_);
		syscall(SYS_setfsuid, uid_);
	}
	daemon_creds_scope(const daemon_creds_scope &) = delete;
	daemon_creds_scope &operator=(const daemon_creds_scope &) = delete;

private:
	uid_t uid_;
	gid_t gid_;
};

// The open execve() makes (exec.c do_open_execat: O_RDONLY | __FMODE_EXEC,
// access MAY_EXEC only). Natively running a program needs execute, not
// read, permission, so a caller may run a 0711 file it cannot read. The
// caller's execute permission is checked by the backing fs (faccessat2
// X_OK as the caller, whether or not the mount has default_permissions:
// without it the kernel only checks that some x bit is set), a backing
// mount with noexec refuses as natively, and the file is then opened with
// the daemon's credentials. Only the kernel sends __FMODE_EXEC: open(2)
// drops it (it is not in VALID_OPEN_FLAGS).
int open_for_exec(const session &s, const inode &node, int flags, unique_fd &out)
{
	if (!node.is_reg())
		return EACCES;
	pinned_fd fd = node.pin();
	if (!fd)
		return fd.error();
	if (syscall(SYS_faccessat2, fd.get(), "", X_OK, AT_EACCESS | AT_EMPTY_PATH) < 0)
		return errno;
	struct statvfs vfs;
	if (fstatvfs(fd.get(), &vfs) < 0)
		return errno;
	if (vfs.f_flag & ST_NOEXEC)
		return EACCES;
	daemon_creds_scope as_daemon;
	return reopen_inode(s, node, flags, out);
}

ssize_t read_backing(const open_file &f, std::span<std::byte> buf, size_t size, uint64_t offset)
{
	return pread(f.fd.get(), buf.data(), std::min(size, buf.size()),
	             static_cast<off_t>(offset));
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
	int flags = static_cast<int>(in.flags);
	if ((flags & fmode_exec) && (flags & O_ACCMODE) == O_RDONLY) {
		flags &= ~fmode_exec;
		if (int err = open_for_exec(s, *node, flags, fd))
			return err;
	} else if (int err = reopen_inode(s, *node, flags & ~fmode_exec, fd)) {
		return err;
	}
	if (in.open_flags & FUSE_OPEN_KILL_SUIDGID)
		if (int err = kill_suidgid(*node))
			return err;
	finish_open(s, node, std::move(fd), flags & ~fmode_exec, out);
	return 0;
}

namespace {

// The backing create: open(O_CREAT | extra_flags) of name in parent, the
// node and the open file registered.
int create_backing(session &s, inode &parent, const fuse_create_in &in, std::string_view name,
                   int extra_flags, fuse_entry_out &entry, fuse_open_out &open_out)
{
	if (!parent.is_dir())
		return ENOTDIR;
	std::string n(name);
	// O_NOFOLLOW: never create through (or open) a symlink someone placed
	// in the backing tree under this name.
	int flags = static_cast<int>(in.flags) | extra_flags | O_CREAT | O_NOFOLLOW | O_CLOEXEC;
	int fd;
	{
		std::optional<umask_scope> um;
		if (s.conn().has(FUSE_DONT_MASK))
			um.emplace(in.umask);
		pinned_fd parent_fd = parent.pin();
		if (!parent_fd)
			return parent_fd.error();
		fd = openat(parent_fd.get(), n.c_str(), flags, in.mode & 07777);
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
	node->set_kernel_name(parent.nodeid, name);
	// The binding decides the new file's data path (finish_open()), so
	// the node gets its binding point now, before the open is registered.
	give_point(s, parent, *node);
	fill_entry(s, *node, st, entry);
	finish_open(s, std::move(node), std::move(file), static_cast<int>(in.flags), open_out);
	return 0;
}

} // namespace

int do_create(session &s, const fuse_in_header &caller, inode &parent, const fuse_create_in &in,
              std::string_view name, fuse_entry_out &entry, fuse_open_out &open_out)
{
	if ((in.flags & O_EXCL) || !guards_names(parent))
		return create_backing(s, parent, in, name, 0, entry, open_out);
	int err = create_backing(s, parent, in, name, O_EXCL, entry, open_out);
	if (err != EEXIST)
		return err;
	if (!lookup_shows(s, caller, parent, name))
		return EACCES; // a name the lookup filter does not show stays untouched
	return create_backing(s, parent, in, name, 0, entry, open_out);
}

int do_read(session &s, const fuse_read_in &in, std::span<std::byte> buf, size_t &n)
{
	open_file_ptr f = s.files().get(in.fh);
	if (!f)
		return EBADF;
	ssize_t got = read_backing(*f, buf, in.size, in.offset);
	if (got < 0)
		return errno;
	n = static_cast<size_t>(got);
	return 0;
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
	if (in.write_flags & FUSE_WRITE_KILL_SUIDGID)
		if (int err = kill_suidgid(*f->node))
			return err;
	out = {};
	out.size = static_cast<uint32_t>(n);
	return 0;
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

int do_release(session &s, const fuse_release_in &in)
{
	open_file_ptr f = s.files().erase(in.fh);
	if (!f)
		return EBADF;
	passthrough_release(s, *f);
	// f's backing fd closes here or when the last handler using it is done.
	return 0;
}

int do_fsync(session &s, const fuse_fsync_in &in)
{
	open_file_ptr f = s.files().get(in.fh);
	if (!f)
		return EBADF;
	return sync_fd(f->fd.get(), in.fsync_flags);
}

// ---- the op descriptors (op_path.h) ----

namespace {

class open_op : public on_node<fusebpf_open_ctx> {
public:
	int backing(op_env &env, context &c)
	{
		int e = do_open(env.s, node_, c.in, c.out);
		if (!e)
			opened_ = c.out;
		return -e;
	}

	void reply(op_env &env, int err, context &ctx)
	{
		if (err) {
			if (opened_.fh)
				drop_open(env.s, opened_.fh);
			return env.req.reply_err(err);
		}
		fuse_open_out out = ctx.out;
		if (opened_.fh)
			restore_open_ids(out, opened_);
		else // the user filter answered: a handle without backing fd
			finish_handler_open(env.s, node_, static_cast<int>(ctx.in.flags), out);
		env.req.reply(out);
	}

private:
	fuse_open_out opened_{}; // the daemon's own open, if the backing step ran
};

class create_op : public on_node<fusebpf_create_ctx> {
public:
	int decode(request &req, context &ctx) { return decode_named(req, ctx, name_); }

	int backing(op_env &env, context &c)
	{
		std::string_view n; // a prefilter may have renamed the new file
		if (int e = entry_name(c.name, name_, n, renamed_))
			return e;
		int e =
		    do_create(env.s, env.req.header(), *node_, c.in, n, c.out.entry, c.out.open);
		if (!e) {
			taken_ = c.out.entry.nodeid;
			opened_ = c.out.open;
		}
		return -e;
	}

	void reply(op_env &env, int err, context &ctx)
	{
		session &s = env.s;
		if (!err && !env.io.child.backing_path.empty()) {
			// The fh would be another inode's than the entry's.
			spdlog::warn("a create handler set backing path '{}' for '{}': refused",
			             env.io.child.backing_path, name_);
			err = -EIO;
		}
		err = finish_entry_op(env, *node_, name_, err, taken_, renamed_, ctx.out.entry);
		if (err) {
			if (opened_.fh)
				drop_open(s, opened_.fh);
			return env.req.reply_err(err);
		}
		fuse_open_out open_out = ctx.out.open;
		if (opened_.fh && taken_ == ctx.out.entry.nodeid) {
			restore_open_ids(open_out, opened_);
		} else {
			// A handler answered (a virtual node): its handle has no
			// backing fd.
			if (opened_.fh)
				drop_open(s, opened_.fh);
			inode_ptr node = s.inodes().get(ctx.out.entry.nodeid);
			if (!node) { // cannot happen: the reply's reference keeps it
				s.inodes().forget(ctx.out.entry.nodeid, 1);
				return env.req.reply_err(-ESTALE);
			}
			finish_handler_open(s, node, static_cast<int>(ctx.in.flags), open_out);
		}
		struct iovec iov[2] = {{&ctx.out.entry, sizeof(ctx.out.entry)},
		                       {&open_out, sizeof(open_out)}};
		env.req.reply_iov(iov);
	}

private:
	std::string_view name_; // the kernel's
	uint64_t taken_ = 0;    // the lookup reference the backing create took
	fuse_open_out opened_{};
	bool renamed_ = false;
};

class read_op : public on_file<fusebpf_read_ctx> {
public:
	int decode(request &req, context &ctx)
	{
		if (int e = on_open::decode(req, ctx))
			return e;
		want_ = std::min<size_t>(ctx.in.size, max_write);
		buf_ = read_buffer(want_);
		return buf_.empty() ? -ENOMEM : 0;
	}

	// Bytes of the buffer that hold this op's data, so that no filter's
	// out.size can send an earlier read's bytes: what the backing read
	// filled or, when a user filter may write the buffer, all of it,
	// zeroed first.
	void prepare(op_env &env, const context &)
	{
		env.io.data_out = buf_.first(want_);
		if (env.binding->user()) {
			std::memset(buf_.data(), 0, want_);
			filled_ = want_;
		}
	}

	// A prefilter may move the offset or shrink the size (never past the
	// kernel's buffer).
	int backing(op_env &, context &c)
	{
		ssize_t got = read_backing(*handle_, buf_.first(want_), c.in.size, c.in.offset);
		if (got < 0)
			return -errno;
		c.out.size = static_cast<uint32_t>(got);
		filled_ = std::max(filled_, static_cast<size_t>(got));
		return 0;
	}

	void reply(op_env &env, int err, context &ctx)
	{
		if (err)
			return env.req.reply_err(err);
		env.req.reply_bytes(buf_.data(), std::min<size_t>(ctx.out.size, filled_));
	}

private:
	std::span<std::byte> buf_;
	size_t want_ = 0;
	size_t filled_ = 0;
};

class write_op : public on_file<fusebpf_write_ctx> {
public:
	int decode(request &req, context &ctx)
	{
		if (int e = decode_fixed(req, ctx.in))
			return e;
		if (!req.args().bytes(ctx.in.size, data_))
			return -EINVAL;
		return decode_fh(req, ctx.in.fh);
	}

	void prepare(op_env &env, const context &) { env.io.data_in = data_; }

	// Offset and size may be rewritten; the data is the kernel's.
	int backing(op_env &env, context &c)
	{
		if (!handle_->has_backing())
			return -EBADF;
		return -do_write(env.s, owned(c.in),
		                 data_.first(std::min<size_t>(c.in.size, data_.size())), c.out);
	}

	void reply(op_env &env, int err, context &ctx) { reply_struct(env, err, ctx.out); }

private:
	std::span<const std::byte> data_;
};

class flush_op : public on_file<fusebpf_flush_ctx> {
public:
	// POSIX locks of the owner go with any close of the file, whatever the
	// filters say.
	void prepare(op_env &env, const context &ctx)
	{
		locks_on_flush(env.req, *handle_, ctx.in.lock_owner);
	}

	int backing(op_env &env, context &c)
	{
		if (!handle_->has_backing())
			return 0; // nothing to flush
		return -do_flush(env.s, owned(c.in));
	}

	void reply(op_env &env, int err, context &) { reply_status(env, err); }
};

// RELEASE: the owner's flock and the open file's lock carriers go first,
// whatever the filters say.
class release_op : public close_op<fusebpf_release_ctx, on_file<fusebpf_release_ctx>, do_release> {
public:
	void prepare(op_env &env, const context &)
	{
		locks_on_release(env.req, *handle_, kernel_in_.release_flags,
		                 kernel_in_.lock_owner);
	}
};

using fsync_op = sync_op<fusebpf_fsync_ctx, on_file<fusebpf_fsync_ctx>, do_fsync>;

} // namespace

const op_handler op_open = serve_op<open_op>;
const op_handler op_create = serve_op<create_op>;
const op_handler op_read = serve_op<read_op>;
const op_handler op_write = serve_op<write_op>;
const op_handler op_flush = serve_op<flush_op>;
const op_handler op_release = serve_op<release_op>;
const op_handler op_fsync = serve_op<fsync_op>;

} // namespace fusebpf::daemon
