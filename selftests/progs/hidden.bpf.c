// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hidden.bpf.c - bpf_test_hidden_entries ("test_hidden"): a lookup of
 * "hide" fails with -ENOENT, every other name (such as "show") continues to
 * the backing dir; create, fallocate and write have prefilters that
 * continue, so the stats show them filtered.
 */
#include "fusebpf.bpf.h"

FUSEBPF_PREFILTER(lookup)
int hidden_lookup_prefilter(struct fusebpf_lookup_ctx *ctx)
{
	if (fusebpf_name_eq(&ctx->name, "hide"))
		return -ENOENT;
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_PREFILTER(create)
int hidden_create_prefilter(struct fusebpf_create_ctx *ctx)
{
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_PREFILTER(fallocate)
int hidden_fallocate_prefilter(struct fusebpf_fallocate_ctx *ctx)
{
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_PREFILTER(write)
int hidden_write_prefilter(struct fusebpf_write_ctx *ctx)
{
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_OPS_DEFINE(test_hidden);
char LICENSE[] SEC("license") = "GPL";
