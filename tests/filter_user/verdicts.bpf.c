// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * verdicts.bpf.c - every verdict of LOOKUP and GETATTR, for
 * verdicts_test.cc (no user filter bound).
 *
 * LOOKUP: the prefilter picks the verdict from the name looked up:
 *   l_errno         -EACCES
 *   l_post          POSTFILTER; the postfilter rewrites entry.attr (mode
 *                   0604 with the file type kept, uid 4242, gid 4343)
 *   l_remap_*       POSTFILTER; the postfilter remaps error_in -ENOENT to
 *                   -EPERM (the name is not in the backing dir)
 *   l_hide_after    POSTFILTER; the postfilter fails a successful lookup
 *                   with -ENOENT (the daemon gives the reference back)
 *   l_default       CALL_DEFAULT; the default_filter answers -ENOLINK
 *   l_alias         renames the input to "target", then CONTINUE
 *   l_user, l_upre, l_upost   USER, USER_PREFILTER, USER_POSTFILTER
 *   l_garbage       42 (not a verdict)
 *   l_post_garbage  POSTFILTER; the postfilter returns 42
 *   anything else   CONTINUE
 * GETATTR: the verdict comes from the map `getattr_mode` (key 0), which the
 * test sets before each fstat(), since a getattr has no name:
 *   GA_* below; GA_POST's postfilter rewrites attr (mode 0640, uid 4242)
 *   and GA_POST_ERRNO's postfilter returns -EPERM.
 * default_filter: -ENOLINK for the LOOKUP and GETATTR prefilters (the
 * CALL_DEFAULT cases), CONTINUE for everything else (other ops, once wired,
 * pass through it untouched).
 */
#include "fusebpf.bpf.h"

enum getattr_mode {
	GA_CONTINUE = 0,
	GA_ERRNO = 1,      /* -EDQUOT */
	GA_POST = 2,       /* POSTFILTER, attr rewritten */
	GA_DEFAULT = 3,    /* CALL_DEFAULT -> -ENOLINK */
	GA_USER = 4,       /* USER, no user filter: passthrough */
	GA_UPRE = 5,       /* USER_PREFILTER */
	GA_UPOST = 6,      /* USER_POSTFILTER */
	GA_GARBAGE = 7,    /* 42 */
	GA_POST_ERRNO = 8, /* POSTFILTER, postfilter -EPERM */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} getattr_mode SEC(".maps");

/*
 * Stores into a syscall program's context must be at constant offsets from
 * the context pointer itself (examples/redirect explains the inline asm).
 */
#define NAME_OFF __builtin_offsetof(struct fusebpf_lookup_ctx, name.name)

FUSEBPF_PREFILTER(lookup)
int verdicts_lookup_prefilter(struct fusebpf_lookup_ctx *ctx)
{
	if (fusebpf_name_eq(&ctx->name, "l_errno"))
		return -EACCES;
	if (fusebpf_name_eq(&ctx->name, "l_post") ||
	    fusebpf_name_has_prefix(&ctx->name, "l_remap_") ||
	    fusebpf_name_eq(&ctx->name, "l_hide_after") ||
	    fusebpf_name_eq(&ctx->name, "l_post_garbage"))
		return BPF_FUSE_POSTFILTER;
	if (fusebpf_name_eq(&ctx->name, "l_default"))
		return BPF_FUSE_CALL_DEFAULT;
	if (fusebpf_name_eq(&ctx->name, "l_alias")) {
		/* "target\0\0" as one little-endian 8-byte store, then the length. */
		__u64 word = 0x0000746567726174ull;

		asm volatile("*(u64 *)(%[base] + %[off]) = %[val]" ::[base] "r"(ctx),
		             [off] "i"(NAME_OFF), [val] "r"(word)
		             : "memory");
		ctx->name.len = 6;
		return BPF_FUSE_CONTINUE;
	}
	if (fusebpf_name_eq(&ctx->name, "l_user"))
		return BPF_FUSE_USER;
	if (fusebpf_name_eq(&ctx->name, "l_upre"))
		return BPF_FUSE_USER_PREFILTER;
	if (fusebpf_name_eq(&ctx->name, "l_upost"))
		return BPF_FUSE_USER_POSTFILTER;
	if (fusebpf_name_eq(&ctx->name, "l_garbage"))
		return 42;
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_POSTFILTER(lookup)
int verdicts_lookup_postfilter(struct fusebpf_lookup_ctx *ctx)
{
	if (fusebpf_name_eq(&ctx->name, "l_post")) {
		ctx->out.entry.attr.mode = (ctx->out.entry.attr.mode & 0170000) | 0604;
		ctx->out.entry.attr.uid = 4242;
		ctx->out.entry.attr.gid = 4343;
		return BPF_FUSE_CONTINUE;
	}
	if (fusebpf_name_has_prefix(&ctx->name, "l_remap_"))
		return ctx->meta.error_in == -ENOENT ? -EPERM : BPF_FUSE_CONTINUE;
	if (fusebpf_name_eq(&ctx->name, "l_hide_after"))
		return ctx->meta.error_in == 0 ? -ENOENT : BPF_FUSE_CONTINUE;
	if (fusebpf_name_eq(&ctx->name, "l_post_garbage"))
		return 42;
	return BPF_FUSE_CONTINUE;
}

static __always_inline __u32 current_getattr_mode(void)
{
	__u32 zero = 0;
	__u32 *mode = bpf_map_lookup_elem(&getattr_mode, &zero);

	return mode ? *mode : GA_CONTINUE;
}

FUSEBPF_PREFILTER(getattr)
int verdicts_getattr_prefilter(struct fusebpf_getattr_ctx *ctx)
{
	switch (current_getattr_mode()) {
	case GA_ERRNO:
		return -EDQUOT;
	case GA_POST:
	case GA_POST_ERRNO:
		return BPF_FUSE_POSTFILTER;
	case GA_DEFAULT:
		return BPF_FUSE_CALL_DEFAULT;
	case GA_USER:
		return BPF_FUSE_USER;
	case GA_UPRE:
		return BPF_FUSE_USER_PREFILTER;
	case GA_UPOST:
		return BPF_FUSE_USER_POSTFILTER;
	case GA_GARBAGE:
		return 42;
	default:
		return BPF_FUSE_CONTINUE;
	}
}

FUSEBPF_POSTFILTER(getattr)
int verdicts_getattr_postfilter(struct fusebpf_getattr_ctx *ctx)
{
	if (current_getattr_mode() == GA_POST_ERRNO)
		return -EPERM;
	if (ctx->meta.error_in == 0) {
		ctx->out.attr.mode = (ctx->out.attr.mode & 0170000) | 0640;
		ctx->out.attr.uid = 4242;
	}
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_DEFAULT_FILTER
int verdicts_default_filter(struct fusebpf_default_ctx *ctx)
{
	if (ctx->meta.opcode == (FUSE_LOOKUP | FUSE_PREFILTER) ||
	    ctx->meta.opcode == (FUSE_GETATTR | FUSE_PREFILTER))
		return -ENOLINK;
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_OPS_DEFINE(verdicts);
char LICENSE[] SEC("license") = "GPL";
