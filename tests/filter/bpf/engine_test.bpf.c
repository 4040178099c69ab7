// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * engine_test.bpf.c - the table the filter engine tests run through
 * daemon/filter/engine.h.  Each program pins down one rule of the state
 * machine so a test can drive it from the context alone:
 *
 *  - prefilters of getattr, setattr, unlink, rmdir, open, read, write and
 *    setxattr return the verdict chosen by meta.nodeid (verdict_by_nodeid):
 *    1000+v -> verdict v (0..5), 1042 -> 42 (garbage), 2000+e -> -e, else
 *    CONTINUE;
 *  - every program checks its opcode decoration (FUSE_PREFILTER /
 *    FUSE_POSTFILTER) and the ABI version in meta, and returns garbage (99)
 *    if it is wrong, so a wrong decoration fails the test with EIO;
 *  - lookup: "hidden" -> -ENOENT; "alias" -> rewritten to "target"; names
 *    starting with "post" -> POSTFILTER; "upre" -> USER_PREFILTER; "user"
 *    -> USER; "upost" -> USER_POSTFILTER; else by nodeid.  The postfilter
 *    maps error_in -ENOENT to -EPERM, writes out.entry.attr.size = 4242,
 *    out.entry.attr.rdev = -error_in, and scribbles on its input name (which
 *    the engine must ignore);
 *  - getattr post: clears the write bits, reports error_in in attr.rdev, and
 *    returns the verdict chosen by in.fh (0 CONTINUE, 1..5 that verdict, 42
 *    garbage, 2000+e -> -e);
 *  - mkdir: pre "deny" -> -EACCES else POSTFILTER; post maps -EEXIST to
 *    -EPERM and sets out.entry.attr.ino = 777 on success (the patch sets'
 *    bpf_test_alter_errcode_bpf);
 *  - readdir: pre POSTFILTER; post drops every entry named "secret" and
 *    renames "old" to "new" (one call per batch);
 *  - setxattr: pre "user.deny" -> -EPERM; "user.upper" upper-cases the
 *    first byte of the value (input rewrite);
 *  - no default_filter: a missing program is CONTINUE.
 */
#include "fusebpf.bpf.h"

#define GARBAGE_VERDICT 99

static __always_inline int verdict_by_nodeid(const struct fusebpf_meta *m)
{
	__u64 n = m->nodeid;

	if (n >= 1000 && n <= 1005)
		return (int)(n - 1000);
	if (n == 1042)
		return 42;
	if (n >= 2000 && n < 2200)
		return -(int)(n - 2000);
	return BPF_FUSE_CONTINUE;
}

static __always_inline bool meta_ok(const struct fusebpf_meta *m, __u32 opcode, __u32 side)
{
	return m->opcode == (opcode | side) && m->abi_version == FUSEBPF_ABI_VERSION;
}

#define NODEID_PREFILTER(op, OPCODE)                                                               \
	FUSEBPF_PREFILTER(op)                                                                      \
	int engine_test_##op##_prefilter(struct fusebpf_##op##_ctx *ctx)                           \
	{                                                                                          \
		if (!meta_ok(&ctx->meta, OPCODE, FUSE_PREFILTER))                                  \
			return GARBAGE_VERDICT;                                                    \
		return verdict_by_nodeid(&ctx->meta);                                              \
	}

NODEID_PREFILTER(getattr, FUSE_GETATTR)
NODEID_PREFILTER(setattr, FUSE_SETATTR)
NODEID_PREFILTER(unlink, FUSE_UNLINK)
NODEID_PREFILTER(rmdir, FUSE_RMDIR)
NODEID_PREFILTER(open, FUSE_OPEN)
NODEID_PREFILTER(read, FUSE_READ)
NODEID_PREFILTER(write, FUSE_WRITE)

FUSEBPF_PREFILTER(lookup)
int engine_test_lookup_prefilter(struct fusebpf_lookup_ctx *ctx)
{
	if (!meta_ok(&ctx->meta, FUSE_LOOKUP, FUSE_PREFILTER))
		return GARBAGE_VERDICT;
	if (fusebpf_name_eq(&ctx->name, "hidden"))
		return -ENOENT;
	if (fusebpf_name_eq(&ctx->name, "alias")) {
		ctx->name.name[0] = 't';
		ctx->name.name[1] = 'a';
		ctx->name.name[2] = 'r';
		ctx->name.name[3] = 'g';
		ctx->name.name[4] = 'e';
		ctx->name.name[5] = 't';
		ctx->name.name[6] = '\0';
		ctx->name.len = 6;
		return BPF_FUSE_CONTINUE;
	}
	if (fusebpf_name_has_prefix(&ctx->name, "post"))
		return BPF_FUSE_POSTFILTER;
	if (fusebpf_name_eq(&ctx->name, "upre"))
		return BPF_FUSE_USER_PREFILTER;
	if (fusebpf_name_eq(&ctx->name, "upost"))
		return BPF_FUSE_USER_POSTFILTER;
	if (fusebpf_name_has_prefix(&ctx->name, "user"))
		return BPF_FUSE_USER;
	return verdict_by_nodeid(&ctx->meta);
}

