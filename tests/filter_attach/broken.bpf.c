// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * broken.bpf.c - a filter the verifier rejects (it indexes its context with
 * a variable). `fusebpf mount --filter broken.bpf.o` must fail with the
 * verifier's message and mount nothing.
 */
#include "fusebpf.bpf.h"

FUSEBPF_PREFILTER(lookup)
int broken_lookup_prefilter(struct fusebpf_lookup_ctx *ctx)
{
	__u32 last = ctx->name.len & FUSEBPF_NAME_MAX;

	return ctx->name.name[last] == 'x' ? -ENOENT : BPF_FUSE_CONTINUE; /* REJECTED */
}

FUSEBPF_OPS_DEFINE(broken);
char LICENSE[] SEC("license") = "GPL";
