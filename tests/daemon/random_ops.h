// SPDX-License-Identifier: GPL-2.0-or-later
//
// random_ops: the op generator and executor of the differential test. A seed
// gives a sequence of file operations (create, write at offsets, read,
// truncate, rename with flags, link, unlink, mkdir, rmdir, chmod, chown,
// symlink, readlink, xattrs, O_EXCL opens, stat, readdir, fallocate, access,
// mknod, installing and executing a program, writing through a shared
// mapping, and clearing a directory so the namespace keeps churning) on paths
// from a small namespace, so operations collide and errors are common. apply_op() runs one op below
// a root directory and captures everything observable: return value, errno, and data read.
//
// The sequence depends only on the seed, never on results, so the same ops
// run on a mount and on a native directory can be compared one by one.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace fusebpf::test {

struct random_op {
	enum kind_t {
		create,
		open_excl,
		write,
		read,
		truncate,
		rename,
		link,
		unlink,
		mkdir,
		rmdir,
		chmod,
		chown,
		symlink,
		readlink,
		setxattr,
		getxattr,
		removexattr,
		listxattr,
		stat,
		readdir,
		fallocate,
		access,
		mknod,
		remove_tree,     // unlink or rmdir each of path/{a,b,c,d}, then rmdir path
		install_program, // write /bin/true's bytes to path with mode arg
		exec,            // execve(path), its exit status or errno
		mmap_write,      // write through a shared mapping + msync: did mtime and ctime move
		n_kinds
	} kind;
	std::string path, path2; // relative to the root
	long arg = 0;            // flags, mode, offset, uid... per kind
	long len = 0;            // length, size ...
	uint64_t data_seed = 0;  // content of writes and xattr values

	std::string describe() const;
};

// Observable outcome of one op.
struct op_outcome {
	long ret = 0;
	int err = 0;
	std::string data;

	bool operator==(const op_outcome &) const = default;
	std::string describe() const;
};

class random_op_source {
public:
	explicit random_op_source(uint64_t seed) : rng_(seed) {}
	random_op next();

private:
	uint64_t pick(uint64_t n) { return rng_() % n; }
	std::string path();
	std::mt19937_64 rng_;
};

// Runs `op` with paths below `root`.
op_outcome apply_op(const random_op &op, const std::string &root);

// Runs `count` ops of `seed` on both roots, op by op. Returns "" when every
// outcome matched, else a report: op index, op, both outcomes, recent ops.
std::string run_differential(uint64_t seed, int count, const std::string &mount_root,
                             const std::string &native_root, int *ran = nullptr,
                             int *errors = nullptr);

} // namespace fusebpf::test
