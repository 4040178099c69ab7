// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lookup_only.bpf.c - a table with one program (lookup prefilter: CONTINUE,
 * or -ENOENT for "hidden") and no default_filter: every other op must cost
 * the engine zero BPF runs.  Also the "other table" of the live replacement
 * test.
 */
#include "fusebpf.bpf.h"

FUSEBPF_PREFILTER(lookup)
int lookup_only_lookup_prefilter(struct fusebpf_lookup_ctx *ctx)
{
	if (fusebpf_name_eq(&ctx->name, "hidden"))
		return -ENOENT;
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_OPS_DEFINE(lookup_only);
char LICENSE[] SEC("license") = "GPL";