FUSEBPF_POSTFILTER(lookup)
int engine_test_lookup_postfilter(struct fusebpf_lookup_ctx *ctx)
{
	if (!meta_ok(&ctx->meta, FUSE_LOOKUP, FUSE_POSTFILTER))
		return GARBAGE_VERDICT;
	/* Inputs are read-only here: the engine must undo this. */
	ctx->name.name[0] = 'X';
	ctx->out.entry.attr.rdev = (__u32)(-ctx->meta.error_in);
	if (ctx->meta.error_in == -ENOENT)
		return -EPERM;
	ctx->out.entry.attr.size = 4242;
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_POSTFILTER(getattr)
int engine_test_getattr_postfilter(struct fusebpf_getattr_ctx *ctx)
{
	__u64 fh = ctx->in.fh;

	if (!meta_ok(&ctx->meta, FUSE_GETATTR, FUSE_POSTFILTER))
		return GARBAGE_VERDICT;
	ctx->out.attr.mode &= ~0222;
	ctx->out.attr.rdev = (__u32)(-ctx->meta.error_in);
	ctx->in.fh = 12345; /* read-only: ignored */
	if (fh >= 1 && fh <= 5)
		return (int)fh;
	if (fh == 42)
		return 42;
	if (fh >= 2000 && fh < 2200)
		return -(int)(fh - 2000);
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_PREFILTER(mkdir)
int engine_test_mkdir_prefilter(struct fusebpf_mkdir_ctx *ctx)
{
	if (!meta_ok(&ctx->meta, FUSE_MKDIR, FUSE_PREFILTER))
		return GARBAGE_VERDICT;
	if (fusebpf_name_eq(&ctx->name, "deny"))
		return -EACCES;
	return BPF_FUSE_POSTFILTER;
}

FUSEBPF_POSTFILTER(mkdir)
int engine_test_mkdir_postfilter(struct fusebpf_mkdir_ctx *ctx)
{
	if (!meta_ok(&ctx->meta, FUSE_MKDIR, FUSE_POSTFILTER))
		return GARBAGE_VERDICT;
	if (ctx->meta.error_in == -EEXIST)
		return -EPERM;
	if (ctx->meta.error_in == 0)
		ctx->out.entry.attr.ino = 777;
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_PREFILTER(readdir)
int engine_test_readdir_prefilter(struct fusebpf_readdir_ctx *ctx)
{
	if (!meta_ok(&ctx->meta, FUSE_READDIR, FUSE_PREFILTER) &&
	    !meta_ok(&ctx->meta, FUSE_READDIRPLUS, FUSE_PREFILTER))
		return GARBAGE_VERDICT;
	return BPF_FUSE_POSTFILTER;
}

FUSEBPF_POSTFILTER(readdir)
int engine_test_readdir_postfilter(struct fusebpf_readdir_ctx *ctx)
{
	if (!meta_ok(&ctx->meta, FUSE_READDIR, FUSE_POSTFILTER) &&
	    !meta_ok(&ctx->meta, FUSE_READDIRPLUS, FUSE_POSTFILTER))
		return GARBAGE_VERDICT;
	/*
	 * Not fusebpf_dirent_read(): inlined in this loop, clang hoists
	 * &ctx->out and the verifier refuses the b->count load through the
	 * modified ctx pointer.  Read count once, copy entries with the helper.
	 */
	__u32 count = ctx->out.count;
	for (__u32 i = 0; i < FUSEBPF_READDIR_BATCH && i < count; i++) {
		struct fusebpf_dirent e;

		if (bpf_probe_read_kernel(&e, sizeof(e), &ctx->out.entries[i]))
			break;
		if (e.namelen > FUSEBPF_NAME_MAX)
			e.namelen = FUSEBPF_NAME_MAX;
		if (fusebpf_bytes_eq(e.name, e.namelen, "secret"))
			ctx->out.drop_mask |= 1ULL << i;
	}
	/* Rewrites need constant indexes into the context: unrolled. */
#pragma clang loop unroll(full)
	for (__u32 i = 0; i < FUSEBPF_READDIR_BATCH; i++) {
		if (i < count && fusebpf_bytes_eq(ctx->out.entries[i].name,
		                                  ctx->out.entries[i].namelen, "old")) {
			ctx->out.entries[i].name[0] = 'n';
			ctx->out.entries[i].name[1] = 'e';
			ctx->out.entries[i].name[2] = 'w';
		}
	}
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_PREFILTER(setxattr)
int engine_test_setxattr_prefilter(struct fusebpf_setxattr_ctx *ctx)
{
	if (!meta_ok(&ctx->meta, FUSE_SETXATTR, FUSE_PREFILTER))
		return GARBAGE_VERDICT;
	if (fusebpf_name_eq(&ctx->name, "user.deny"))
		return -EPERM;
	if (fusebpf_name_eq(&ctx->name, "user.upper")) {
		char c = ctx->value.data[0];

		if (ctx->value.size > 0 && c >= 'a' && c <= 'z')
			ctx->value.data[0] = c - 'a' + 'A';
		return BPF_FUSE_CONTINUE;
	}
	return verdict_by_nodeid(&ctx->meta);
}

FUSEBPF_OPS_DEFINE(engine_test);
char LICENSE[] SEC("license") = "GPL";
