// SPDX-License-Identifier: GPL-2.0-or-later
//
// More file ops: fallocate, lseek (SEEK_DATA/SEEK_HOLE), copy_file_range.
//
// SCAFFOLD written by the daemon-core engineer so the tree builds: every
// handler here answers ENOSYS. The second daemon engineer owns this file
// and replaces these bodies with the real implementations (see ops.h for
// the contract and /work/notes/daemon-interfaces-ready.md for a guide).
#include "daemon/ops.h"

#include <cerrno>

namespace fusebpf::daemon {

void op_fallocate(request &req)
{
	req.reply_err(ENOSYS);
}

void op_lseek(request &req)
{
	req.reply_err(ENOSYS);
}

void op_copy_file_range(request &req)
{
	req.reply_err(ENOSYS);
}

} // namespace fusebpf::daemon
