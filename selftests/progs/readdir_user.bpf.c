// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * readdir_user.bpf.c - bpf_test_readdir and bpf_test_redact_readdir: opendir
 * and readdir run on the backing dir, then their BPF postfilters hand the
 * result to the userspace postfilter (which adds or drops entries).
 */
#include "fusebpf.bpf.h"

FUSEBPF_PREFILTER(opendir)
int readdir_user_opendir_prefilter(struct fusebpf_opendir_ctx *ctx)
{
	return BPF_FUSE_POSTFILTER;
}

FUSEBPF_POSTFILTER(opendir)
int readdir_user_opendir_postfilter(struct fusebpf_opendir_ctx *ctx)
{
	return ctx->meta.error_in ? BPF_FUSE_CONTINUE : BPF_FUSE_USER_POSTFILTER;
}

FUSEBPF_PREFILTER(readdir)
int readdir_user_readdir_prefilter(struct fusebpf_readdir_ctx *ctx)
{
	return BPF_FUSE_POSTFILTER;
}

FUSEBPF_POSTFILTER(readdir)
int readdir_user_readdir_postfilter(struct fusebpf_readdir_ctx *ctx)
{
	return ctx->meta.error_in ? BPF_FUSE_CONTINUE : BPF_FUSE_USER_POSTFILTER;
}

FUSEBPF_OPS_DEFINE(readdir_user);
char LICENSE[] SEC("license") = "GPL";
