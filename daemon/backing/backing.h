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
//   - Functions return 0 or a positive errno, ready for request::reply_err.
#pragma once

#include "common/unique_fd.h"
#include "daemon/backing/inode_table.h"

#include <fusebpf/fuse_wire.h>

#include <sys/stat.h>

#include <string>
#include <string_view>

namespace fusebpf::daemon {

class session;

// stat of the node itself (fstatat(fd, "", AT_EMPTY_PATH|AT_SYMLINK_NOFOLLOW)).
int stat_node(const inode &node, struct stat &st);

// Converts a stat into the wire attribute (ino, size, times, mode, ...).
void fill_attr(const struct stat &st, struct fuse_attr &out);

// Fills a GETATTR/SETATTR reply from st with the session's attr timeout.
void fill_attr_out(const session &s, const struct stat &st, struct fuse_attr_out &out);

// Looks up `name` (already validated) in directory `parent` on the backing
// fs without following a final symlink, registers the child with one kernel
// lookup reference (inode_table::add_lookup) and fills `out` (nodeid,
// generation, timeouts, attributes). Returns 0 or an errno (ENOENT, EACCES,
// ENOTDIR, ...). This is how every handler that creates something answers:
//
//	pinned_fd dir = parent->pin();
//	if (!dir) return req.reply_err(dir.error());
//	if (mkdirat(dir.get(), name_z, mode) < 0) return req.reply_err(errno);
//	fuse_entry_out e;
//	if (int err = lookup_entry(req.sess(), *parent, name, e)) return req.reply_err(err);
//	req.reply(e);
//
// (name_z: the string_view from arg_reader::name() is NUL-terminated in the
// request buffer, so name.data() may be passed to *at() calls directly.)
int lookup_entry(session &s, const inode &parent, std::string_view name,
                 struct fuse_entry_out &out);

// The second half of lookup_entry(), for a child found another way (a
// lookup handler's backing path, node_filters.cc): registers the backing
// inode of `opath` as `name` in `parent` with one kernel lookup reference
// and fills `out`. Returns 0 or an errno.
int enter_node(session &s, const inode &parent, std::string_view name, unique_fd opath,
               struct fuse_entry_out &out);

// Fills an entry for a node already in the table and adds one kernel lookup
// reference to it (LINK replies the existing node; READDIRPLUS uses it).
// Re-stats the node. Returns 0 or an errno (then no reference was added).
int entry_for_node(session &s, const inode_ptr &node, struct fuse_entry_out &out);

// Fills an entry reply for a node from its stat (timeouts from the session).
// Adds no lookup reference: use after inode_table::add_lookup() did.
void fill_entry(const session &s, const inode &node, const struct stat &st,
                struct fuse_entry_out &out);

// Fills a negative entry (nodeid 0) cached for the negative timeout, for a
// LOOKUP that found nothing: the kernel then remembers the ENOENT.
void fill_negative_entry(const session &s, struct fuse_entry_out &out);

// Opens the node as a real file with open(2) flags (O_CREAT/O_EXCL/O_NOCTTY
// are dropped, O_NOFOLLOW is implied by the type check) through
// /proc/self/fd/N. Only for regular files and directories (else EINVAL; a
// symlink gives ELOOP). Runs with the caller's credentials, so it makes the
// same permission checks as a native open.
int reopen_inode(const session &s, const inode &node, int flags, unique_fd &out);

// "/proc/self/fd/N" for APIs without an *at() form that must reach the node
// of an O_PATH fd (getxattr/setxattr/listxattr/removexattr, truncate,
// utimensat(AT_FDCWD, path, ..., 0)). These follow the magic link, which
// always leads to the node itself. Careful with l*() variants: they act on
// the /proc link, not on the node.
std::string proc_fd_path(int fd);

} // namespace fusebpf::daemon
