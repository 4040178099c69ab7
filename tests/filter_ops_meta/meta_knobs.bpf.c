// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meta_knobs.bpf.c - the one filter of the ops-meta mount tests: a pre- and
 * a postfilter for every namespace, attribute, xattr and lock op, and a
 * default_filter, all steered by array maps the test writes through their
 * pins, so one object covers every verdict of every op:
 *
 *   knobs[op]  {pre, post, rewrite}: the prefilter returns `pre`, the
 *              postfilter `post` (a verdict or a negative errno); `rewrite`
 *              bits make them change inputs (REWRITE_IN, prefilter) or
 *              outputs (REWRITE_OUT, postfilter), or remap an -EEXIST
 *              backing result to -EPERM (REMAP_EEXIST, postfilter), or
 *              shrink a truncated xattr value (SHRINK, setxattr/getxattr);
 *   dflt[0]    {opcode, verdict}: the default_filter returns `verdict` for
 *              that (undecorated) FUSE opcode and CONTINUE for every other;
 *   calls[2 * op + side], calls[2 * FUSEBPF_OP_COUNT] (default_filter):
 *              how often each program ran, so tests see that it did.
 *
 * Input rewrites (REWRITE_IN): names get 'x' as their first byte (rename:
 * the new name; removexattr: the byte after "user."), setattr/mknod modes
 * become 0600, setxattr values get 'X' as first byte, symlink targets 'x'.
 * Output rewrites (REWRITE_OUT): setattr/mkdir attr mode bits 0704, statfs
 * files 12345 / ffree 123, getxattr value "filtered", listxattr list
 * "user.only", readlink target's first byte 'x', getlk type F_WRLCK.
 */
#include "fusebpf.bpf.h"

#define REWRITE_IN 1u
#define REWRITE_OUT 2u
#define REMAP_EEXIST 4u
#define SHRINK 8u

struct knob {
	__s32 pre;
	__s32 post;
	__u32 rewrite;
	__u32 padding;
};

struct dflt_knob {
	__u32 opcode;
	__s32 verdict;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FUSEBPF_OP_COUNT);
	__type(key, __u32);
	__type(value, struct knob);
} knobs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct dflt_knob);
} dflt SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * FUSEBPF_OP_COUNT + 1);
	__type(key, __u32);
	__type(value, __u64);
} calls SEC(".maps");

static __always_inline void count(__u32 idx)
{
	__u64 *c = bpf_map_lookup_elem(&calls, &idx);
	if (c)
		__sync_fetch_and_add(c, 1);
}

/* The knob of op, counting the call of (op, side). */
static __always_inline struct knob *knob_of(__u32 op, __u32 side)
{
	count(2 * op + side);
	return bpf_map_lookup_elem(&knobs, &op);
}

static __always_inline int pre_verdict(const struct knob *k)
{
	return k ? k->pre : BPF_FUSE_CONTINUE;
}

/* The postfilter's verdict, with the EEXIST -> EPERM remap. */
static __always_inline int post_verdict(const struct knob *k, __s32 error_in)
{
	if (!k)
		return BPF_FUSE_CONTINUE;
	if ((k->rewrite & REMAP_EEXIST) && error_in == -EEXIST)
		return -EPERM;
	return k->post;
}

static __always_inline bool wants(const struct knob *k, __u32 bit)
{
	return k && (k->rewrite & bit);
}

