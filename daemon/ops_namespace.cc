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
// ops_attr.cc / ops_xattr.cc; opening files in ops_file.cc.
//
// Shape (the filter layer of issue 4 calls the do_*() functions directly):
// do_<op>(session, nodes, decoded wire input, names, wire output) returns 0
// or a positive errno and never touches the request; op_<op>() decodes,
// calls it and replies.
//
// Limits: mknod of device nodes needs CAP_MKNOD, which the caller_creds
// scope keeps only for callers with fsuid 0, so a non-root caller gets EPERM
// as natively. RENAME_WHITEOUT is handed to the backing fs unchanged (file
// systems without whiteouts refuse it, with EINVAL).
#include "daemon/backing.h"
#include "daemon/backing_ops.h"
#include "daemon/caller_creds.h"
#include "daemon/ops.h"
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
		if (mknodat(parent.fd.get(), n.c_str(), in.mode, in.rdev) < 0)
			return errno;
	}
	return lookup_entry(s, parent, n, out);
}

void op_mknod(request &req)
{
	const auto *in = req.args().get<fuse_mknod_in>();
	if (!in)
		return req.reply_err(EINVAL);
	std::string_view name;
	if (int err = req.args().name(name))
		return req.reply_err(err);
	inode_ptr parent = req.node();
	if (!parent)
		return req.reply_err(ESTALE);
	fuse_entry_out out;
	if (int err = do_mknod(req.sess(), *parent, *in, name, out))
		return req.reply_err(err);
	req.reply(out);
}

int do_mkdir(session &s, inode &parent, const fuse_mkdir_in &in, std::string_view name,
             fuse_entry_out &out)
{
	std::string n = zstr(name);
	{
		std::optional<umask_scope> um;
		caller_umask(s, in.umask, um);
		if (mkdirat(parent.fd.get(), n.c_str(), in.mode & 07777) < 0)
			return errno;
	}
	return lookup_entry(s, parent, n, out);
}

void op_mkdir(request &req)
{
	const auto *in = req.args().get<fuse_mkdir_in>();
	if (!in)
		return req.reply_err(EINVAL);
	std::string_view name;
	if (int err = req.args().name(name))
		return req.reply_err(err);
	inode_ptr parent = req.node();
	if (!parent)
		return req.reply_err(ESTALE);
	fuse_entry_out out;
	if (int err = do_mkdir(req.sess(), *parent, *in, name, out))
		return req.reply_err(err);
	req.reply(out);
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
	if (symlinkat(t.c_str(), parent.fd.get(), n.c_str()) < 0)
		return errno;
	return lookup_entry(s, parent, n, out);
}

void op_symlink(request &req)
{
	// Wire order: the new entry's name, then the link target.
	std::string_view name, target;
	if (int err = req.args().name(name))
		return req.reply_err(err);
	if (!req.args().string(target))
		return req.reply_err(EINVAL);
	inode_ptr parent = req.node();
	if (!parent)
		return req.reply_err(ESTALE);
	fuse_entry_out out;
	if (int err = do_symlink(req.sess(), *parent, name, target, out))
		return req.reply_err(err);
	req.reply(out);
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
	std::string n = zstr(newname);
	if (linkat(target->fd.get(), "", newparent.fd.get(), n.c_str(), AT_EMPTY_PATH) < 0) {
		if (errno != ENOENT)
			return errno;
		std::string p = proc_fd_path(target->fd.get());
		if (linkat(AT_FDCWD, p.c_str(), newparent.fd.get(), n.c_str(), AT_SYMLINK_FOLLOW) <
		    0)
			return errno;
	}
	return entry_for_node(s, target, out);
}

void op_link(request &req)
{
	const auto *in = req.args().get<fuse_link_in>();
	if (!in)
		return req.reply_err(EINVAL);
	std::string_view name;
	if (int err = req.args().name(name))
		return req.reply_err(err);
	inode_ptr newparent = req.node();
	inode_ptr target = req.sess().inodes().get(in->oldnodeid);
	if (!newparent || !target)
		return req.reply_err(ESTALE);
	fuse_entry_out out;
	if (int err = do_link(req.sess(), target, *newparent, name, out))
		return req.reply_err(err);
	req.reply(out);
}

