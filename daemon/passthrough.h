// SPDX-License-Identifier: GPL-2.0-or-later
//
// Kernel FUSE passthrough (7.40): file data that never reaches the daemon.
//
// On the first open of an inode the daemon registers its own open fd of the
// backing file with FUSE_DEV_IOC_BACKING_OPEN and gets a backing id; the
// OPEN/CREATE reply carries FOPEN_PASSTHROUGH + that id, and from then on
// the kernel does read/write/splice/mmap on the backing file itself. Facts
// measured on 6.18 (DESIGN.md) that shape this:
//   - one backing id per inode: two opens of one inode with different ids
//     fail with EIO, so later opens reuse the id (inode::backing_users
//     counts them);
//   - closing the id right after the OPEN reply breaks that open (EIO), so
//     it is closed on the last RELEASE;
//   - cached-I/O and passthrough opens of one inode must not mix, so once an
//     inode was refused (BACKING_OPEN failed: no read_iter/write_iter,
//     stacking too deep) all its opens take the classic path.
// When the kernel or a file refuses, the open falls back to the classic
// data path and the daemon says so once in the log.
#pragma once

#include "daemon/open_files.h"

#include <fusebpf/fuse_wire.h>

namespace fusebpf::daemon {

class session;

// Tries to set up passthrough for a newly opened file. On success sets
// f.passthrough, FOPEN_PASSTHROUGH in out.open_flags and out.backing_id;
// on refusal leaves them unset (classic path). Never fails the open.
void passthrough_open(session &s, open_file &f, struct fuse_open_out &out);

// Drops f's reference on its inode's backing id (on RELEASE); the last one
// closes the id with FUSE_DEV_IOC_BACKING_CLOSE.
void passthrough_release(session &s, open_file &f);

} // namespace fusebpf::daemon
