// SPDX-License-Identifier: GPL-2.0-or-later
//
// Namespace ops: mknod, mkdir, symlink, link, unlink, rmdir, rename, rename2
// and readlink on the backing tree.
//
// Everything that changes a directory: each op is one *at() syscall relative
// to the parent node's O_PATH fd with a validated single-component name, run
// with the caller's credentials (the dispatcher's caller_creds scope), so
// ownership of what is created and every permission error (EACCES on a
// read-only dir, EPERM on a sticky dir, EXDEV, ENOTEMPTY, ...) come from the
// backing file system exactly as natively. Creates answer with
// lookup_entry(), which registers the new node; LINK answers with the node the
// kernel already knows (+1 lookup). Attribute and xattr changes live in
// ops/attr.cc / ops/xattr.cc; opening files in ops/file.cc.
//
// Shape: do_<op>(session, nodes, decoded wire input, names, wire output)
// returns 0 or a positive errno and never touches the request; op_<op>()
// decodes (op_args.h), then either calls it directly (the node's binding
// does not filter the op: exactly the unfiltered code) or runs it through
// the filter engine (node_filters.h, docs/filters.md §6): names come back
// through name_of() (a prefilter may have rewritten them), nodeids a
// prefilter put into `in` (link's oldnodeid, rename's newdir) are resolved
// through the inode table (ESTALE if unknown), creates end in finish_entry().
// RENAME, RENAME2 and LINK run the filters of both places they touch, the
// source's around the target directory's (node_filters.h
// run_target_filters()), and a rename onto a name in a directory whose
// binding filters LOOKUP goes through the name guard (name_guard.h), so a
// name a lookup filter hides is never replaced (docs/filters.md §7).
// Virtual nodes (a user filter's, no backing fd) never reach a do_<op>():
// ops on them go to the user handler, and a link to one or a rename into one
// from a backed directory fails with EXDEV, as across file systems.
//
// A rename keeps the daemon's picture of the tree: the moved node's
// recorded (parent, name) follows it, and a moved directory's binding point
// is re-parented, so its subtree inherits from its new parent (one fstatat
// of the new name after every successful rename, filtered or not).
//
// Limits: mknod of device nodes needs CAP_MKNOD, which the caller_creds
// scope keeps only for callers with fsuid 0, so a non-root caller gets EPERM
// as natively. RENAME_WHITEOUT is handed to the backing fs unchanged (file
// systems without whiteouts refuse it, with EINVAL). A hard link keeps the
// binding of the directory its inode was first looked up in for every op
// but LINK.
#include "daemon/backing/backing.h"
#include "daemon/backing/backing_ops.h"
#include "daemon/backing/caller_creds.h"
#include "daemon/policy/ctx_path.h"
#include "daemon/policy/name_guard.h"
#include "daemon/policy/node_filters.h"
#include "daemon/ops/op_args.h"
#include "daemon/ops/ops.h"
#include "daemon/session.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <string>
#include <string_view>

