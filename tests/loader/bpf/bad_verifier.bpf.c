// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bad_verifier.bpf.c - a filter the verifier must reject: it indexes its
 * context with a variable, the classic syscall-program mistake (docs/design.md §3).
 * The loader test asserts the error names the program, the rejection and
 * this file's line of the bad access.
 */
#include "fusebpf.bpf.h"

FUSEBPF_PREFILTER(lookup)
int bad_verifier_lookup_prefilter(struct fusebpf_lookup_ctx *ctx)
{
	__u32 last = ctx->name.len & FUSEBPF_NAME_MAX;

	return ctx->name.name[last] == 'x' ? -ENOENT : BPF_FUSE_CONTINUE; /* BAD ACCESS */
}

FUSEBPF_OPS_DEFINE(bad_verifier);
char LICENSE[] SEC("license") = "GPL";
