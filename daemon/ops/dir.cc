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
//
// Filters (docs/filters.md §6): OPENDIR, RELEASEDIR and FSYNCDIR go
// through the engine like the file ops (ops/file.cc). READDIR/READDIRPLUS
// run the prefilter once per request, then the backing entries go through
// the postfilter FUSEBPF_READDIR_BATCH at a time (filter/readdir_batches.h:
// drops, rewrites, entries a user postfilter adds). If a postfilter drops
// every entry the backing read returned, the read goes on after the last
// one (an empty reply would end the listing), so offsets stay right across
// requests: each kept entry carries its own backing cookie, and the kernel
// continues after the last entry it got, dropped ones included. In a
// directory whose binding filters LOOKUP, READDIRPLUS entries carry nodeid
// 0 (no lookups, no references): the kernel then instantiates nothing from
// the listing, and every name goes through the filtered LOOKUP, so a
// hidden or redirected name never gets a dentry from readdirplus. Virtual
// directories are listed by their user filter's handle_readdir() only.
#include "daemon/backing/backing.h"
#include "daemon/ops/backing_ops.h"
#include "daemon/fuse/dirent_pack.h"
#include "daemon/filter/readdir_batches.h"
#include "daemon/policy/handle_filters.h"
#include "daemon/policy/node_filters.h"
#include "daemon/ops/handle_ops.h"
#include "daemon/ops/ops.h"
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

// Reads entries from in.offset as many as fit in a reply of in.size bytes;
// with `lookups` (READDIRPLUS) looks each one up except "." and "..".
// With `plus` but no lookups, the entries carry nodeid 0.
int read_dir(session &s, open_dir &dir, const fuse_read_in &in, bool plus, bool lookups,
             std::vector<dir_entry> &out)
{
	out.clear();
	if (!dir.has_backing())
		return EBADF;
	size_t room = std::min<size_t>(in.size, 1u << 20);
	if (int err = read_entries(dir, in.offset, plus, room, out))
		return err;
	if (!plus)
		return 0;
	for (dir_entry &e : out) {
		// e.name is a std::string: NUL-terminated, as lookup_entry wants.
		if (!lookups || is_dot_or_dotdot(e.name) || validate_name(e.name) ||
		    lookup_entry(s, *dir.node, e.name, e.entry)) {
			e.entry = {};
			e.entry.attr.ino = e.ino;
			e.entry.attr.mode = e.type << 12;
		} else if (inode_ptr node = s.inodes().get(e.entry.nodeid)) {
			give_point(s, *dir.node, *node);
		}
	}
	return 0;
}

// Gives back the lookup reference of a READDIRPLUS entry that is not sent
// as it was looked up.
void release_entry(session &s, dir_entry &e)
{
	if (e.entry.nodeid)
		s.inodes().forget(e.entry.nodeid, 1);
	e.entry.nodeid = 0;
}

} // namespace

int do_readdir(session &s, const fuse_read_in &in, bool plus, std::vector<dir_entry> &out)
{
	open_dir_ptr dir = s.dirs().get(in.fh);
	if (!dir)
		return EBADF;
	return read_dir(s, *dir, in, plus, plus, out);
}

size_t pack_dir_entries(session &s, std::vector<dir_entry> &entries, bool plus,
                        std::span<std::byte> buf)
{
	// Stops at the first entry that does not fit: the kernel continues
	// after the last one it got, so a later (shorter) one must not go
	// before it.
	dirent_packer packer(buf);
	bool full = false;
	for (dir_entry &e : entries) {
		if (!full) {
			if (plus && e.entry.nodeid == 0) {
				e.entry.attr.ino = e.ino;
				e.entry.attr.mode = e.type << 12;
			}
			full = !(plus ? packer.add_plus(e.name, e.entry, e.type, e.next_off)
			              : packer.add(e.name, e.ino, e.type, e.next_off));
		}
		if (full && plus)
			release_entry(s, e);
	}
	return packer.used();
}

