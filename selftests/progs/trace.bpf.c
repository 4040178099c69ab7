// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * trace.bpf.c - the selftests' "trace_ops": every op goes through the filter
 * engine and continues to the backing fs unchanged.  The default filter
 * answers CONTINUE for every op without a program of its own, so the
 * daemon's stats count each op as filtered (the original printed each op's
 * name with bpf_printk and the test grepped trace_pipe); READ has an
 * explicit prefilter, as bpf_test_real looks for "read".
 */
#include "fusebpf.bpf.h"

FUSEBPF_PREFILTER(read)
int trace_read_prefilter(struct fusebpf_read_ctx *ctx)
{
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_DEFAULT_FILTER
int trace_default_filter(struct fusebpf_default_ctx *ctx)
{
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_OPS_DEFINE(trace_ops);
char LICENSE[] SEC("license") = "GPL";