namespace fusebpf::daemon {

namespace {

// Names reach *at() calls as NUL-terminated strings. Decoded names are
// NUL-terminated views into the request buffer, but names rewritten by a
// filter need not be, so the do_*() functions copy.
std::string zstr(std::string_view s)
{
	return std::string(s);
}

// The caller's umask applies to creates when the kernel left it to us
// (FUSE_DONT_MASK); otherwise the kernel already applied it to `mode`.
// (umask_scope can be neither copied nor moved, hence the out parameter.)
void caller_umask(const session &s, uint32_t umask, std::optional<umask_scope> &um)
{
	if (s.conn().has(FUSE_DONT_MASK))
		um.emplace(static_cast<mode_t>(umask));
}

// A filtered create-like op (MKNOD, MKDIR, SYMLINK, LINK) on parent: the
// engine around backing(ctx) (0 or an errno; on success ctx.out.entry holds
// one lookup reference), then finish_entry() and the reply. `name` is the
// kernel's name: the node is recorded under it even when a prefilter made
// the backing entry another one, since the kernel caches it by that name.
// LINK passes its source (the linked node and its binding): the source's
// filters then run around parent's (run_target_filters()).
template <class Ctx, class Backing>
void filtered_entry(request &req, inode &parent, const filter::binding_ptr &b, Ctx &ctx,
                    std::string_view name, Backing &&backing, const inode *source = nullptr,
                    const filter::binding_ptr &source_binding = nullptr)
{
	session &s = req.sess();
	filter::user_io io;
	uint64_t taken = 0; // the reference the backing op took
	bool renamed = false;
	auto backing_op = [&](Ctx &c) {
		int e = backing(c, renamed);
		taken = e ? 0 : c.out.entry.nodeid;
		return e;
	};
	int err = source ? run_filters(s, *source, *source_binding, ctx, io,
	                               [&](Ctx &c) {
		                               return run_target_filters(s, parent, source_binding,
		                                                         c, io, backing_op);
	                               })
	                 : run_filters(s, parent, *b, ctx, io, backing_op);
	err = finish_entry(s, parent, name, err, taken, io, ctx.out.entry);
	if (!err && renamed && taken)
		if (inode_ptr node = s.inodes().get(ctx.out.entry.nodeid))
			place_node(s, parent, *node, name);
	reply_result(req, err, ctx.out.entry);
}

// The (possibly rewritten) name of a context; `renamed` tells whether it is
// not the kernel's any more.
int ctx_name(fusebpf_name &n, std::string_view kernel_name, std::string_view &out, bool &renamed)
{
	if (int e = filter::name_of(n, out))
		return e;
	renamed = out != kernel_name;
	return 0;
}

} // namespace

int do_mknod(session &s, inode &parent, const fuse_mknod_in &in, std::string_view name,
             fuse_entry_out &out)
{
	std::string n = zstr(name);
	{
		std::optional<umask_scope> um;
		caller_umask(s, in.umask, um);
		// mode keeps its S_IFMT bits: FIFO, socket, char/block device or a
		// regular file (mknod(2) of S_IFREG, used by old callers).
		pinned_fd parent_fd = parent.pin();
		if (!parent_fd)
			return parent_fd.error();
		if (mknodat(parent_fd.get(), n.c_str(), in.mode, in.rdev) < 0)
			return errno;
	}
	return lookup_entry(s, parent, n, out);
}

void op_mknod(request &req)
{
	const auto *in = fixed_arg<fuse_mknod_in>(req);
	std::string_view name;
	inode_ptr parent;
	if (!in || !name_arg(req, name) || !(parent = node_arg(req)))
		return;
	session &s = req.sess();
	filter::binding_ptr b = binding_of(*parent);
	if (!filtered(*parent, *b, FUSEBPF_OP_MKNOD)) {
		fuse_entry_out out;
		return reply_result(req, do_mknod(s, *parent, *in, name, out), out);
	}
	auto ctx = make_ctx<fusebpf_mknod_ctx>(req);
	if (!set_name_arg(req, ctx.name, name))
		return;
	ctx.in = *in;
	filtered_entry(req, *parent, b, ctx, name, [&](fusebpf_mknod_ctx &c, bool &renamed) {
		std::string_view n;
		if (int e = ctx_name(c.name, name, n, renamed))
			return e;
		return do_mknod(s, *parent, c.in, n, c.out.entry);
	});
}

int do_mkdir(session &s, inode &parent, const fuse_mkdir_in &in, std::string_view name,
             fuse_entry_out &out)
{
	std::string n = zstr(name);
	{
		std::optional<umask_scope> um;
		caller_umask(s, in.umask, um);
		pinned_fd parent_fd = parent.pin();
		if (!parent_fd)
			return parent_fd.error();
		if (mkdirat(parent_fd.get(), n.c_str(), in.mode & 07777) < 0)
			return errno;
	}
	return lookup_entry(s, parent, n, out);
}

void op_mkdir(request &req)
{
	const auto *in = fixed_arg<fuse_mkdir_in>(req);
	std::string_view name;
	inode_ptr parent;
	if (!in || !name_arg(req, name) || !(parent = node_arg(req)))
		return;
	session &s = req.sess();
	filter::binding_ptr b = binding_of(*parent);
	if (!filtered(*parent, *b, FUSEBPF_OP_MKDIR)) {
		fuse_entry_out out;
		return reply_result(req, do_mkdir(s, *parent, *in, name, out), out);
	}
	auto ctx = make_ctx<fusebpf_mkdir_ctx>(req);
	if (!set_name_arg(req, ctx.name, name))
		return;
	ctx.in = *in;
	filtered_entry(req, *parent, b, ctx, name, [&](fusebpf_mkdir_ctx &c, bool &renamed) {
		std::string_view n;
		if (int e = ctx_name(c.name, name, n, renamed))
			return e;
		return do_mkdir(s, *parent, c.in, n, c.out.entry);
	});
}

// target is stored verbatim: the daemon never resolves it (an absolute or
// "../.." target points wherever it points for whoever follows it later,
// just as in the backing dir).
int do_symlink(session &s, inode &parent, std::string_view name, std::string_view target,
               fuse_entry_out &out)
{
	std::string n = zstr(name);
	std::string t = zstr(target);
	if (t.empty() || t.find('\0') != std::string::npos)
		return t.empty() ? ENOENT : EINVAL;
	if (t.size() >= PATH_MAX)
		return ENAMETOOLONG;
	pinned_fd parent_fd = parent.pin();
	if (!parent_fd)
		return parent_fd.error();
	if (symlinkat(t.c_str(), parent_fd.get(), n.c_str()) < 0)
		return errno;
	return lookup_entry(s, parent, n, out);
}

void op_symlink(request &req)
{
	// Wire order: the new entry's name, then the link target.
	std::string_view name, target;
	if (!name_arg(req, name))
		return;
	if (!req.args().string(target))
		return req.reply_err(EINVAL);
	inode_ptr parent = node_arg(req);
	if (!parent)
		return;
	session &s = req.sess();
	filter::binding_ptr b = binding_of(*parent);
	if (!filtered(*parent, *b, FUSEBPF_OP_SYMLINK)) {
		fuse_entry_out out;
		return reply_result(req, do_symlink(s, *parent, name, target, out), out);
	}
	auto ctx = make_ctx<fusebpf_symlink_ctx>(req);
	if (!set_name_arg(req, ctx.name, name))
		return;
	if (int err = set_path(ctx.target, target))
		return req.reply_err(err);
	filtered_entry(req, *parent, b, ctx, name, [&](fusebpf_symlink_ctx &c, bool &renamed) {
		std::string_view n, t;
		if (int e = ctx_name(c.name, name, n, renamed))
			return e;
		if (int e = path_of(c.target, t))
			return e;
		return do_symlink(s, *parent, n, t, c.out.entry);
	});
}

// Hard link of the node itself (AT_EMPTY_PATH on its O_PATH fd, so no path
// is resolved and a symlink is linked, not its target). linkat(AT_EMPTY_PATH)
// needs CAP_DAC_READ_SEARCH, which the caller_creds scope leaves only to
// fsuid 0; other callers get ENOENT from it, so for them the link goes
// through /proc/self/fd/N with AT_SYMLINK_FOLLOW, which resolves the magic
// link to the node itself (for a symlink node too: the magic link is not
// followed further) and applies the native checks (protected_hardlinks).
int do_link(session &s, const inode_ptr &target, inode &newparent, std::string_view newname,
            fuse_entry_out &out)
{
	if (target->is_virtual())
		return EXDEV; // no backing inode to link (see the header comment)
	std::string n = zstr(newname);
	pinned_fd target_fd = target->pin();
	if (!target_fd)
		return target_fd.error();
	pinned_fd newparent_fd = newparent.pin();
	if (!newparent_fd)
		return newparent_fd.error();
	if (linkat(target_fd.get(), "", newparent_fd.get(), n.c_str(), AT_EMPTY_PATH) < 0) {
		if (errno != ENOENT)
			return errno;
		std::string p = proc_fd_path(target_fd.get());
		if (linkat(AT_FDCWD, p.c_str(), newparent_fd.get(), n.c_str(), AT_SYMLINK_FOLLOW) <
		    0)
			return errno;
	}
	return entry_for_node(s, target, out);
}

void op_link(request &req)
{
	const auto *in = fixed_arg<fuse_link_in>(req);
	std::string_view name;
	if (!in || !name_arg(req, name))
		return;
	session &s = req.sess();
	inode_ptr newparent = req.node();
	inode_ptr target = s.inodes().get(in->oldnodeid);
	if (!newparent || !target)
		return req.reply_err(ESTALE);
	// The linked node's binding is the source's, its new directory's the
	// target's: the source filters run around the target's (as for rename).
	filter::binding_ptr b = binding_of(*newparent);
	filter::binding_ptr source =
	    target->is_virtual() ? filter::binding::none() : binding_of(*target);
	bool source_filters =
	    !newparent->is_virtual() && source != b && source->wants(FUSEBPF_OP_LINK);
	if (!filtered(*newparent, *b, FUSEBPF_OP_LINK) && !source_filters) {
		fuse_entry_out out;
		return reply_result(req, do_link(s, target, *newparent, name, out), out);
	}
	auto ctx = make_ctx<fusebpf_link_ctx>(req);
	if (!set_name_arg(req, ctx.name, name))
		return;
	ctx.in = *in;
	auto backing = [&](fusebpf_link_ctx &c, bool &renamed) {
		std::string_view n;
		if (int e = ctx_name(c.name, name, n, renamed))
			return e;
		inode_ptr t =
		    c.in.oldnodeid == in->oldnodeid ? target : s.inodes().get(c.in.oldnodeid);
		if (!t)
			return ESTALE;
		return do_link(s, t, *newparent, n, c.out.entry);
	};
	if (!source_filters)
		return filtered_entry(req, *newparent, b, ctx, name, backing);
	filtered_entry(req, *newparent, b, ctx, name, backing, target.get(), source);
}

// The node stays in the table while the kernel holds lookup references (an
// open file keeps working after unlink, as natively); FORGET drops it.
int do_unlink(session &, inode &parent, std::string_view name)
{
	std::string n = zstr(name);
	pinned_fd parent_fd = parent.pin();
	if (!parent_fd)
		return parent_fd.error();
	if (unlinkat(parent_fd.get(), n.c_str(), 0) < 0)
		return errno;
	return 0;
}

// UNLINK and RMDIR: a name in parent, no outputs. Ctx is the op's context
// (its op number says which table slots run).
template <class Ctx>
void remove_entry(request &req, int (*remove)(session &, inode &, std::string_view))
{
	std::string_view name;
	inode_ptr parent;
	if (!name_arg(req, name) || !(parent = node_arg(req)))
		return;
	session &s = req.sess();
	filter::binding_ptr b = binding_of(*parent);
	if (!filtered(*parent, *b, filter::op_of<Ctx>))
		return req.reply_err(remove(s, *parent, name));
	auto ctx = make_ctx<Ctx>(req);
	if (!set_name_arg(req, ctx.name, name))
		return;
	filter::user_io io;
	req.reply_err(run_filters(s, *parent, *b, ctx, io, [&](Ctx &c) {
		std::string_view n;
		if (int e = filter::name_of(c.name, n))
			return e;
		return remove(s, *parent, n);
	}));
}

void op_unlink(request &req)
{
	remove_entry<fusebpf_unlink_ctx>(req, do_unlink);
}

int do_rmdir(session &, inode &parent, std::string_view name)
{
	std::string n = zstr(name);
	pinned_fd parent_fd = parent.pin();
	if (!parent_fd)
		return parent_fd.error();
	if (unlinkat(parent_fd.get(), n.c_str(), AT_REMOVEDIR) < 0)
		return errno;
	return 0;
}

void op_rmdir(request &req)
{
	remove_entry<fusebpf_rmdir_ctx>(req, do_rmdir);
}

// flags: 0, RENAME_NOREPLACE, RENAME_EXCHANGE or RENAME_WHITEOUT, passed to
// renameat2() as they came (the backing fs refuses what it cannot do, as
// natively: EINVAL for an unknown combination).
int do_rename(session &, inode &olddir, std::string_view oldname, inode &newdir,
              std::string_view newname, uint32_t flags)
{
	std::string o = zstr(oldname);
	std::string n = zstr(newname);
	pinned_fd olddir_fd = olddir.pin();
	if (!olddir_fd)
		return olddir_fd.error();
	pinned_fd newdir_fd = newdir.pin();
	if (!newdir_fd)
		return newdir_fd.error();
	if (renameat2(olddir_fd.get(), o.c_str(), newdir_fd.get(), n.c_str(), flags) < 0)
		return errno;
	return 0;
}

namespace {

// The node now at dir/name, after a rename moved it there: its recorded
// (parent, name) follows it, and a directory's own binding point gets dir's
// point as its parent. A node the kernel does not hold is placed at its
// next lookup; one that raced away is left alone.
void moved_to(session &s, const inode &dir, std::string_view name)
{
	std::string n(name);
	struct stat st;
	pinned_fd dir_fd = dir.pin();
	if (!dir_fd)
		return;
	if (fstatat(dir_fd.get(), n.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0)
		return;
	inode_ptr node = s.inodes().find(st.st_dev, st.st_ino);
	if (!node)
		return;
	{
		std::lock_guard lock(node->name_mutex);
		node->parent_nodeid = dir.nodeid;
		node->name = std::move(n);
	}
	if (!node->is_dir())
		return;
	std::shared_ptr<filter::binding_point> own = node->point.load();
	std::shared_ptr<filter::binding_point> parent = dir.point.load();
	if (own && parent && own != parent && own->parent() != parent)
		own->reparent(parent);
}

// After a successful rename (see the header comment).
void follow_rename(session &s, const inode &olddir, std::string_view oldname, const inode &newdir,
                   std::string_view newname, uint32_t flags)
{
	moved_to(s, newdir, newname);
	if (flags & RENAME_EXCHANGE) // the other entry moved the other way
		moved_to(s, olddir, oldname);
}

// A rename on backed directories (the filtered path checks the newdir a
// prefilter chose), then the bookkeeping. A target name in a directory
// whose binding filters LOOKUP is guarded (name_guard.h): the rename runs
// with RENAME_NOREPLACE first and replaces an existing entry only if the
// lookup filters show it to the caller; RENAME_EXCHANGE swaps only entries
// they show. EACCES otherwise, with both entries untouched.
int rename_backed(session &s, const fuse_in_header &caller, inode &olddir, std::string_view oldname,
                  inode &newdir, std::string_view newname, uint32_t flags)
{
	if (newdir.is_virtual())
		return EXDEV; // olddir is backed here: across "file systems"
	int err;
	if (flags & RENAME_NOREPLACE || !guards_names(newdir)) {
		err = do_rename(s, olddir, oldname, newdir, newname, flags);
	} else if (flags & RENAME_EXCHANGE) {
		if (!lookup_shows(s, caller, newdir, newname) ||
		    (guards_names(olddir) && !lookup_shows(s, caller, olddir, oldname)))
			return EACCES;
		err = do_rename(s, olddir, oldname, newdir, newname, flags);
	} else {
		err = do_rename(s, olddir, oldname, newdir, newname, flags | RENAME_NOREPLACE);
		// EINVAL: a backing fs without RENAME_NOREPLACE; probe first there.
		if (err == EEXIST || err == EINVAL) {
			if (!lookup_shows(s, caller, newdir, newname))
				return EACCES;
			err = do_rename(s, olddir, oldname, newdir, newname, flags);
		}
	}
	if (err)
		return err;
	follow_rename(s, olddir, oldname, newdir, newname, flags);
	return 0;
}

// RENAME and RENAME2 differ only in the input struct; both end here. The
// filters of the source directory's binding run around those of the target
// directory's (the newdir after the source prefilter; skipped when it is the
// same binding), each on the one rename context (docs/filters.md §7).
void rename_common(request &req, const fuse_rename2_in &in)
{
	std::string_view oldname, newname;
	if (!name_arg(req, oldname) || !name_arg(req, newname))
		return;
	session &s = req.sess();
	inode_ptr olddir = req.node();
	inode_ptr newdir = s.inodes().get(in.newdir);
	if (!olddir || !newdir)
		return req.reply_err(ESTALE);
	filter::binding_ptr b = binding_of(*olddir);
	bool source_filters = filtered(*olddir, *b, FUSEBPF_OP_RENAME);
	if (!source_filters && !has_target_filters(*newdir, b, FUSEBPF_OP_RENAME))
		return req.reply_err(
		    rename_backed(s, req.header(), *olddir, oldname, *newdir, newname, in.flags));
	auto ctx = make_ctx<fusebpf_rename_ctx>(req);
	ctx.in = in;
	if (!set_name_arg(req, ctx.old_name, oldname) || !set_name_arg(req, ctx.new_name, newname))
		return;
	filter::user_io io;
	auto backing = [&](fusebpf_rename_ctx &c) {
		std::string_view o, n;
		if (int e = filter::name_of(c.old_name, o))
			return e;
		if (int e = filter::name_of(c.new_name, n))
			return e;
		inode_ptr nd = c.in.newdir == in.newdir ? newdir : s.inodes().get(c.in.newdir);
		if (!nd)
			return ESTALE;
		return rename_backed(s, req.header(), *olddir, o, *nd, n, c.in.flags);
	};
	auto target_then_backing = [&](fusebpf_rename_ctx &c) {
		inode_ptr nd = c.in.newdir == in.newdir ? newdir : s.inodes().get(c.in.newdir);
		if (!nd)
			return ESTALE;
		return run_target_filters(s, *nd, b, c, io, backing);
	};
	int err = source_filters ? run_filters(s, *olddir, *b, ctx, io, target_then_backing)
	                         : target_then_backing(ctx);
	req.reply_err(err);
}

} // namespace

void op_rename(request &req)
{
	const auto *in = fixed_arg<fuse_rename_in>(req);
	if (in)
		rename_common(req, fuse_rename2_in{in->newdir, 0, 0});
}

void op_rename2(request &req)
{
	const auto *in = fixed_arg<fuse_rename2_in>(req);
	if (in)
		rename_common(req, *in);
}

// target: the link's bytes, without a NUL (as the READLINK reply wants).
int do_readlink(session &, inode &node, std::string &target)
{
	if (!node.is_symlink())
		return EINVAL;
	char buf[PATH_MAX];
	pinned_fd node_fd = node.pin();
	if (!node_fd)
		return node_fd.error();
	ssize_t n = readlinkat(node_fd.get(), "", buf, sizeof(buf));
	if (n < 0)
		return errno;
	if (static_cast<size_t>(n) >= sizeof(buf))
		return ENAMETOOLONG;
	target.assign(buf, static_cast<size_t>(n));
	return 0;
}

void op_readlink(request &req)
{
	inode_ptr node = node_arg(req);
	if (!node)
		return;
	session &s = req.sess();
	filter::binding_ptr b = binding_of(*node);
	std::string target;
	if (!filtered(*node, *b, FUSEBPF_OP_READLINK)) {
		if (int err = do_readlink(s, *node, target))
			return req.reply_err(err);
		return req.reply_bytes(target.data(), target.size());
	}
	auto ctx = make_ctx<fusebpf_readlink_ctx>(req);
	filter::user_io io;
	int err = run_filters(s, *node, *b, ctx, io, [&](fusebpf_readlink_ctx &c) {
		if (int e = do_readlink(s, *node, target))
			return e;
		return set_path(c.out.target, target);
	});
	std::string_view t;
	if (!err && path_of(ctx.out.target, t))
		err = -EIO; // a filter left no usable target
	if (err)
		return req.reply_err(err);
	req.reply_bytes(t.data(), t.size());
}

} // namespace fusebpf::daemon
