// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * read_trace.bpf.c - the table a lookup handler gives a child in
 * bpf_test_set_backing: OPEN and READ continue to the backing file, and the
 * stats show them filtered (the mount's own table has no OPEN or READ
 * program, so a filtered READ proves the child's table is in force).
 */
#include "fusebpf.bpf.h"

FUSEBPF_PREFILTER(open)
int read_trace_open_prefilter(struct fusebpf_open_ctx *ctx)
{
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_PREFILTER(read)
int read_trace_read_prefilter(struct fusebpf_read_ctx *ctx)
{
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_OPS_DEFINE(read_trace);
char LICENSE[] SEC("license") = "GPL";
