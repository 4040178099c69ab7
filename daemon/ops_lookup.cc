// SPDX-License-Identifier: GPL-2.0-or-later
//
// LOOKUP and GETATTR: names to nodes, nodes to attributes. Both run as the
// caller, so a lookup in a directory the caller cannot search fails with
// EACCES as it would natively.
#include "daemon/backing.h"
#include "daemon/backing_ops.h"
#include "daemon/ops.h"
#include "daemon/session.h"

#include <sys/stat.h>

namespace fusebpf::daemon {

int do_lookup(session &s, inode &parent, std::string_view name, fuse_entry_out &out)
{
	if (!parent.is_dir())
		return ENOTDIR;
	return lookup_entry(s, parent, name, out);
}

void op_lookup(request &req)
{
	std::string_view name;
	if (int err = req.args().name(name))
		return req.reply_err(err);
	inode_ptr parent = req.node();
	if (!parent)
		return req.reply_err(ESTALE);
	fuse_entry_out out;
	int err = do_lookup(req.sess(), *parent, name, out);
	if (err == ENOENT && req.sess().opts().negative_timeout > 0) {
		fill_negative_entry(req.sess(), out);
		return req.reply(out);
	}
	if (err)
		return req.reply_err(err);
	req.reply(out);
}

int do_getattr(session &s, inode &node, const fuse_getattr_in &, fuse_attr_out &out)
{
	// FUSE_GETATTR_FH names an open file; the node is the same inode, and
	// fstat of the O_PATH fd needs no permission, so the node is enough.
	struct stat st;
	if (int err = stat_node(node, st))
		return err;
	fill_attr_out(s, st, out);
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
	fuse_attr_out out;
	if (int err = do_getattr(req.sess(), *node, in, out))
		return req.reply_err(err);
	req.reply(out);
}

} // namespace fusebpf::daemon