// The node stays in the table while the kernel holds lookup references (an
// open file keeps working after unlink, as natively); FORGET drops it.
int do_unlink(session &, inode &parent, std::string_view name)
{
	std::string n = zstr(name);
	if (unlinkat(parent.fd.get(), n.c_str(), 0) < 0)
		return errno;
	return 0;
}

void op_unlink(request &req)
{
	std::string_view name;
	if (int err = req.args().name(name))
		return req.reply_err(err);
	inode_ptr parent = req.node();
	if (!parent)
		return req.reply_err(ESTALE);
	req.reply_err(do_unlink(req.sess(), *parent, name));
}

int do_rmdir(session &, inode &parent, std::string_view name)
{
	std::string n = zstr(name);
	if (unlinkat(parent.fd.get(), n.c_str(), AT_REMOVEDIR) < 0)
		return errno;
	return 0;
}

void op_rmdir(request &req)
{
	std::string_view name;
	if (int err = req.args().name(name))
		return req.reply_err(err);
	inode_ptr parent = req.node();
	if (!parent)
		return req.reply_err(ESTALE);
	req.reply_err(do_rmdir(req.sess(), *parent, name));
}

// flags: 0, RENAME_NOREPLACE, RENAME_EXCHANGE or RENAME_WHITEOUT, passed to
// renameat2() as they came (the backing fs refuses what it cannot do, as
// natively: EINVAL for an unknown combination).
int do_rename(session &, inode &olddir, std::string_view oldname, inode &newdir,
              std::string_view newname, uint32_t flags)
{
	std::string o = zstr(oldname);
	std::string n = zstr(newname);
	if (renameat2(olddir.fd.get(), o.c_str(), newdir.fd.get(), n.c_str(), flags) < 0)
		return errno;
	return 0;
}

// RENAME and RENAME2 differ only in the input struct; both end here.
static void rename_common(request &req, uint64_t newdir_id, uint32_t flags)
{
	std::string_view oldname, newname;
	if (int err = req.args().name(oldname))
		return req.reply_err(err);
	if (int err = req.args().name(newname))
		return req.reply_err(err);
	inode_ptr olddir = req.node();
	inode_ptr newdir = req.sess().inodes().get(newdir_id);
	if (!olddir || !newdir)
		return req.reply_err(ESTALE);
	req.reply_err(do_rename(req.sess(), *olddir, oldname, *newdir, newname, flags));
}

void op_rename(request &req)
{
	const auto *in = req.args().get<fuse_rename_in>();
	if (!in)
		return req.reply_err(EINVAL);
	rename_common(req, in->newdir, 0);
}

void op_rename2(request &req)
{
	const auto *in = req.args().get<fuse_rename2_in>();
	if (!in)
		return req.reply_err(EINVAL);
	rename_common(req, in->newdir, in->flags);
}

// target: the link's bytes, without a NUL (as the READLINK reply wants).
int do_readlink(session &, inode &node, std::string &target)
{
	if (!node.is_symlink())
		return EINVAL;
	char buf[PATH_MAX];
	ssize_t n = readlinkat(node.fd.get(), "", buf, sizeof(buf));
	if (n < 0)
		return errno;
	if (static_cast<size_t>(n) >= sizeof(buf))
		return ENAMETOOLONG;
	target.assign(buf, static_cast<size_t>(n));
	return 0;
}

void op_readlink(request &req)
{
	inode_ptr node = req.node();
	if (!node)
		return req.reply_err(ESTALE);
	std::string target;
	if (int err = do_readlink(req.sess(), *node, target))
		return req.reply_err(err);
	req.reply_bytes(target.data(), target.size());
}

} // namespace fusebpf::daemon
