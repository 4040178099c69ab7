// SPDX-License-Identifier: GPL-2.0-or-later
//
// Lock ops: getlk, setlk, setlkw (POSIX locks) and flock.
//
// SCAFFOLD written by the daemon-core engineer so the tree builds: every
// handler here answers ENOSYS. The second daemon engineer owns this file
// and replaces these bodies with the real implementations (see ops.h for
// the contract and /work/notes/daemon-interfaces-ready.md for a guide).
#include "daemon/ops.h"

#include <cerrno>

namespace fusebpf::daemon {

void op_getlk(request &req)
{
	req.reply_err(ENOSYS);
}

void op_setlk(request &req)
{
	req.reply_err(ENOSYS);
}

void op_setlkw(request &req)
{
	req.reply_err(ENOSYS);
}

// Until the lock handlers exist, the kernel keeps handling locks locally.
const bool ops_handle_posix_locks = false;
const bool ops_handle_flock_locks = false;

void locks_on_flush(request &, open_file &, uint64_t)
{}

void locks_on_release(request &, open_file &, uint32_t, uint64_t)
{}

} // namespace fusebpf::daemon
