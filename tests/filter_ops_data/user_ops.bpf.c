// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * user_ops.bpf.c - the BPF half of the ops-data user filter tests
 * (data_user.cc is the userspace half): it sends to userspace what
 * userspace answers.
 *   lookup:  "virt", "vdir" -> USER (handle_lookup: virtual nodes);
 *            "partial" -> USER_POSTFILTER (post_lookup notes its nodeid);
 *            anything else CONTINUE.
 *   read:    USER (handle_read serves virtual files and the first block of
 *            "partial", declines the rest: backing data).
 *   readdir: USER_POSTFILTER (post_readdir adds "virt" to the root's listing).
 */
#include "fusebpf.bpf.h"

FUSEBPF_PREFILTER(lookup)
int user_lookup_pre(struct fusebpf_lookup_ctx *ctx)
{
	if (fusebpf_name_eq(&ctx->name, "virt") || fusebpf_name_eq(&ctx->name, "vdir"))
		return BPF_FUSE_USER;
	if (fusebpf_name_eq(&ctx->name, "partial"))
		return BPF_FUSE_USER_POSTFILTER;
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_PREFILTER(read)
int user_read_pre(struct fusebpf_read_ctx *ctx)
{
	return BPF_FUSE_USER;
}

FUSEBPF_PREFILTER(readdir)
int user_readdir_pre(struct fusebpf_readdir_ctx *ctx)
{
	return BPF_FUSE_USER_POSTFILTER;
}

FUSEBPF_OPS_DEFINE(ops_data_user);
char LICENSE[] SEC("license") = "GPL";
