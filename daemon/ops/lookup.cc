// SPDX-License-Identifier: GPL-2.0-or-later
//
// LOOKUP and GETATTR: names to nodes, nodes to attributes. Both run as the
// caller, so a lookup in a directory the caller cannot search fails with
// EACCES as it would natively.
//
// Both go through the filter engine when the node's binding wants them
// (docs/filters.md §6); otherwise they are the plain backing op, unchanged.
// A filtered lookup ends in finish_entry() (node_filters.h): virtual nodes,
// backing paths and child tables a lookup handler asked for.
//
// LOOKUP of "." and ".." (FUSE_EXPORT_SUPPORT, ops/init.cc) comes only from
// the kernel's export operations (fs/fuse/inode.c): fuse_get_dentry() sends
// "." on the nodeid of a file handle whose inode it dropped, and needs that
// very nodeid (else EIO) with the handle's generation (else ESTALE) back;
// fuse_get_parent() sends ".." on a directory to reconnect it to the tree.
// They name nodes, not directory entries, so no lookup filter runs: a
// filter sees the ops on the node as on any other. ".." never leaves the
// backing root: the root's parent is the root, and a directory moved out
// of the backing tree has no parent here (ESTALE).
#include "daemon/backing/backing.h"
#include "daemon/backing/backing_ops.h"
#include "daemon/policy/node_filters.h"
#include "daemon/ops/ops.h"
#include "daemon/backing/passthrough.h"
#include "daemon/session.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

