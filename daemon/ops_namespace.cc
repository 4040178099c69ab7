// SPDX-License-Identifier: GPL-2.0-or-later
//
// Namespace ops: mknod, mkdir, symlink, link, unlink, rmdir, rename, rename2, readlink.
//
// SCAFFOLD written by the daemon-core engineer so the tree builds: every
// handler here answers ENOSYS. The second daemon engineer owns this file
// and replaces these bodies with the real implementations (see ops.h for
// the contract and /work/notes/daemon-interfaces-ready.md for a guide).
#include "daemon/ops.h"

#include <cerrno>

namespace fusebpf::daemon {

void op_mknod(request &req)
{
	req.reply_err(ENOSYS);
}

void op_mkdir(request &req)
{
	req.reply_err(ENOSYS);
}

void op_symlink(request &req)
{
	req.reply_err(ENOSYS);
}

void op_link(request &req)
{
	req.reply_err(ENOSYS);
}

void op_unlink(request &req)
{
	req.reply_err(ENOSYS);
}

void op_rmdir(request &req)
{
	req.reply_err(ENOSYS);
}

void op_rename(request &req)
{
	req.reply_err(ENOSYS);
}

void op_rename2(request &req)
{
	req.reply_err(ENOSYS);
}

void op_readlink(request &req)
{
	req.reply_err(ENOSYS);
}

} // namespace fusebpf::daemon
