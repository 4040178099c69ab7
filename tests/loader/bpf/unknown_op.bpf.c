// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * unknown_op.bpf.c - a filter for an op that does not exist ("frobnicate"):
 * the loader must refuse it, naming the op and listing the known ones.
 */
#include "fusebpf.bpf.h"

FUSEBPF_PREFILTER(lookup)
int unknown_op_lookup_prefilter(struct fusebpf_lookup_ctx *ctx)
{
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_PREFILTER(frobnicate)
int unknown_op_frobnicate_prefilter(struct fusebpf_default_ctx *ctx)
{
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_OPS_DEFINE(unknown_op);
char LICENSE[] SEC("license") = "GPL";
