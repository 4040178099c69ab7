// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hide_secret.bpf.c - a filter_attach test filter: the lookup prefilter hides
 * the name "secret" (-ENOENT) and lets every other name through. The attach
 * tests bind it live and check the name vanishes at once despite warm
 * kernel caches.
 */
#include "fusebpf.bpf.h"

FUSEBPF_PREFILTER(lookup)
int hide_secret_lookup_prefilter(struct fusebpf_lookup_ctx *ctx)
{
	if (fusebpf_name_eq(&ctx->name, "secret"))
		return -ENOENT;
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_OPS_DEFINE(hide_secret);
char LICENSE[] SEC("license") = "GPL";