namespace {

// Packs entries into a reply of the kernel's size and sends it.
void reply_entries(request &req, const fuse_read_in &in, std::vector<dir_entry> &entries, bool plus)
{
	size_t size = std::min<size_t>(in.size, 1u << 20);
	auto buf = std::make_unique<std::byte[]>(size);
	size_t used = pack_dir_entries(req.sess(), entries, plus, {buf.get(), size});
	req.reply_bytes(buf.get(), used);
}

// The entries of a batch a user handler filled (a virtual directory, or a
// USER verdict answered by handle_readdir()): no lookups, nodeid 0.
std::vector<dir_entry> entries_of_batch(fusebpf_dirent_batch &batch)
{
	std::vector<dir_entry> out;
	uint32_t count = std::min<uint32_t>(batch.count, FUSEBPF_READDIR_BATCH);
	for (uint32_t i = 0; i < count; i++) {
		std::string_view name;
		if (!filter::dirent_kept(batch, i, name))
			continue;
		dir_entry e;
		e.name.assign(name);
		e.ino = batch.entries[i].ino;
		e.type = batch.entries[i].type;
		e.next_off = batch.entries[i].off;
		out.push_back(std::move(e));
	}
	return out;
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

int do_releasedir(session &s, const fuse_release_in &in)
{
	return s.dirs().erase(in.fh) ? 0 : EBADF;
}

int do_fsyncdir(session &s, const fuse_fsync_in &in)
{
	open_dir_ptr dir = s.dirs().get(in.fh);
	if (!dir)
		return EBADF;
	return sync_fd(dir->fd.get(), in.fsync_flags);
}

// ---- the op descriptors (op_path.h) ----

namespace {

class opendir_op : public on_node<fusebpf_opendir_ctx> {
public:
	int backing(op_env &env, context &c)
	{
		int e = do_opendir(env.s, node_, c.in, c.out);
		if (!e)
			opened_fh_ = c.out.fh;
		return -e;
	}

	// fh is the daemon's: its own open, or a handle without backing dir
	// for a virtual directory (or a handler's answer). Directories have no
	// passthrough.
	void reply(op_env &env, int err, context &ctx)
	{
		if (err) {
			if (opened_fh_)
				env.s.dirs().erase(opened_fh_);
			return env.req.reply_err(err);
		}
		fuse_open_out out = ctx.out;
		out.backing_id = 0;
		out.open_flags &= ~uint32_t{FOPEN_PASSTHROUGH};
		out.fh = opened_fh_
		             ? opened_fh_
		             : env.s.dirs().insert(std::make_shared<open_dir>(node_, unique_fd()));
		env.req.reply(out);
	}

private:
	uint64_t opened_fh_ = 0; // the daemon's own handle, if the backing step ran
};

using releasedir_op =
    close_op<fusebpf_releasedir_ctx, on_dir<fusebpf_releasedir_ctx>, do_releasedir>;
using fsyncdir_op = sync_op<fusebpf_fsyncdir_ctx, on_dir<fusebpf_fsyncdir_ctx>, do_fsyncdir>;

// READDIR and READDIRPLUS. The engine's two phases (filter/engine.h): the
// prefilter once per request, the backing read and the postfilter once per
// batch of entries; with no filter the same steps run without the engine.
// If a postfilter drops every entry the backing read returned, the read
// goes on after the last one (see the header comment).
template <bool Plus> class readdir_op : public on_dir<fusebpf_readdir_ctx> {
public:
	void serve(request &req, context &ctx)
	{
		session &s = req.sess();
		filter::binding_ptr b = binding_of(node());
		// Names of a directory whose lookups are filtered must reach LOOKUP.
		bool lookups = plus_ && !filtered(node(), *b, FUSEBPF_OP_LOOKUP);
		bool filters = engine(*b);
		const fuse_read_in kernel_in = ctx.in;
		filter::user_io io;
		std::vector<dir_entry> entries;
		if (filters && (node().is_virtual() || !handle_->has_backing())) {
			// Only the user filter can list it; one batch per request.
			int err = run_filters(s, node(), *b, ctx, io, [](context &) {
				return -EBADF; // a handle without backing dir whose handler
				               // declined
			});
			if (err)
				return req.reply_err(err);
			entries = entries_of_batch(ctx.out);
			return reply_entries(req, kernel_in, entries, plus_);
		}
		filter::pass p;
		if (filters) {
			p = s.filters().begin(*b, ctx, io);
			if (p.done()) {
				if (p.result)
					return req.reply_err(p.result);
				entries = entries_of_batch(ctx.out); // handle_readdir()
				return reply_entries(req, kernel_in, entries, plus_);
			}
		}
		// The prefilter's offset and size with the kernel's fh.
		fuse_read_in r = owned(ctx.in);
		for (;;) {
			int err = -read_dir(s, *handle_, r, plus_, lookups, entries);
			uint64_t last_off = entries.empty() ? 0 : entries.back().next_off;
			bool more = !entries.empty();
			if (filters)
				err = filter::filter_dir_entries(
				    s.filters(), p, ctx, io, err, entries, plus_,
				    [&](dir_entry &e) { release_entry(s, e); },
				    [&](dir_entry &e) { release_entry(s, e); });
			if (err)
				return req.reply_err(err);
			if (!entries.empty() || !more)
				break;
			r.offset = last_off;
		}
		reply_entries(req, kernel_in, entries, plus_);
	}

private:
	static constexpr bool plus_ = Plus;
};

template <bool Plus> void serve_readdir(request &req)
{
	readdir_op<Plus> op;
	auto ctx = make_ctx<fusebpf_readdir_ctx>(req);
	if (int err = op.decode(req, ctx))
		return req.reply_err(err);
	op.serve(req, ctx);
}

} // namespace

const op_handler op_opendir = serve_op<opendir_op>;

const op_handler op_readdir = serve_readdir<false>;
const op_handler op_readdirplus = serve_readdir<true>;
const op_handler op_releasedir = serve_op<releasedir_op>;
const op_handler op_fsyncdir = serve_op<fsyncdir_op>;

} // namespace fusebpf::daemon
