// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lookup_post.bpf.c - "lookup_post" / "passthrough": every LOOKUP runs on
 * the backing dir, then the BPF postfilter hands it to the userspace
 * postfilter (bpf_test_remove_backing, bpf_test_lookup_postfilter).
 */
#include "fusebpf.bpf.h"

FUSEBPF_PREFILTER(lookup)
int lookup_post_lookup_prefilter(struct fusebpf_lookup_ctx *ctx)
{
	return BPF_FUSE_POSTFILTER;
}

FUSEBPF_POSTFILTER(lookup)
int lookup_post_lookup_postfilter(struct fusebpf_lookup_ctx *ctx)
{
	return BPF_FUSE_USER_POSTFILTER;
}

FUSEBPF_OPS_DEFINE(lookup_post);
char LICENSE[] SEC("license") = "GPL";
