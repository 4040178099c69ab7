// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pre_post.bpf.c - fusebpf-bench's "fusebpf-pre-post" table: for every op a
 * prefilter that returns BPF_FUSE_POSTFILTER and a postfilter that returns
 * BPF_FUSE_CONTINUE without touching the output.  Every filtered op costs
 * two BPF_PROG_RUNs (READDIR: one prefilter plus one postfilter per batch
 * of up to 32 entries) and the engine's input save/restore around the
 * postfilter: the price of the full FUSE-BPF state machine when the
 * filters themselves do nothing.  Like continue_all.bpf.c it filters READ
 * and WRITE, so its files take the classic data path once the daemon
 * applies the data-path rule.
 */
#include "fusebpf.bpf.h"
#include "all_ops.h"

#define PRE_AND_POST(op)                                                                           \
	FUSEBPF_PREFILTER(op)                                                                      \
	int pre_post_##op##_prefilter(void *ctx)                                                   \
	{                                                                                          \
		return BPF_FUSE_POSTFILTER;                                                        \
	}                                                                                          \
	FUSEBPF_POSTFILTER(op)                                                                     \
	int pre_post_##op##_postfilter(void *ctx)                                                  \
	{                                                                                          \
		return BPF_FUSE_CONTINUE;                                                          \
	}

FUSEBPF_FOR_EACH_OP(PRE_AND_POST)

_Static_assert(FUSEBPF_ALL_OPS_COUNT == FUSEBPF_OP_COUNT, "all_ops.h misses an op");

FUSEBPF_OPS_DEFINE(pre_post);
char LICENSE[] SEC("license") = "GPL";
