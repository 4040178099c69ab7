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
#include "daemon/backing/backing_ops.h"
#include "daemon/backing/caller_creds.h"
#include "daemon/daemon_limits.h"
#include "daemon/policy/handle_filters.h"
#include "daemon/policy/name_guard.h"
#include "daemon/policy/node_filters.h"
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

void op_open(request &req)
{
	const auto *in = req.args().get<fuse_open_in>();
	if (!in)
		return req.reply_err(EINVAL);
	inode_ptr node = req.node();
	if (!node)
		return req.reply_err(ESTALE);
	session &s = req.sess();
	filter::binding_ptr b = binding_of(*node);
	fuse_open_out out;
	if (!filtered(*node, *b, FUSEBPF_OP_OPEN)) {
		if (int err = do_open(s, node, *in, out))
			return req.reply_err(err);
		return req.reply(out);
	}
	auto ctx = make_ctx<fusebpf_open_ctx>(req);
	ctx.in = *in;
	filter::user_io io;
	fuse_open_out real{}; // the daemon's own open, if the backing op ran
	int err = run_filters(s, *node, *b, ctx, io, [&](fusebpf_open_ctx &c) {
		int e = do_open(s, node, c.in, c.out);
		if (!e)
			real = c.out;
		return e;
	});
	if (err) {
		if (real.fh)
			drop_open(s, real.fh);
		return req.reply_err(err);
	}
	out = ctx.out;
	if (real.fh)
		restore_open_ids(out, real);
	else // the user filter answered: a handle without backing fd
		finish_handler_open(s, node, static_cast<int>(ctx.in.flags), out);
	req.reply(out);
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
	place_node(s, parent, *node, name);
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
	session &s = req.sess();
	filter::binding_ptr b = binding_of(*parent);
	if (!filtered(*parent, *b, FUSEBPF_OP_CREATE)) {
		fuse_entry_out entry;
		fuse_open_out open_out;
		if (int err = do_create(s, req.header(), *parent, *in, name, entry, open_out))
			return req.reply_err(err);
		struct iovec iov[2] = {{&entry, sizeof(entry)}, {&open_out, sizeof(open_out)}};
		return req.reply_iov(iov);
	}
	auto ctx = make_ctx<fusebpf_create_ctx>(req);
	ctx.in = *in;
	if (int err = filter::set_name(ctx.name, name))
		return req.reply_err(err);
	filter::user_io io;
	uint64_t taken = 0;   // the lookup reference the backing create took
	fuse_open_out real{}; // and its open
	int err = run_filters(s, *parent, *b, ctx, io, [&](fusebpf_create_ctx &c) {
		std::string_view n; // a prefilter may have renamed the new file
		if (int e = filter::name_of(c.name, n))
			return e;
		int e = do_create(s, req.header(), *parent, c.in, n, c.out.entry, c.out.open);
		if (!e) {
			taken = c.out.entry.nodeid;
			real = c.out.open;
		}
		return e;
	});
	if (!err && !io.child.backing_path.empty()) {
		// The fh would be another inode's than the entry's.
		spdlog::warn("a create handler set backing path '{}' for '{}': refused",
		             io.child.backing_path, name);
		err = -EIO;
	}
	err = finish_entry(s, *parent, name, err, taken, io, ctx.out.entry);
	if (err) {
		if (real.fh)
			drop_open(s, real.fh);
		return req.reply_err(err);
	}
	inode_ptr node = s.inodes().get(ctx.out.entry.nodeid);
	if (!node) { // cannot happen: the reply's reference keeps it
		s.inodes().forget(ctx.out.entry.nodeid, 1);
		if (real.fh)
			drop_open(s, real.fh);
		return req.reply_err(ESTALE);
	}
	fuse_open_out open_out = ctx.out.open;
	if (real.fh && taken == node->nodeid) {
		restore_open_ids(open_out, real);
		place_node(s, *parent, *node, name); // the kernel's name, not a rewritten one
	} else {
		// A handler answered (a virtual node): its handle has no backing fd.
		if (real.fh)
			drop_open(s, real.fh);
		finish_handler_open(s, node, static_cast<int>(ctx.in.flags), open_out);
	}
	struct iovec iov[2] = {{&ctx.out.entry, sizeof(ctx.out.entry)},
	                       {&open_out, sizeof(open_out)}};
	req.reply_iov(iov);
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

void op_read(request &req)
{
	const auto *in = req.args().get<fuse_read_in>();
	if (!in)
		return req.reply_err(EINVAL);
	session &s = req.sess();
	open_file_ptr f = s.files().get(in->fh);
	if (!f)
		return req.reply_err(EBADF);
	size_t want = std::min<size_t>(in->size, max_write);
	std::span<std::byte> buf = read_buffer(want);
	if (buf.empty())
		return req.reply_err(ENOMEM);
	filter::binding_ptr b = binding_of(*f->node);
	if (!filtered_handle(*f, *b, FUSEBPF_OP_READ)) {
		ssize_t got = read_backing(*f, buf, in->size, in->offset);
		if (got < 0)
			return req.reply_err(errno);
		return req.reply_bytes(buf.data(), static_cast<size_t>(got));
	}
	auto ctx = make_ctx<fusebpf_read_ctx>(req);
	ctx.in = *in;
	filter::user_io io;
	io.data_out = buf.first(want);
	// Bytes of buf that hold this op's data, so that no filter's out.size
	// can send an earlier read's bytes: what the backing read filled or,
	// when a user filter may write the buffer, all of it, zeroed first.
	size_t filled = 0;
	if (b->user()) {
		std::memset(buf.data(), 0, want);
		filled = want;
	}
	int err = run_filters(s, *f->node, *b, ctx, io, [&](fusebpf_read_ctx &c) {
		// fh is daemon-owned; a prefilter may move the offset or shrink
		// the size (never past the kernel's buffer).
		ssize_t got = read_backing(*f, buf.first(want), c.in.size, c.in.offset);
		if (got < 0)
			return errno;
		c.out.size = static_cast<uint32_t>(got);
		filled = std::max(filled, static_cast<size_t>(got));
		return 0;
	});
	if (err)
		return req.reply_err(err);
	req.reply_bytes(buf.data(), std::min<size_t>(ctx.out.size, filled));
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

void op_write(request &req)
{
	const auto *in = req.args().get<fuse_write_in>();
	if (!in)
		return req.reply_err(EINVAL);
	std::span<const std::byte> data;
	if (!req.args().bytes(in->size, data))
		return req.reply_err(EINVAL);
	session &s = req.sess();
	open_file_ptr f = s.files().get(in->fh);
	if (!f)
		return req.reply_err(EBADF);
	filter::binding_ptr b = binding_of(*f->node);
	fuse_write_out out;
	if (!filtered_handle(*f, *b, FUSEBPF_OP_WRITE)) {
		if (int err = do_write(s, *in, data, out))
			return req.reply_err(err);
		return req.reply(out);
	}
	auto ctx = make_ctx<fusebpf_write_ctx>(req);
	ctx.in = *in;
	filter::user_io io;
	io.data_in = data;
	int err = run_filters(s, *f->node, *b, ctx, io, [&](fusebpf_write_ctx &c) {
		if (!f->has_backing())
			return EBADF;
		fuse_write_in w = c.in;
		w.fh = in->fh; // daemon-owned; offset and size may be rewritten
		return do_write(s, w, data.first(std::min<size_t>(c.in.size, data.size())), c.out);
	});
	if (err)
		return req.reply_err(err);
	req.reply(ctx.out);
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
	session &s = req.sess();
	open_file_ptr f = s.files().get(in->fh);
	if (!f)
		return req.reply_err(EBADF);
	locks_on_flush(req, *f, in->lock_owner);
	filter::binding_ptr b = binding_of(*f->node);
	if (!filtered_handle(*f, *b, FUSEBPF_OP_FLUSH)) {
		if (int err = do_flush(s, *in))
			return req.reply_err(err);
		return req.reply_ok();
	}
	auto ctx = make_ctx<fusebpf_flush_ctx>(req);
	ctx.in = *in;
	filter::user_io io;
	int err = run_filters(s, *f->node, *b, ctx, io, [&](fusebpf_flush_ctx &c) {
		if (!f->has_backing())
			return 0; // nothing to flush
		fuse_flush_in r = c.in;
		r.fh = in->fh; // daemon-owned
		return do_flush(s, r);
	});
	req.reply_err(err);
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
	session &s = req.sess();
	open_file_ptr f = s.files().get(in->fh);
	if (!f)
		return req.reply_err(EBADF);
	locks_on_release(req, *f, in->release_flags, in->lock_owner);
	filter::binding_ptr b = binding_of(*f->node);
	if (!filtered_handle(*f, *b, FUSEBPF_OP_RELEASE)) {
		if (int err = do_release(s, *in))
			return req.reply_err(err);
		return req.reply_ok();
	}
	auto ctx = make_ctx<fusebpf_release_ctx>(req);
	ctx.in = *in;
	filter::user_io io;
	bool released = false;
	int err = run_filters(s, *f->node, *b, ctx, io, [&](fusebpf_release_ctx &) {
		released = true;
		return do_release(s, *in); // the kernel's fh, whatever a filter wrote
	});
	// A close cannot be refused: the filters' verdict is counted, the
	// handle goes anyway (virtual nodes, handlers that answered, errors).
	if (!released)
		(void)do_release(s, *in);
	req.reply_err(err);
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
	session &s = req.sess();
	open_file_ptr f = s.files().get(in->fh);
	if (!f)
		return req.reply_err(EBADF);
	filter::binding_ptr b = binding_of(*f->node);
	if (!filtered_handle(*f, *b, FUSEBPF_OP_FSYNC)) {
		if (int err = do_fsync(s, *in))
			return req.reply_err(err);
		return req.reply_ok();
	}
	auto ctx = make_ctx<fusebpf_fsync_ctx>(req);
	ctx.in = *in;
	filter::user_io io;
	int err = run_filters(s, *f->node, *b, ctx, io, [&](fusebpf_fsync_ctx &c) {
		if (!f->has_backing())
			return 0; // nothing to sync
		fuse_fsync_in r = c.in;
		r.fh = in->fh; // daemon-owned
		return do_fsync(s, r);
	});
	req.reply_err(err);
}

} // namespace fusebpf::daemon
