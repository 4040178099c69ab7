// SPDX-License-Identifier: GPL-2.0-or-later
//
// ops.h: every FUSE op handler of the daemon, and which file implements it.
//
// A handler is a `void (request &)` (op_handler), wired in one table
// (op_table.cc). Every op a filter can see is a descriptor that
// serve<Op>() runs (op_path.h): decode, node, binding, the backing step
// with or without the filter engine around it, one reply. The backing steps
// on decoded inputs, do_<op>(), are in backing_ops.h. INIT, DESTROY,
// INTERRUPT, FORGET and BATCH_FORGET are protocol housekeeping (init.cc).
//
// What the dispatcher already did before a handler runs:
//   - counted the request (op_stats), logged it with --debug;
//   - entered a caller_creds scope for the caller (except INIT, DESTROY,
//     FORGET, BATCH_FORGET, INTERRUPT);
//   - split the extensions off (req.ext_groups()).

// Valid replies per op (as in fuse_lowlevel.h):
//   LOOKUP, MKNOD, MKDIR, SYMLINK, LINK       fuse_entry_out (lookup_entry())
//   GETATTR, SETATTR                         fuse_attr_out (fill_attr_out())
//   READLINK                                 the target bytes, no NUL
//   UNLINK, RMDIR, RENAME, RENAME2, ...      reply_ok() or reply_err()
//   OPEN, OPENDIR                            fuse_open_out
//   CREATE                                   fuse_entry_out + fuse_open_out
//   READ                                     data (reply_iov)
//   WRITE                                    fuse_write_out
//   STATFS                                   fuse_statfs_out
//   GETXATTR, LISTXATTR                      size 0: fuse_getxattr_out with
//                                            the needed size; else the bytes
//                                            (ERANGE if they don't fit)
//   GETLK                                    fuse_lk_out
//   LSEEK                                    fuse_lseek_out
//   COPY_FILE_RANGE                          fuse_write_out
//   FORGET, BATCH_FORGET, INTERRUPT          reply_none()
#pragma once

#include "daemon/fuse/dispatch.h"
#include "daemon/fuse/request.h"

namespace fusebpf::daemon {

// ---- protocol (init.cc), names and attributes (lookup.cc), files (file.cc), directories (dir.cc)
// ----
void op_init(request &req);
void op_destroy(request &req);
void op_interrupt(request &req);
void op_lookup(request &req);
void op_forget(request &req);
void op_batch_forget(request &req);
extern const op_handler op_getattr;
extern const op_handler op_open;
extern const op_handler op_create;
extern const op_handler op_read;
extern const op_handler op_write;
extern const op_handler op_flush;
extern const op_handler op_release;
extern const op_handler op_fsync;
extern const op_handler op_opendir;
extern const op_handler op_readdir;
extern const op_handler op_readdirplus;
extern const op_handler op_releasedir;
extern const op_handler op_fsyncdir;

// ---- namespace (namespace.cc) ----
extern const op_handler op_mknod;
extern const op_handler op_mkdir;
extern const op_handler op_symlink;
extern const op_handler op_link;
extern const op_handler op_unlink;
extern const op_handler op_rmdir;
extern const op_handler op_rename;
extern const op_handler op_rename2;
extern const op_handler op_readlink;

// ---- attributes (attr.cc) ----
extern const op_handler op_setattr;
extern const op_handler op_access;
extern const op_handler op_statfs;

// ---- extended attributes (xattr.cc) ----
extern const op_handler op_setxattr;
extern const op_handler op_getxattr;
extern const op_handler op_listxattr;
extern const op_handler op_removexattr;

// ---- locks (locks.cc) ----
extern const op_handler op_getlk;
extern const op_handler op_setlk;
extern const op_handler op_setlkw;
// Hooks the core file handlers call so lock state follows the open files:
// FLUSH calls locks_on_flush() with the lock owner the kernel sent (POSIX
// locks of that owner go away when it closes any fd of the file); RELEASE
// calls locks_on_release() before the file is closed (release_flags has
// FUSE_RELEASE_FLOCK_UNLOCK when the kernel wants the flock dropped).
// Defined in ops/locks.cc; they run as the caller and must not reply.
struct open_file;
void locks_on_flush(request &req, open_file &f, uint64_t lock_owner);
void locks_on_release(request &req, open_file &f, uint32_t release_flags, uint64_t lock_owner);

// ---- byte ranges of open files (ranges.cc) ----
extern const op_handler op_fallocate;
extern const op_handler op_lseek;
extern const op_handler op_copy_file_range;

} // namespace fusebpf::daemon
