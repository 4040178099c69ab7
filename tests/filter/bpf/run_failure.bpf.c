// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * run_failure.bpf.c - a filter that cannot run: its getattr prefilter reads
 * the context at offset 4000, past the end of struct fusebpf_getattr_ctx,
 * as a program built against a (hypothetical) larger context would.  The
 * verifier accepts it (syscall program contexts are up to 64 KiB), and
 * BPF_PROG_RUN then refuses the daemon's shorter context with EINVAL: the
 * engine must fail that op with -EIO, count a run failure and go on.
 */
#include "fusebpf.bpf.h"

FUSEBPF_PREFILTER(getattr)
int run_failure_getattr_prefilter(struct fusebpf_getattr_ctx *ctx)
{
	return ((volatile __u8 *)ctx)[4000] ? BPF_FUSE_USER : BPF_FUSE_CONTINUE;
}

FUSEBPF_OPS_DEFINE(run_failure);
char LICENSE[] SEC("license") = "GPL";
