// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * readonly.bpf.c - make a subtree (or a whole mount) read-only: every op that
 * would change the backing tree fails with EROFS, as on a read-only mount.
 *
 * Prefilters, all of them without a postfilter (an op without a program
 * costs no BPF run, so reads, lookups and getattrs stay free):
 *  - namespace changes: create, mknod, mkdir, symlink, link, unlink, rmdir,
 *    rename -> -EROFS;
 *  - attribute and xattr changes: setattr (chmod, chown, truncate, utimes),
 *    setxattr, removexattr -> -EROFS;
 *  - open with O_WRONLY/O_RDWR/O_TRUNC -> -EROFS, so nothing gets a
 *    writable file handle; access(W_OK) answers EROFS too.
 * WRITE and FALLOCATE are not filtered: they need a writable handle, which
 * open refuses, and filtering READ or WRITE would take the subtree's files
 * off kernel passthrough.
 *
 * Limits: files opened for writing before the filter was attached keep
 * their handles (as with `mount -o remount,ro` they would make it fail).
 */
#include "fusebpf.bpf.h"

/* Open flags as the kernel passes them (asm-generic values: x86-64, arm64). */
#define RO_O_ACCMODE 00000003
#define RO_O_RDONLY 00000000
#define RO_O_TRUNC 00001000
#define RO_W_OK 2

/* One prefilter per op, all with the same body. */
#define READONLY_DENY(op)                                                                          \
	FUSEBPF_PREFILTER(op)                                                                      \
	int readonly_##op##_prefilter(struct fusebpf_##op##_ctx *ctx)                              \
	{                                                                                          \
		return -EROFS;                                                                     \
	}

READONLY_DENY(create)
READONLY_DENY(mknod)
READONLY_DENY(mkdir)
READONLY_DENY(symlink)
READONLY_DENY(link)
READONLY_DENY(unlink)
READONLY_DENY(rmdir)
READONLY_DENY(rename)
READONLY_DENY(setattr)
READONLY_DENY(setxattr)
READONLY_DENY(removexattr)

/* OPEN: reading is fine; anything that could write is not. */
FUSEBPF_PREFILTER(open)
int readonly_open_prefilter(struct fusebpf_open_ctx *ctx)
{
	__u32 flags = ctx->in.flags;

	if ((flags & RO_O_ACCMODE) != RO_O_RDONLY || (flags & RO_O_TRUNC))
		return -EROFS;
	return BPF_FUSE_CONTINUE;
}

/* ACCESS: access(2) with W_OK reports what a write would get. */
FUSEBPF_PREFILTER(access)
int readonly_access_prefilter(struct fusebpf_access_ctx *ctx)
{
	if (ctx->in.mask & RO_W_OK)
		return -EROFS;
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_OPS_DEFINE(readonly);
char LICENSE[] SEC("license") = "GPL";