/* Name ops: the first byte of the name becomes 'x'. */
#define NAME_OPS(op, OP, field)                                                                    \
	FUSEBPF_PREFILTER(op)                                                                      \
	int knobs_##op##_prefilter(struct fusebpf_##op##_ctx *ctx)                                 \
	{                                                                                          \
		struct knob *k = knob_of(FUSEBPF_OP_##OP, FUSEBPF_PRE);                            \
		if (wants(k, REWRITE_IN) && ctx->field.len > 0)                                    \
			ctx->field.name[0] = 'x';                                                  \
		return pre_verdict(k);                                                             \
	}

/* Ops whose postfilter only returns its verdict. */
#define PLAIN_POST(op, OP)                                                                         \
	FUSEBPF_POSTFILTER(op)                                                                     \
	int knobs_##op##_postfilter(struct fusebpf_##op##_ctx *ctx)                                \
	{                                                                                          \
		struct knob *k = knob_of(FUSEBPF_OP_##OP, FUSEBPF_POST);                           \
		return post_verdict(k, ctx->meta.error_in);                                        \
	}

/* Entry ops: the postfilter may rewrite the new entry's permission bits. */
#define ENTRY_POST(op, OP)                                                                         \
	FUSEBPF_POSTFILTER(op)                                                                     \
	int knobs_##op##_postfilter(struct fusebpf_##op##_ctx *ctx)                                \
	{                                                                                          \
		struct knob *k = knob_of(FUSEBPF_OP_##OP, FUSEBPF_POST);                           \
		if (wants(k, REWRITE_OUT) && ctx->meta.error_in == 0)                              \
			ctx->out.entry.attr.mode = (ctx->out.entry.attr.mode & 0170000) | 0704;    \
		return post_verdict(k, ctx->meta.error_in);                                        \
	}

/* Ops without inputs to rewrite. */
#define PLAIN_PRE(op, OP)                                                                          \
	FUSEBPF_PREFILTER(op)                                                                      \
	int knobs_##op##_prefilter(struct fusebpf_##op##_ctx *ctx)                                 \
	{                                                                                          \
		return pre_verdict(knob_of(FUSEBPF_OP_##OP, FUSEBPF_PRE));                         \
	}

/* ---- namespace ops ---- */

FUSEBPF_PREFILTER(mknod)
int knobs_mknod_prefilter(struct fusebpf_mknod_ctx *ctx)
{
	struct knob *k = knob_of(FUSEBPF_OP_MKNOD, FUSEBPF_PRE);
	if (wants(k, REWRITE_IN))
		ctx->in.mode = (ctx->in.mode & 0170000) | 0600;
	return pre_verdict(k);
}
ENTRY_POST(mknod, MKNOD)

NAME_OPS(mkdir, MKDIR, name)
ENTRY_POST(mkdir, MKDIR)

FUSEBPF_PREFILTER(symlink)
int knobs_symlink_prefilter(struct fusebpf_symlink_ctx *ctx)
{
	struct knob *k = knob_of(FUSEBPF_OP_SYMLINK, FUSEBPF_PRE);
	if (wants(k, REWRITE_IN) && ctx->target.len > 0)
		ctx->target.path[0] = 'x';
	return pre_verdict(k);
}
ENTRY_POST(symlink, SYMLINK)

NAME_OPS(link, LINK, name)
ENTRY_POST(link, LINK)

NAME_OPS(unlink, UNLINK, name)
PLAIN_POST(unlink, UNLINK)

NAME_OPS(rmdir, RMDIR, name)
PLAIN_POST(rmdir, RMDIR)

NAME_OPS(rename, RENAME, new_name)
PLAIN_POST(rename, RENAME)

PLAIN_PRE(readlink, READLINK)
FUSEBPF_POSTFILTER(readlink)
int knobs_readlink_postfilter(struct fusebpf_readlink_ctx *ctx)
{
	struct knob *k = knob_of(FUSEBPF_OP_READLINK, FUSEBPF_POST);
	if (wants(k, REWRITE_OUT) && ctx->meta.error_in == 0 && ctx->out.target.len > 0)
		ctx->out.target.path[0] = 'x';
	return post_verdict(k, ctx->meta.error_in);
}

/* ---- attributes ---- */

FUSEBPF_PREFILTER(setattr)
int knobs_setattr_prefilter(struct fusebpf_setattr_ctx *ctx)
{
	struct knob *k = knob_of(FUSEBPF_OP_SETATTR, FUSEBPF_PRE);
	if (wants(k, REWRITE_IN) && (ctx->in.valid & FATTR_MODE))
		ctx->in.mode = (ctx->in.mode & 0170000) | 0600;
	return pre_verdict(k);
}

FUSEBPF_POSTFILTER(setattr)
int knobs_setattr_postfilter(struct fusebpf_setattr_ctx *ctx)
{
	struct knob *k = knob_of(FUSEBPF_OP_SETATTR, FUSEBPF_POST);
	if (wants(k, REWRITE_OUT) && ctx->meta.error_in == 0)
		ctx->out.attr.mode = (ctx->out.attr.mode & 0170000) | 0704;
	return post_verdict(k, ctx->meta.error_in);
}

PLAIN_PRE(access, ACCESS)
PLAIN_POST(access, ACCESS)

PLAIN_PRE(statfs, STATFS)
FUSEBPF_POSTFILTER(statfs)
int knobs_statfs_postfilter(struct fusebpf_statfs_ctx *ctx)
{
	struct knob *k = knob_of(FUSEBPF_OP_STATFS, FUSEBPF_POST);
	if (wants(k, REWRITE_OUT) && ctx->meta.error_in == 0) {
		ctx->out.st.files = 12345;
		ctx->out.st.ffree = 123;
	}
	return post_verdict(k, ctx->meta.error_in);
}

/* ---- extended attributes ---- */

/* removexattr/getxattr/setxattr: the byte after "user." becomes 'x'. */
static __always_inline void rewrite_xattr_name(struct fusebpf_name *n)
{
	if (n->len > 5)
		n->name[5] = 'x';
}

FUSEBPF_PREFILTER(setxattr)
int knobs_setxattr_prefilter(struct fusebpf_setxattr_ctx *ctx)
{
	struct knob *k = knob_of(FUSEBPF_OP_SETXATTR, FUSEBPF_PRE);
	if (wants(k, REWRITE_IN) && ctx->value.size > 0)
		ctx->value.data[0] = 'X';
	if (wants(k, SHRINK) && ctx->value.size > 4)
		ctx->value.size = 4;
	return pre_verdict(k);
}
PLAIN_POST(setxattr, SETXATTR)

FUSEBPF_PREFILTER(getxattr)
int knobs_getxattr_prefilter(struct fusebpf_getxattr_ctx *ctx)
{
	struct knob *k = knob_of(FUSEBPF_OP_GETXATTR, FUSEBPF_PRE);
	if (wants(k, REWRITE_IN))
		rewrite_xattr_name(&ctx->name);
	return pre_verdict(k);
}

FUSEBPF_POSTFILTER(getxattr)
int knobs_getxattr_postfilter(struct fusebpf_getxattr_ctx *ctx)
{
	struct knob *k = knob_of(FUSEBPF_OP_GETXATTR, FUSEBPF_POST);
	if (wants(k, REWRITE_OUT) && ctx->meta.error_in == 0) {
		/* Bytes at fixed offsets: a syscall program's context may not
		 * be indexed with a variable. */
		ctx->out.value.data[0] = 'f';
		ctx->out.value.data[1] = 'i';
		ctx->out.value.data[2] = 'l';
		ctx->out.value.data[3] = 't';
		ctx->out.value.data[4] = 'e';
		ctx->out.value.data[5] = 'r';
		ctx->out.value.data[6] = 'e';
		ctx->out.value.data[7] = 'd';
		ctx->out.value.size = 8;
		ctx->out.xattr.size = 8;
	}
	if (wants(k, SHRINK) && ctx->meta.error_in == 0 && ctx->out.value.size > 4)
		ctx->out.value.size = 4;
	return post_verdict(k, ctx->meta.error_in);
}

PLAIN_PRE(listxattr, LISTXATTR)
FUSEBPF_POSTFILTER(listxattr)
int knobs_listxattr_postfilter(struct fusebpf_listxattr_ctx *ctx)
{
	struct knob *k = knob_of(FUSEBPF_OP_LISTXATTR, FUSEBPF_POST);
	if (wants(k, REWRITE_OUT) && ctx->meta.error_in == 0) {
		const char only[] = "user.only"; /* with its NUL: one name */
#pragma clang loop unroll(full)
		for (int i = 0; i < (int)sizeof(only); i++)
			ctx->out.list.data[i] = only[i]; /* unrolled: constant offsets */
		ctx->out.list.size = sizeof(only);
		ctx->out.xattr.size = sizeof(only);
	}
	return post_verdict(k, ctx->meta.error_in);
}

FUSEBPF_PREFILTER(removexattr)
int knobs_removexattr_prefilter(struct fusebpf_removexattr_ctx *ctx)
{
	struct knob *k = knob_of(FUSEBPF_OP_REMOVEXATTR, FUSEBPF_PRE);
	if (wants(k, REWRITE_IN))
		rewrite_xattr_name(&ctx->name);
	return pre_verdict(k);
}
PLAIN_POST(removexattr, REMOVEXATTR)

/* ---- locks ---- */

PLAIN_PRE(getlk, GETLK)
FUSEBPF_POSTFILTER(getlk)
int knobs_getlk_postfilter(struct fusebpf_getlk_ctx *ctx)
{
	struct knob *k = knob_of(FUSEBPF_OP_GETLK, FUSEBPF_POST);
	if (wants(k, REWRITE_OUT) && ctx->meta.error_in == 0) {
		ctx->out.lk.type = 1; /* F_WRLCK */
		ctx->out.lk.start = 0;
		ctx->out.lk.end = 0x7fffffffffffffffULL;
		ctx->out.lk.pid = 4242;
	}
	return post_verdict(k, ctx->meta.error_in);
}

PLAIN_PRE(setlk, SETLK)
PLAIN_POST(setlk, SETLK)

/* ---- default_filter ---- */

FUSEBPF_DEFAULT_FILTER
int knobs_default_filter(struct fusebpf_default_ctx *ctx)
{
	__u32 zero = 0;
	struct dflt_knob *d = bpf_map_lookup_elem(&dflt, &zero);
	count(2 * FUSEBPF_OP_COUNT);
	if (d && d->opcode && (ctx->meta.opcode & FUSE_OPCODE_FILTER) == d->opcode)
		return d->verdict;
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_OPS_DEFINE(meta_knobs);
char LICENSE[] SEC("license") = "GPL";
