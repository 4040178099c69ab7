// SPDX-License-Identifier: GPL-2.0-or-later
//
// backing_ops.h: the backing operation of each op, on decoded inputs; no
// replies.
//
// Each do_<op>() does what the op means on the backing tree, given the
// decoded wire arguments, and fills the wire output struct. It returns 0 or
// a positive errno, reads nothing from a request and never replies, so the
// filter layer can call it between a prefilter (which may have rewritten the
// inputs) and a postfilter (which may rewrite the outputs). The caller's
// credentials are already in force (the dispatcher's caller_creds scope).
// op_<op>(request &) in ops_*.cc decodes, calls do_<op>() and replies.
//
// Names are validated components (validate_name()) and NUL-terminated
// (name.data()[name.size()] == '\0'), as arg_reader::name() delivers them;
// callers that build names themselves must keep both properties.
#pragma once

#include "daemon/backing/inode_table.h"
#include "daemon/backing/open_files.h"

#include <fusebpf/fuse_wire.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace fusebpf::daemon {

class session;

// ===== daemon core (ops/lookup.cc, ops/file.cc, ops/dir.cc) =====

int do_getattr(session &s, inode &node, const fuse_getattr_in &in, fuse_attr_out &out);

// node is shared because the open file keeps it.
int do_open(session &s, const inode_ptr &node, const fuse_open_in &in, fuse_open_out &out);
// In a directory whose binding filters LOOKUP, the create is exclusive
// unless the binding's lookup filters show the existing entry to `caller`
// (name_guard.h).
int do_create(session &s, const fuse_in_header &caller, inode &parent, const fuse_create_in &in,
              std::string_view name, fuse_entry_out &entry, fuse_open_out &open);
// Reads up to in.size bytes (at most buf.size()) into buf; *n gets the count.
// buf must be page-aligned (O_DIRECT backing files need it): read_buffer().
int do_read(session &s, const fuse_read_in &in, std::span<std::byte> buf, size_t &n);
int do_write(session &s, const fuse_write_in &in, std::span<const std::byte> data,
             fuse_write_out &out);
int do_flush(session &s, const fuse_flush_in &in);
// Drops the fh (and its passthrough reference); the lock hook runs before.
int do_release(session &s, const fuse_release_in &in);
int do_fsync(session &s, const fuse_fsync_in &in);

int do_opendir(session &s, const inode_ptr &node, const fuse_open_in &in, fuse_open_out &out);
int do_releasedir(session &s, const fuse_release_in &in);
int do_fsyncdir(session &s, const fuse_fsync_in &in);

// A directory entry read from the backing dir, before it is packed.
struct dir_entry {
	std::string name;
	uint64_t ino = 0;
	uint32_t type = 0;     // DT_* (d_type)
	uint64_t next_off = 0; // offset to continue after this entry
	// READDIRPLUS only: the entry reply; entry.nodeid != 0 means one kernel
	// lookup reference was taken for it. A filter that drops such an entry
	// must give the reference back: s.inodes().forget(entry.nodeid, 1).
	fuse_entry_out entry = {};
};

// Reads the entries of the open directory in.fh from in.offset, as many as
// fit in a reply of in.size bytes (READDIR records, or READDIRPLUS records
// with `plus`, which also looks each one up except "." and ".."). An empty
// result is the end of the directory.
int do_readdir(session &s, const fuse_read_in &in, bool plus, std::vector<dir_entry> &out);

// Packs entries into buf (at most buf.size() bytes); returns the bytes used.
// Entries that do not fit are left out (with plus, their lookup reference
// is given back).
size_t pack_dir_entries(session &s, std::vector<dir_entry> &entries, bool plus,
                        std::span<std::byte> buf);

// A page-aligned per-thread buffer of at least `size` bytes (READ data).
std::span<std::byte> read_buffer(size_t size);

// The backing ops of ops/namespace.cc, ops/attr.cc, ops/xattr.cc, ops/locks.cc
// and ops/ranges.cc.

