// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * continue_all.bpf.c - fusebpf-bench's "fusebpf-continue-all" table: a
 * prefilter for every op that returns BPF_FUSE_CONTINUE and nothing else.
 * Every filtered op therefore costs exactly one BPF_PROG_RUN (plus the
 * engine's bookkeeping) and then does what plain fusebpf does: the smallest
 * price of "a filter is attached" per op.  No postfilters, no default
 * filter, no maps.  Because READ and WRITE have prefilters, files under
 * this table use the classic FUSE data path once the daemon applies the
 * data-path rule (docs/filters.md §6), and the figures show that price too.
 */
#include "fusebpf.bpf.h"
#include "all_ops.h"

#define CONTINUE_PREFILTER(op)                                                                     \
	FUSEBPF_PREFILTER(op)                                                                      \
	int continue_all_##op##_prefilter(void *ctx)                                               \
	{                                                                                          \
		return BPF_FUSE_CONTINUE;                                                          \
	}

FUSEBPF_FOR_EACH_OP(CONTINUE_PREFILTER)

_Static_assert(FUSEBPF_ALL_OPS_COUNT == FUSEBPF_OP_COUNT, "all_ops.h misses an op");

FUSEBPF_OPS_DEFINE(continue_all);
char LICENSE[] SEC("license") = "GPL";
