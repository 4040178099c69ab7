// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hide_alpha.bpf.c - a filter_attach test filter: the lookup prefilter hides
 * the name "alpha" (-ENOENT) and lets every other name through. The attach
 * tests bind it live and check the name vanishes at once despite warm
 * kernel caches.
 */
#include "fusebpf.bpf.h"

FUSEBPF_PREFILTER(lookup)
int hide_alpha_lookup_prefilter(struct fusebpf_lookup_ctx *ctx)
{
	if (fusebpf_name_eq(&ctx->name, "alpha"))
		return -ENOENT;
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_OPS_DEFINE(hide_alpha);
char LICENSE[] SEC("license") = "GPL";
