// SPDX-License-Identifier: GPL-2.0-or-later
//
// LOOKUP: names to nodes. It runs as the caller, so a lookup in a directory
// the caller cannot search fails with EACCES as it would natively.
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
#include "daemon/ops/backing_ops.h"
#include "daemon/policy/node_filters.h"
#include "daemon/ops/op_path.h"
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
	if (!point_of(*parent)) {
		// The child directory's point is a child of its parent's.
		std::shared_ptr<filter::binding_point> mine = point_of(*node);
		std::shared_ptr<filter::binding_point> p = mine ? mine->parent() : nullptr;
		set_point_if_none(*parent, p ? p : s.bindings().root());
	}
	fill_entry(s, *parent, st, out);
	return 0;
}

} // namespace

namespace {

class lookup_op : public on_node<fusebpf_lookup_ctx> {
public:
	// name: validated by op_lookup(), which reads it first.
	explicit lookup_op(std::string_view name = {}) : name_(name) {}

	int decode(request &req, context &ctx)
	{
		if (int e = decode_node(req))
			return e;
		return -filter::set_name(ctx.name, name_);
	}

	int backing(op_env &env, context &c)
	{
		std::string_view used;
		int err = lookup_backing(env.s, *node_, c, used, taken_, backing_err_);
		renamed_ = used != name_;
		return err;
	}

	// A negative entry is cached (negative_timeout) only for the backing
	// fs's own ENOENT that went through the filters unchanged: an ENOENT a
	// filter made (a hide list) must stay live when its map changes.
	void reply(op_env &env, int err, context &ctx)
	{
		err = finish_entry_op(env, *node_, name_, err, taken_, renamed_, ctx.out.entry);
		if (err == -ENOENT && backing_err_ == ENOENT && env.s.opts().negative_timeout > 0) {
			fill_negative_entry(env.s, ctx.out.entry);
			return env.req.reply(ctx.out.entry);
		}
		reply_struct(env, err, ctx.out.entry);
	}

private:
	std::string_view name_;
	uint64_t taken_ = 0;
	int backing_err_ = -1;
	bool renamed_ = false;
};

} // namespace

void op_lookup(request &req)
{
	std::string_view name;
	if (!req.args().string(name))
		return req.reply_err(-EINVAL);
	if (name == "." || name == "..") {
		fuse_entry_out out{};
		int err = name == "." ? lookup_self(req.sess(), req.nodeid(), out)
		                      : lookup_parent(req.sess(), req.nodeid(), out);
		return err ? req.reply_err(-err) : req.reply(out);
	}
	if (int err = validate_name(name))
		return req.reply_err(-err);
	serve(req, lookup_op(name));
}

} // namespace fusebpf::daemon
