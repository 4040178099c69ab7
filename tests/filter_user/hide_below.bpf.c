// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hide_below.bpf.c - the table a user lookup handler puts on a child
 * ("table replace by name", user_filter_test.cc): its lookup prefilter
 * hides "hidden_below" (-ENOENT).  The mount's own table
 * (user_table.bpf.c) lets that name through, so the name is missing only
 * under the child that got this table.
 */
#include "fusebpf.bpf.h"

FUSEBPF_PREFILTER(lookup)
int hide_below_lookup_prefilter(struct fusebpf_lookup_ctx *ctx)
{
	return fusebpf_name_eq(&ctx->name, "hidden_below") ? -ENOENT : BPF_FUSE_CONTINUE;
}

FUSEBPF_OPS_DEFINE(hide_below);
char LICENSE[] SEC("license") = "GPL";
