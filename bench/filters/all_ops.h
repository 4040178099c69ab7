/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * all_ops.h - FUSEBPF_FOR_EACH_OP(X): X(op) for every op of the filter ABI,
 * lower case as in the section names, so a benchmark table can put a
 * program into every slot without 33 hand-written functions.  The list must
 * match FUSEBPF_OP_NAMES in <fusebpf/filter_abi.h>; the _Static_assert in
 * each table checks the count.
 */
#ifndef FUSEBPF_BENCH_ALL_OPS_H
#define FUSEBPF_BENCH_ALL_OPS_H

/* One line per group of ops, not clang-format's layout. */
/* clang-format off */
#define FUSEBPF_FOR_EACH_OP(X)                                                                     \
	X(lookup) X(getattr) X(setattr) X(access) X(open) X(opendir) X(release) X(releasedir)      \
	X(create) X(mknod) X(mkdir) X(unlink) X(rmdir) X(rename) X(link) X(symlink) X(readlink)   \
	X(read) X(write) X(flush) X(fsync) X(fsyncdir) X(fallocate) X(lseek) X(copy_file_range)    \
	X(readdir) X(statfs) X(getxattr) X(setxattr) X(listxattr) X(removexattr) X(getlk)          \
	X(setlk)
/* clang-format on */

#define FUSEBPF_COUNT_ONE(op) +1
#define FUSEBPF_ALL_OPS_COUNT (0 FUSEBPF_FOR_EACH_OP(FUSEBPF_COUNT_ONE))

#endif
