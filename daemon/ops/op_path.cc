// SPDX-License-Identifier: GPL-2.0-or-later
//
// op_path: the shared decode and finish steps of op descriptors (op_path.h).
#include "daemon/ops/op_path.h"

namespace fusebpf::daemon {

int decode_name(request &req, fusebpf_name &dst, std::string_view &name)
{
	if (int err = req.args().name(name))
		return -err;
	return -filter::set_name(dst, name);
}

int entry_name(fusebpf_name &ctx_name, std::string_view kernel_name, std::string_view &out,
               bool &renamed)
{
	if (int err = filter::name_of(ctx_name, out))
		return -err;
	renamed = out != kernel_name;
	return 0;
}

int finish_entry_op(op_env &env, const inode &parent, std::string_view kernel_name, int err,
                    uint64_t taken, bool renamed, fuse_entry_out &entry)
{
	err = finish_entry(env.s, parent, kernel_name, err, taken, env.io, entry);
	if (!err && taken && entry.nodeid == taken) {
		inode_ptr node = env.s.inodes().get(taken);
		if (!node) // cannot happen while the reply's reference holds it
			return -ESTALE;
		if (renamed)
			place_node(env.s, parent, *node, kernel_name);
		else
			give_point(env.s, parent, *node);
	}
	return err;
}

} // namespace fusebpf::daemon
