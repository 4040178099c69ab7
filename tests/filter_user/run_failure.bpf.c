// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * run_failure.bpf.c - a lookup prefilter the kernel loads but refuses to
 * run: it reads 8 bytes past the end of struct fusebpf_lookup_ctx, so the
 * verifier records a context size larger than the one the daemon passes,
 * and every BPF_PROG_RUN of it fails with EINVAL before the program starts
 * ("a filter that fails to run").  The daemon must fail that lookup with
 * EIO, count a run_failure and keep serving.
 */
#include "fusebpf.bpf.h"

FUSEBPF_PREFILTER(lookup)
int run_failure_lookup_prefilter(struct fusebpf_lookup_ctx *ctx)
{
	__u64 past_end = *(__u64 *)((char *)ctx + sizeof(*ctx));

	return past_end == 1 ? -EPERM : BPF_FUSE_CONTINUE;
}

FUSEBPF_OPS_DEFINE(run_failure);
char LICENSE[] SEC("license") = "GPL";
