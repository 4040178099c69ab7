// SPDX-License-Identifier: GPL-2.0-or-later
//
// Kernel FUSE passthrough (7.40): file data that never reaches the daemon.
//
// On the first open of an inode the daemon registers its own open fd of the
// backing file with FUSE_DEV_IOC_BACKING_OPEN and gets a backing id; the
// OPEN/CREATE reply carries FOPEN_PASSTHROUGH + that id, and from then on
// the kernel does read/write/splice/mmap on the backing file itself. Facts
// measured on 6.18 (docs/design.md §4) that shape this:
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
//
// Filtered data (docs/filters.md §6): a file whose binding filters_data()
// (a READ or WRITE filter, or a user filter) is opened on the classic path,
// so every READ/WRITE reaches the daemon and its filters. The kernel fails
// an open with EIO if passthrough and cached-I/O opens of one inode mix, so
// the mode of an inode's first open wins while it stays open:
//   - a filtered open while passthrough opens of the inode exist keeps
//     passthrough (its data is not filtered until they are all closed; a
//     table attached live to a file already open; logged once);
//   - an unfiltered open while filtered (classic) opens exist is classic
//     too (a table detached live).
#pragma once

#include "daemon/open_files.h"

#include <fusebpf/fuse_wire.h>

namespace fusebpf::daemon {

class session;

// Sets up the data path of a newly opened file. filtered: its binding
// filters data (classic path wanted). With passthrough sets f.passthrough,
// FOPEN_PASSTHROUGH in out.open_flags and out.backing_id; a filtered
// classic open sets f.classic; otherwise leaves them unset (classic path).
// Never fails the open.
void passthrough_open(session &s, open_file &f, struct fuse_open_out &out, bool filtered);

// Drops f's reference on its inode's backing id (on RELEASE); the last one
// closes the id with FUSE_DEV_IOC_BACKING_CLOSE. Drops a filtered classic
// open's count likewise.
void passthrough_release(session &s, open_file &f);

} // namespace fusebpf::daemon
