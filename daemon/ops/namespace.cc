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
#include "daemon/ops/backing_ops.h"
#include "daemon/fuse/caller_creds.h"
#include "daemon/policy/ctx_path.h"
#include "daemon/policy/name_guard.h"
#include "daemon/policy/node_filters.h"
#include "daemon/ops/op_path.h"
#include "daemon/ops/ops.h"
#include "daemon/session.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
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

} // namespace

namespace {

// Creates `name` in parent with make(parent_fd, name) under the caller's
// umask (when the kernel left it to us), then looks the new entry up.
template <class Make>
int make_at(session &s, inode &parent, uint32_t umask, std::string_view name, fuse_entry_out &out,
            Make &&make)
{
	std::string n = zstr(name);
	{
		std::optional<umask_scope> um;
		caller_umask(s, umask, um);
		pinned_fd parent_fd = parent.pin();
		if (!parent_fd)
			return parent_fd.error();
		if (make(parent_fd.get(), n.c_str()) < 0)
			return errno;
	}
	return lookup_entry(s, parent, n, out);
}

} // namespace

// mode keeps its S_IFMT bits: FIFO, socket, char/block device or a regular
// file (mknod(2) of S_IFREG, used by old callers).
int do_mknod(session &s, inode &parent, const fuse_mknod_in &in, std::string_view name,
             fuse_entry_out &out)
{
	return make_at(s, parent, in.umask, name, out,
	               [&](int dir, const char *n) { return mknodat(dir, n, in.mode, in.rdev); });
}

int do_mkdir(session &s, inode &parent, const fuse_mkdir_in &in, std::string_view name,
             fuse_entry_out &out)
{
	return make_at(s, parent, in.umask, name, out,
	               [&](int dir, const char *n) { return mkdirat(dir, n, in.mode & 07777); });
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
	std::shared_ptr<filter::binding_point> own = point_of(*node);
	std::shared_ptr<filter::binding_point> parent = point_of(dir);
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

} // namespace

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

// ---- the op descriptors (op_path.h) ----

namespace {

// MKNOD, MKDIR, SYMLINK and LINK: a new entry `name` in the request's node.
template <class Ctx> class make_entry : public on_node<Ctx> {
public:
	void reply(op_env &env, int err, Ctx &ctx)
	{
		err =
		    finish_entry_op(env, *this->node_, name_, err, taken_, renamed_, ctx.out.entry);
		reply_struct(env, err, ctx.out.entry);
	}

protected:
	// The name the backing step makes (the context's; a prefilter may have
	// rewritten it) into n.
	int backing_name(Ctx &c, std::string_view &n)
	{
		return entry_name(c.name, name_, n, renamed_);
	}

	// A backing step's result (0 or a positive errno); on success the entry
	// holds one lookup reference, which the reply hands on or gives back.
	int took(int err, const Ctx &c)
	{
		taken_ = err ? 0 : c.out.entry.nodeid;
		return -err;
	}

	std::string_view name_; // the kernel's
	uint64_t taken_ = 0;
	bool renamed_ = false;
};

// MKNOD and MKDIR: one create call with the wire input, then the lookup.
template <class Ctx, int (*Make)(session &, inode &, const decltype(Ctx::in) &, std::string_view,
                                 fuse_entry_out &)>
class make_node_op : public make_entry<Ctx> {
public:
	int decode(request &req, Ctx &ctx) { return this->decode_named(req, ctx, this->name_); }

	int backing(op_env &env, Ctx &c)
	{
		std::string_view n;
		if (int e = this->backing_name(c, n))
			return e;
		return this->took(Make(env.s, *this->node_, c.in, n, c.out.entry), c);
	}
};

using mknod_op = make_node_op<fusebpf_mknod_ctx, do_mknod>;
using mkdir_op = make_node_op<fusebpf_mkdir_ctx, do_mkdir>;

class symlink_op : public make_entry<fusebpf_symlink_ctx> {
public:
	// Wire order: the new entry's name, then the link target.
	int decode(request &req, context &ctx)
	{
		if (int e = decode_name(req, ctx.name, name_))
			return e;
		std::string_view target;
		if (!req.args().string(target))
			return -EINVAL;
		if (int e = decode_node(req))
			return e;
		return -set_path(ctx.target, target);
	}

	int backing(op_env &env, context &c)
	{
		std::string_view n, t;
		if (int e = backing_name(c, n))
			return e;
		if (c.target.len == 0)
			return -ENOENT; // as symlink(2) of ""
		if (int e = path_of(c.target, t))
			return -e;
		return took(do_symlink(env.s, *node_, n, t, c.out.entry), c);
	}
};

// The linked node's binding is the source's, its new directory's the
// target's: when the source's binding wants LINK, its filters run around
// the directory's (run_target_filters()), as for a rename.
class link_op : public make_entry<fusebpf_link_ctx> {
public:
	int decode(request &req, context &ctx)
	{
		if (int e = decode_named(req, ctx, name_))
			return e;
		linked_ = req.sess().inodes().get(ctx.in.oldnodeid);
		if (!linked_)
			return -ESTALE;
		source_ = linked_->is_virtual() ? filter::binding::none() : binding_of(*linked_);
		source_first_ = !node_->is_virtual() && source_ != binding_of(*node_) &&
		                source_->wants(FUSEBPF_OP_LINK);
		return 0;
	}