// ---- namespace (ops/namespace.cc): one *at() call on the parent's O_PATH fd ----
int do_mknod(session &s, inode &parent, const fuse_mknod_in &in, std::string_view name,
             fuse_entry_out &out);
int do_mkdir(session &s, inode &parent, const fuse_mkdir_in &in, std::string_view name,
             fuse_entry_out &out);
// target: the link's contents, stored verbatim (never resolved).
int do_symlink(session &s, inode &parent, std::string_view name, std::string_view target,
               fuse_entry_out &out);
// Links the existing node `target` as newparent/newname; out is target's entry (+1 lookup).
int do_link(session &s, const inode_ptr &target, inode &newparent, std::string_view newname,
            fuse_entry_out &out);
int do_unlink(session &s, inode &parent, std::string_view name);
int do_rmdir(session &s, inode &parent, std::string_view name);
// flags: 0 or RENAME_NOREPLACE / RENAME_EXCHANGE / RENAME_WHITEOUT (renameat2).
int do_rename(session &s, inode &olddir, std::string_view oldname, inode &newdir,
              std::string_view newname, uint32_t flags);
// target gets the link's bytes (no NUL); EINVAL if node is not a symlink.
int do_readlink(session &s, inode &node, std::string &target);

// ---- attributes (ops/attr.cc) ----
// Applies mode, owner, size (by in.fh with FATTR_FH), times; out is the new attr.
int do_setattr(session &s, inode &node, const fuse_setattr_in &in, fuse_attr_out &out);
// The kernel's FUSE_WRITE_KILL_SUIDGID / FATTR_KILL_SUIDGID /
// FUSE_OPEN_KILL_SUIDGID (the caller lacks CAP_FSETID): clears S_ISUID, and
// S_ISGID if group-executable or the caller is not in the file's group, of
// a regular file when the thread runs with fsuid 0 (and so has CAP_FSETID,
// which made the backing fs keep them). Returns 0 or an errno.
int kill_suidgid(const inode &node);
int do_access(session &s, inode &node, const fuse_access_in &in);
int do_statfs(session &s, inode &node, fuse_statfs_out &out);

// ---- extended attributes (ops/xattr.cc) ----
int do_setxattr(session &s, inode &node, const fuse_setxattr_in &in, std::string_view name,
                std::span<const std::byte> value);
// in.size 0: only `size` is set (a probe). Else value gets the bytes (ERANGE
// if more than in.size) and size their count. Same for the name list.
int do_getxattr(session &s, inode &node, const fuse_getxattr_in &in, std::string_view name,
                std::vector<char> &value, uint32_t &size);
int do_listxattr(session &s, inode &node, const fuse_getxattr_in &in, std::vector<char> &list,
                 uint32_t &size);
int do_removexattr(session &s, inode &node, std::string_view name);

// ---- locks (ops/locks.cc) ----
// How do_setlk() waits (SETLKW, blocking flock) so that an interrupt can end
// the wait: run() calls wait(arg), a blocking call returning 0 or -errno, and
// returns its result or -EINTR. For requests: request::interruptible().
class lock_waiter {
public:
	virtual int run(int (*wait)(void *arg), void *arg) = 0;

protected:
	~lock_waiter() = default;
};
int do_getlk(session &s, const fuse_lk_in &in, fuse_lk_out &out);
// wait: SETLKW. FUSE_LK_FLOCK in in.lk_flags: a flock(2) lock on the fh.
int do_setlk(session &s, const fuse_lk_in &in, bool wait, lock_waiter &waiter);

// ---- byte ranges of open files (ops/ranges.cc): on the backing fd of in.fh ----
int do_fallocate(session &s, const fuse_fallocate_in &in);
int do_lseek(session &s, const fuse_lseek_in &in, fuse_lseek_out &out);
int do_copy_file_range(session &s, const fuse_copy_file_range_in &in, fuse_write_out &out);

} // namespace fusebpf::daemon
