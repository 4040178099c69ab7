// SPDX-License-Identifier: GPL-2.0-or-later
//
// ops.h: every FUSE op handler of the daemon, and which file implements it.
//
// A handler is `void op_<name>(request &req)`: it reads its arguments from
// req.args(), works on the backing tree through the node fds (backing.h) and
// replies exactly once (request.h). The split STYLE.md asks for: a
// `static int do_<name>(...)` returning 0 or an errno does the work and
// knows nothing about replies; the handler turns the result into a reply.
// All wiring is in one table, dispatch.cc.
//
// What the dispatcher already did before a handler runs:
//   - counted the request (op_stats), logged it with --debug;
//   - entered a caller_creds scope for the caller (except INIT, DESTROY,
//     FORGET, BATCH_FORGET, INTERRUPT);
//   - split the extensions off (req.ext_groups()).
// What the handler must do: check req.node() (nullptr -> reply ESTALE),
// validate sizes (get<T>() nullptr -> reply EINVAL), reply once.
//
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

#include "daemon/fuse/request.h"

namespace fusebpf::daemon {

// ---- daemon core (ops/init.cc, ops/lookup.cc, ops/file.cc, ops/dir.cc) ----
void op_init(request &req);
void op_destroy(request &req);
void op_interrupt(request &req);
void op_lookup(request &req);
void op_forget(request &req);
void op_batch_forget(request &req);
void op_getattr(request &req);
void op_open(request &req);
void op_create(request &req);
void op_read(request &req);
void op_write(request &req);
void op_flush(request &req);
void op_release(request &req);
void op_fsync(request &req);
void op_opendir(request &req);
void op_readdir(request &req);
void op_readdirplus(request &req);
void op_releasedir(request &req);
void op_fsyncdir(request &req);

// ---- namespace ops (ops/namespace.cc) ----
void op_mknod(request &req);
void op_mkdir(request &req);
void op_symlink(request &req);
void op_link(request &req);
void op_unlink(request &req);
void op_rmdir(request &req);
void op_rename(request &req);
void op_rename2(request &req);
void op_readlink(request &req);

// ---- attributes (ops/attr.cc) ----
void op_setattr(request &req);
void op_access(request &req);
void op_statfs(request &req);

// ---- extended attributes (ops/xattr.cc) ----
void op_setxattr(request &req);
void op_getxattr(request &req);
void op_listxattr(request &req);
void op_removexattr(request &req);

// ---- locks (ops/locks.cc) ----
void op_getlk(request &req);
void op_setlk(request &req);
void op_setlkw(request &req);
// Hooks the core file handlers call so lock state follows the open files:
// FLUSH calls locks_on_flush() with the lock owner the kernel sent (POSIX
// locks of that owner go away when it closes any fd of the file); RELEASE
// calls locks_on_release() before the file is closed (release_flags has
// FUSE_RELEASE_FLOCK_UNLOCK when the kernel wants the flock dropped).
// Defined in ops/locks.cc; they run as the caller and must not reply.
struct open_file;
void locks_on_flush(request &req, open_file &f, uint64_t lock_owner);
void locks_on_release(request &req, open_file &f, uint32_t release_flags, uint64_t lock_owner);

// ---- more file ops (ops/file_extra.cc) ----
void op_fallocate(request &req);
void op_lseek(request &req);
void op_copy_file_range(request &req);

} // namespace fusebpf::daemon
