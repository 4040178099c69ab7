// SPDX-License-Identifier: GPL-2.0-or-later
//
// Attribute ops: setattr (truncate, utimens, chmod, chown), access, statfs.
//
// SCAFFOLD written by the daemon-core engineer so the tree builds: every
// handler here answers ENOSYS. The second daemon engineer owns this file
// and replaces these bodies with the real implementations (see ops.h for
// the contract and /work/notes/daemon-interfaces-ready.md for a guide).
#include "daemon/ops.h"

#include <cerrno>

namespace fusebpf::daemon {

void op_setattr(request &req)
{
	req.reply_err(ENOSYS);
}

void op_access(request &req)
{
	req.reply_err(ENOSYS);
}

void op_statfs(request &req)
{
	req.reply_err(ENOSYS);
}

} // namespace fusebpf::daemon
