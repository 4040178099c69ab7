// SPDX-License-Identifier: GPL-2.0-or-later
//
// backing: the few ways handlers touch the backing tree, done safely.
//
// Rules every handler follows (and these helpers implement):
//   - Everything is relative to a node's O_PATH fd (inode::pin(), held in
//     a pinned_fd for as long as it is used), never to a path string, and
//     a name is one validated component (request.h: validate_name), so
//     nothing can leave the backing root.
//   - The daemon never follows a symlink itself: *at() calls get
//     AT_SYMLINK_NOFOLLOW / O_NOFOLLOW; a symlink node is only ever
//     readlink'ed, stat'ed or have its xattrs read through its O_PATH fd.
//   - An O_PATH fd is turned into a real open file through /proc/self/fd/N
//     (reopen_inode()), only for regular files and directories, so the
//     magic link can only lead back to the inode we already hold.
//   - Functions return 0 or a positive errno (errno's own sign); the op path
//     (ops/op_path.h) turns it into the -errno a reply carries.
#pragma once

#include "common/unique_fd.h"
#include "daemon/backing/inode_table.h"

#include <fusebpf/fuse_wire.h>

#include <sys/stat.h>

#include <string>
#include <string_view>

namespace fusebpf::daemon {

class backing_tree;

// stat of the node itself (fstatat(fd, "", AT_EMPTY_PATH|AT_SYMLINK_NOFOLLOW)).
int stat_node(const inode &node, struct stat &st);

// Converts a stat into the wire attribute (ino, size, times, mode, ...).
void fill_attr(const struct stat &st, struct fuse_attr &out);

// Fills a GETATTR/SETATTR reply from st with the session's attr timeout.
void fill_attr_out(const backing_tree &s, const struct stat &st, struct fuse_attr_out &out);

// Looks up `name` (already validated) in directory `parent` on the backing
// fs without following a final symlink, registers the child with one kernel
// lookup reference (inode_table::add_lookup) and fills `out` (nodeid,
// generation, timeouts, attributes) and records `name` as the node's
// kernel name. Returns 0 or an errno (ENOENT, EACCES, ENOTDIR, ...). Every
// backing step that creates something ends with it (ops/namespace.cc).
int lookup_entry(backing_tree &s, const inode &parent, std::string_view name,
                 struct fuse_entry_out &out);

// The second half of lookup_entry(), for a child found another way (a
// lookup handler's backing path, node_filters.cc): registers the backing
// inode of `opath` as `name` in `parent` with one kernel lookup reference
// and fills `out`. Returns 0 or an errno.
int enter_node(backing_tree &s, const inode &parent, std::string_view name, unique_fd opath,
               struct fuse_entry_out &out);

// Fills an entry for a node already in the table and adds one kernel lookup
// reference to it (LINK replies the existing node; READDIRPLUS uses it).
// Re-stats the node. Returns 0 or an errno (then no reference was added).
int entry_for_node(backing_tree &s, const inode_ptr &node, struct fuse_entry_out &out);

// Fills an entry reply for a node from its stat (timeouts from the session).
// Adds no lookup reference: use after inode_table::add_lookup() did.
void fill_entry(const backing_tree &s, const inode &node, const struct stat &st,
                struct fuse_entry_out &out);

// Fills a negative entry (nodeid 0) cached for the negative timeout, for a
// LOOKUP that found nothing: the kernel then remembers the ENOENT.
void fill_negative_entry(const backing_tree &s, struct fuse_entry_out &out);

// Opens the node as a real file with open(2) flags (O_CREAT/O_EXCL/O_NOCTTY
// are dropped, O_NOFOLLOW is implied by the type check) through
// /proc/self/fd/N. Only for regular files and directories (else EINVAL; a
// symlink gives ELOOP). Runs with the caller's credentials, so it makes the
// same permission checks as a native open.
// fsync(2) of fd, or fdatasync(2) with FUSE_FSYNC_FDATASYNC in
// fsync_flags. 0 or a positive errno.
int sync_fd(int fd, uint32_t fsync_flags);

int reopen_inode(const backing_tree &s, const inode &node, int flags, unique_fd &out);

// "/proc/self/fd/N" for APIs without an *at() form that must reach the node
// of an O_PATH fd (getxattr/setxattr/listxattr/removexattr, truncate,
// utimensat(AT_FDCWD, path, ..., 0)). These follow the magic link, which
// always leads to the node itself. Careful with l*() variants: they act on
// the /proc link, not on the node.
std::string proc_fd_path(int fd);

} // namespace fusebpf::daemon
