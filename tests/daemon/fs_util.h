// SPDX-License-Identifier: GPL-2.0-or-later
//
// fs_util: small file-system helpers the daemon tests share (whole-file
// read and write come from tests/support/fs.h): lstat snapshots that compare
// and print well, directory listings (readdir and raw getdents64), xattr
// listings, and a tree snapshot used to compare a mount's backing tree with
// a native one.
//
// Everything works on plain paths and returns values (or errno via
// sys_result); nothing here knows about mounts. Not a general library: just
// what the tests in this directory need.
#pragma once

#include "tests/support/fs.h"
#include "tests/support/run_as.h"

#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <sys/stat.h>
#include <vector>

namespace fusebpf::test {

// gtest printer for sys_result ("-1 EACCES (Permission denied)").
inline void PrintTo(const sys_result &r, std::ostream *os)
{
	*os << describe(r);
}

// The attributes two views of one file must agree on (not ino/dev/times).
struct attrs {
	mode_t mode = 0; // type and permission bits
	uid_t uid = 0;
	gid_t gid = 0;
	off_t size = 0;
	nlink_t nlink = 0;
	dev_t rdev = 0;

	bool operator==(const attrs &) const = default;
};
std::ostream &operator<<(std::ostream &os, const attrs &a);
attrs to_attrs(const struct stat &st);
// lstat() as attrs; nullopt with errno on error.
std::optional<attrs> lattrs(const std::string &path);

// Names in a directory (without . and ..), sorted, via readdir(3).
std::vector<std::string> list_dir(const std::string &path);

// One getdents64 entry.
struct dirent_info {
	std::string name;
	unsigned char type = 0;
	unsigned long long ino = 0;
};
// Reads a directory with raw getdents64 calls of `buf_size` bytes each; counts
// the calls that returned entries in *calls. Includes . and .. as returned.
sys_result getdents_all(const std::string &path, size_t buf_size, std::vector<dirent_info> &out,
                        int *calls = nullptr);

// user.* xattrs of a path (not following symlinks): name -> value.
std::map<std::string, std::string> xattrs_of(const std::string &path);

// A recursive, comparable picture of a tree: one line per entry, sorted by
// path, with type, mode, owner, size, link count, content / symlink target and
// xattrs. Two trees are equal iff their snapshots are.
std::map<std::string, std::string> snapshot_tree(const std::string &root);

// Line-by-line differences of two snapshots ("" if equal), at most `max` lines.
std::string diff_snapshots(const std::map<std::string, std::string> &a, const char *a_name,
                           const std::map<std::string, std::string> &b, const char *b_name,
                           size_t max = 20);

} // namespace fusebpf::test
