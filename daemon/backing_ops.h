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

#include "daemon/inode_table.h"
#include "daemon/open_files.h"

#include <fusebpf/fuse_wire.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace fusebpf::daemon {

class session;

// ===== daemon core (ops_lookup.cc, ops_file.cc, ops_dir.cc) =====

int do_lookup(session &s, inode &parent, std::string_view name, fuse_entry_out &out);
int do_getattr(session &s, inode &node, const fuse_getattr_in &in, fuse_attr_out &out);

// node is shared because the open file keeps it.
int do_open(session &s, const inode_ptr &node, const fuse_open_in &in, fuse_open_out &out);
int do_create(session &s, inode &parent, const fuse_create_in &in, std::string_view name,
              fuse_entry_out &entry, fuse_open_out &open);
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

// ===== ops engineer (ops_namespace.cc, ops_attr.cc, ops_xattr.cc, ops_locks.cc,
// ops_file_extra.cc): declarations below this line are owned by the second daemon
// engineer. =====

} // namespace fusebpf::daemon