	const inode &node() const { return source_first_ ? *linked_ : *node_; }
	bool engine(const filter::binding &b) const
	{
		return source_first_ || filtered(*node_, b, FUSEBPF_OP_LINK);
	}

	int backing(op_env &env, context &c)
	{
		if (!source_first_)
			return link(env, c);
		return run_target_filters(env.s, *node_, source_, c, env.io,
		                          [&](context &cc) { return link(env, cc); });
	}

private:
	int link(op_env &env, context &c)
	{
		std::string_view n;
		if (int e = backing_name(c, n))
			return e;
		// A prefilter may link another node the kernel knows.
		inode_ptr linked = c.in.oldnodeid == linked_->nodeid
		                       ? linked_
		                       : env.s.inodes().get(c.in.oldnodeid);
		if (!linked)
			return -ESTALE;
		return took(do_link(env.s, linked, *node_, n, c.out.entry), c);
	}

	inode_ptr linked_;
	filter::binding_ptr source_;
	bool source_first_ = false;
};

// UNLINK and RMDIR: a name in the request's node, no outputs.
template <class Ctx, int (*Remove)(session &, inode &, std::string_view)>
class remove_op : public on_node<Ctx> {
public:
	int decode(request &req, Ctx &ctx)
	{
		std::string_view name;
		return this->decode_named(req, ctx, name);
	}

	int backing(op_env &env, Ctx &c)
	{
		std::string_view n;
		if (int e = filter::name_of(c.name, n))
			return -e;
		return -Remove(env.s, *this->node_, n);
	}

	void reply(op_env &env, int err, Ctx &) { reply_status(env, err); }
};

// RENAME and RENAME2 (RENAME's input is RENAME2's with flags 0). The
// filters of the source directory's binding run around those of the target
// directory's: the newdir after the source prefilter, skipped when it has
// the same binding (docs/filters.md §7).
template <class In> class rename_op : public on_node<fusebpf_rename_ctx> {
public:
	int decode(request &req, context &ctx)
	{
		In in;
		if (int e = decode_fixed(req, in))
			return e;
		std::memcpy(&ctx.in, &in, sizeof(in)); // fuse_rename_in is the head of rename2's
		std::string_view oldname, newname;
		if (int e = decode_name(req, ctx.old_name, oldname))
			return e;
		if (int e = decode_name(req, ctx.new_name, newname))
			return e;
		node_ = node_of(req);
		newdir_ = req.sess().inodes().get(ctx.in.newdir);
		return node_ && newdir_ ? 0 : -ESTALE;
	}

	int backing(op_env &env, context &c)
	{
		inode_ptr newdir =
		    c.in.newdir == newdir_->nodeid ? newdir_ : env.s.inodes().get(c.in.newdir);
		if (!newdir)
			return -ESTALE;
		return run_target_filters(env.s, *newdir, env.binding, c, env.io, [&](context &cc) {
			std::string_view o, n;
			if (int e = filter::name_of(cc.old_name, o))
				return -e;
			if (int e = filter::name_of(cc.new_name, n))
				return -e;
			return -rename_backed(env.s, env.req.header(), *node_, o, *newdir, n,
			                      cc.in.flags);
		});
	}

	void reply(op_env &env, int err, context &) { reply_status(env, err); }

private:
	inode_ptr newdir_;
};

class readlink_op : public on_node<fusebpf_readlink_ctx> {
public:
	int backing(op_env &env, context &c)
	{
		std::string target;
		if (int e = do_readlink(env.s, *node_, target))
			return -e;
		return -set_path(c.out.target, target);
	}

	void reply(op_env &env, int err, context &ctx)
	{
		std::string_view t;
		if (!err && path_of(ctx.out.target, t))
			err = -EIO; // a filter left no usable target
		if (err)
			return env.req.reply_err(err);
		env.req.reply_bytes(t.data(), t.size());
	}
};

} // namespace

const op_handler op_mknod = serve_op<mknod_op>;
const op_handler op_mkdir = serve_op<mkdir_op>;
const op_handler op_symlink = serve_op<symlink_op>;
const op_handler op_link = serve_op<link_op>;
const op_handler op_unlink = serve_op<remove_op<fusebpf_unlink_ctx, do_unlink>>;
const op_handler op_rmdir = serve_op<remove_op<fusebpf_rmdir_ctx, do_rmdir>>;
const op_handler op_rename = serve_op<rename_op<fuse_rename_in>>;
const op_handler op_rename2 = serve_op<rename_op<fuse_rename2_in>>;
const op_handler op_readlink = serve_op<readlink_op>;

} // namespace fusebpf::daemon