namespace fusebpf::daemon {

namespace {

// Replies to a LOOKUP: the entry, a cached negative entry for ENOENT when
// negative_timeout asks for one (`cache_negative`: for a filtered lookup only
// when the ENOENT is the backing fs's, which no filter changed), or the
// error (positive or negative errno).
void reply_entry(request &req, int err, fuse_entry_out &out, bool cache_negative)
{
	if (err < 0)
		err = -err;
	if (err == ENOENT && cache_negative && req.sess().opts().negative_timeout > 0) {
		fill_negative_entry(req.sess(), out);
		return req.reply(out);
	}
	if (err)
		return req.reply_err(err);
	req.reply(out);
}

// LOOKUP "." on nodeid: the node, made again from its handle if forgotten.
int lookup_self(session &s, uint64_t nodeid, fuse_entry_out &out)
{
	int err = 0;
	inode_ptr node = s.inodes().revive(nodeid, err);
	if (!node)
		return err;
	struct stat st;
	err = node->is_virtual() ? ESTALE : stat_node(*node, st);
	if (err) {
		s.inodes().forget(nodeid, 1);
		return err;
	}
	fill_entry(s, *node, st, out);
	return 0;
}

// The backing path of an O_PATH fd ("" if unknown).
std::string fd_path(const session &s, int fd)
{
	char buf[PATH_MAX];
	ssize_t n = readlinkat(s.proc_self_fd(), std::to_string(fd).c_str(), buf, sizeof(buf));
	return n > 0 && static_cast<size_t>(n) < sizeof(buf) ? std::string(buf, n) : std::string();
}

// LOOKUP ".." on nodeid: the directory's parent, within the backing root.
int lookup_parent(session &s, uint64_t nodeid, fuse_entry_out &out)
{
	inode_ptr node = s.inodes().get(nodeid);
	if (!node)
		return ESTALE;
	if (!node->is_dir())
		return ENOTDIR;
	const inode_ptr &root = s.inodes().root();
	if (node == root)
		return entry_for_node(s, root, out);
	pinned_fd fd = node->pin();
	if (!fd)
		return fd.error();
	unique_fd up(openat(fd.get(), "..", O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC));
	if (!up)
		return errno;
	struct stat st;
	if (fstatat(up.get(), "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
		return errno;
	if (st.st_dev == root->dev && st.st_ino == root->ino)
		return entry_for_node(s, root, out);
	// Beneath the root? The kernel's path of the directory says so.
	pinned_fd root_fd = root->pin();
	std::string root_path = root_fd ? fd_path(s, root_fd.get()) : std::string();
	std::string path = fd_path(s, up.get());
	if (root_path.empty() || path.size() <= root_path.size() ||
	    path.compare(0, root_path.size(), root_path) != 0 ||
	    (root_path != "/" && path[root_path.size()] != '/'))
		return ESTALE;
	inode_ptr parent = s.inodes().add_lookup(std::move(up), st);
	if (!parent->point.load()) {
		// The child directory's point is a child of its parent's.
		std::shared_ptr<filter::binding_point> mine = node->point.load();
		std::shared_ptr<filter::binding_point> p = mine ? mine->parent() : nullptr;
		if (!p)
			p = s.bindings().root();
		std::shared_ptr<filter::binding_point> none;
		parent->point.compare_exchange_strong(none, p);
	}
	fill_entry(s, *parent, st, out);
	return 0;
}

} // namespace

int do_lookup(session &s, const inode &parent, std::string_view name, fuse_entry_out &out)
{
	if (!parent.is_dir())
		return ENOTDIR;
	return lookup_entry(s, parent, name, out);
}

void op_lookup(request &req)
{
	std::string_view name;
	if (!req.args().string(name))
		return req.reply_err(EINVAL);
	if (name == "." || name == "..") {
		fuse_entry_out out{};
		int err = name == "." ? lookup_self(req.sess(), req.nodeid(), out)
		                      : lookup_parent(req.sess(), req.nodeid(), out);
		return err ? req.reply_err(err) : req.reply(out);
	}
	if (int err = validate_name(name))
		return req.reply_err(err);
	inode_ptr parent = req.node();
	if (!parent)
		return req.reply_err(ESTALE);
	session &s = req.sess();
	filter::binding_ptr b = binding_of(*parent);
	fuse_entry_out out{};
	if (!filtered(*parent, *b, FUSEBPF_OP_LOOKUP))
		return reply_entry(req, do_lookup(s, *parent, name, out), out, true);

	auto ctx = make_ctx<fusebpf_lookup_ctx>(req);
	filter::user_io io;
	uint64_t taken = 0;
	int backing_err = -1;
	int err = run_lookup_filters(s, *parent, *b, name, ctx, io, taken, backing_err);
	err = finish_entry(s, *parent, name, err, taken, io, ctx.out.entry);
	// A negative entry may be cached (negative_timeout) only when it is the
	// backing fs's own ENOENT that went through the filters unchanged: an
	// ENOENT a filter made (a hide list) must stay live when its map changes.
	bool backing_enoent = backing_err == ENOENT && (err == -ENOENT || err == ENOENT);
	reply_entry(req, err, ctx.out.entry, backing_enoent);
}

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

void op_getattr(request &req)
{
	fuse_getattr_in in = {};
	// Before 7.9 GETATTR had no argument; accept an empty one.
	req.args().get_compat(in, 0);
	inode_ptr node = req.node();
	if (!node)
		return req.reply_err(ESTALE);
	session &s = req.sess();
	filter::binding_ptr b = binding_of(*node);
	fuse_attr_out out;
	if (!filtered(*node, *b, FUSEBPF_OP_GETATTR)) {
		if (int err = do_getattr(s, *node, in, out))
			return req.reply_err(err);
		return req.reply(out);
	}
	auto ctx = make_ctx<fusebpf_getattr_ctx>(req);
	ctx.in = in;
	filter::user_io io;
	int err = run_filters(s, *node, *b, ctx, io, [&](fusebpf_getattr_ctx &c) {
		fuse_getattr_in g = c.in;
		g.fh = in.fh; // daemon-owned
		return do_getattr(s, *node, g, c.out);
	});
	if (err)
		return req.reply_err(err);
	req.reply(ctx.out);
}

} // namespace fusebpf::daemon
