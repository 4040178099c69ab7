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

#include "daemon/backing/open_files.h"

#include <fusebpf/fuse_wire.h>

namespace fusebpf::daemon {

class backing_tree;

// Why an open wants the classic data path.
enum class classic_reason {
	none,     // passthrough if the kernel takes it
	filtered, // its binding filters data
	set_id,   // a set-user-ID or set-group-ID (with group x) file, see below
};

// Sets up the data path of a newly opened file. With passthrough sets
// f.passthrough, FOPEN_PASSTHROUGH in out.open_flags and out.backing_id; a
// classic open for a reason sets f.classic; otherwise leaves them unset
// (classic path). Never fails the open. The first O_RDWR passthrough open
// of an inode drops the kernel's cached attributes of it (see
// passthrough_attr_valid()).
//
// set_id: a passthrough write runs in the kernel with the credentials of
// whoever opened the inode first (the backing id keeps them), so whether
// the backing fs clears S_ISUID/S_ISGID would depend on that opener, not on
// the writer. Such files take the classic path: each WRITE runs as its
// caller, and FUSE_WRITE_KILL_SUIDGID covers a root caller without
// CAP_FSETID (kill_suidgid()).
void passthrough_open(backing_tree &s, open_file &f, struct fuse_open_out &out, classic_reason why);

// The attribute timeout for a reply carrying node's attributes (GETATTR,
// SETATTR, LOOKUP, READDIRPLUS): 0 while the inode has O_RDWR passthrough
// opens, else unchanged. A write through a shared mapping of a passthrough
// file changes the backing file's mtime and ctime in the kernel, and
// nothing tells the FUSE inode (msync() syncs the backing file directly);
// such a mapping needs an O_RDWR open. So while one exists every stat asks
// the backing fs, and the first one invalidates what was cached before
// (FUSE_NOTIFY_INVAL_INODE, attributes only). write(2) and read(2) need
// none of this: the kernel itself invalidates mtime/ctime/size after a
// passthrough write and atime after a passthrough read or mmap().
void passthrough_attr_valid(const inode &node, __u64 &sec, __u32 &nsec);

// Drops f's reference on its inode's backing id (on RELEASE); the last one
// closes the id with FUSE_DEV_IOC_BACKING_CLOSE. Drops a filtered classic
// open's count likewise.
void passthrough_release(backing_tree &s, open_file &f);

} // namespace fusebpf::daemon
