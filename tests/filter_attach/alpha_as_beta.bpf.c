// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * alpha_as_beta.bpf.c - a filter_attach test filter: the lookup prefilter
 * renames the entry "alpha" to "beta", so the kernel's name "alpha" is
 * looked up on the backing fs as "beta"; every other name goes through
 * unchanged. The attach tests look "alpha" up through it, then detach or
 * replace it live, and check the kernel's cached "alpha" is dropped.
 */
#include "fusebpf.bpf.h"

FUSEBPF_PREFILTER(lookup)
int alpha_as_beta_lookup_prefilter(struct fusebpf_lookup_ctx *ctx)
{
	if (fusebpf_name_eq(&ctx->name, "alpha")) {
		/* Constant offsets: a syscall program's context may not be
		 * indexed with a variable. */
		ctx->name.name[0] = 'b';
		ctx->name.name[1] = 'e';
		ctx->name.name[2] = 't';
		ctx->name.name[3] = 'a';
		ctx->name.name[4] = '\0';
		ctx->name.len = 4;
	}
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_OPS_DEFINE(alpha_as_beta);
char LICENSE[] SEC("license") = "GPL";
