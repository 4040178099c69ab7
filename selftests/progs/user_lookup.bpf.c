// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * user_lookup.bpf.c - the bpf_test_set_backing* cases: every LOOKUP is
 * handed to the userspace handler (BPF_FUSE_USER), which answers the names
 * it knows (a backing path, a table for the child) and declines the others
 * (the backing lookup runs).
 */
#include "fusebpf.bpf.h"

FUSEBPF_PREFILTER(lookup)
int user_lookup_lookup_prefilter(struct fusebpf_lookup_ctx *ctx)
{
	return BPF_FUSE_USER;
}

FUSEBPF_OPS_DEFINE(user_lookup);
char LICENSE[] SEC("license") = "GPL";
