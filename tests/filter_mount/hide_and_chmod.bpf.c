// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hide_and_chmod.bpf.c - the mount test's filter: the lookup prefilter hides
 * "hidden" (-ENOENT) and lets every other name through; the getattr
 * postfilter reports mode 0600 for files of exactly 7 bytes (the test's
 * "private" file), leaving the type bits alone; the getattr prefilter asks
 * for that postfilter.
 */
#include "fusebpf.bpf.h"

FUSEBPF_PREFILTER(lookup)
int hide_lookup_prefilter(struct fusebpf_lookup_ctx *ctx)
{
	if (fusebpf_name_eq(&ctx->name, "hidden"))
		return -ENOENT;
	return BPF_FUSE_CONTINUE;
}

/* The postfilter runs only when the prefilter asks for it (FUSE-BPF). */
FUSEBPF_PREFILTER(getattr)
int chmod_getattr_prefilter(struct fusebpf_getattr_ctx *ctx)
{
	return BPF_FUSE_POSTFILTER;
}

FUSEBPF_POSTFILTER(getattr)
int chmod_getattr_postfilter(struct fusebpf_getattr_ctx *ctx)
{
	if (ctx->meta.error_in == 0 && ctx->out.attr.size == 7)
		ctx->out.attr.mode = (ctx->out.attr.mode & 0170000) | 0600;
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_OPS_DEFINE(hide_and_chmod);
char LICENSE[] SEC("license") = "GPL";
