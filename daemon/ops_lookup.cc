// SPDX-License-Identifier: GPL-2.0-or-later
//
// LOOKUP and GETATTR: names to nodes, nodes to attributes. Both run as the
// caller, so a lookup in a directory the caller cannot search fails with
// EACCES as it would natively.
#include "daemon/backing.h"
#include "daemon/ops.h"
#include "daemon/session.h"

#include <sys/stat.h>

namespace fusebpf::daemon {

static int do_lookup(request &req, fuse_entry_out &out)
{
	inode_ptr parent = req.node();
	if (!parent)
		return ESTALE;
	if (!parent->is_dir())
		return ENOTDIR;
	std::string_view name;
	if (int err = req.args().name(name))
		return err;
	return lookup_entry(req.sess(), *parent, name, out);
}

void op_lookup(request &req)
{
	fuse_entry_out out;
	int err = do_lookup(req, out);
	if (err == ENOENT && req.sess().opts().negative_timeout > 0) {
		fill_negative_entry(req.sess(), out);
		return req.reply(out);
	}
	if (err)
		return req.reply_err(err);
	req.reply(out);
}

static int do_getattr(request &req, fuse_attr_out &out)
{
	inode_ptr node = req.node();
	if (!node)
		return ESTALE;
	struct stat st;
	if (int err = stat_node(*node, st))
		return err;
	fill_attr_out(req.sess(), st, out);
	return 0;
}

void op_getattr(request &req)
{
	fuse_attr_out out;
	if (int err = do_getattr(req, out))
		return req.reply_err(err);
	req.reply(out);
}

} // namespace fusebpf::daemon
