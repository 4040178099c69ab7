// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * user_table.bpf.c - the mount's table in user_filter_test.cc: a lookup
 * prefilter that hands chosen names to the user filter library
 * (user_filter_lib.cc) and counts its own runs, so the test can tell
 * whether BPF still runs below a child whose table a lookup handler
 * removed.
 *   virt, elsewhere, escape, throw,
 *   negative                              USER (handle_lookup answers)
 *   enomem, notable, replaced             USER_POSTFILTER (post_lookup)
 *   anything else                         CONTINUE
 * lookup_calls[0] counts every run, lookup_calls[1] the runs for "inner".
 */
#include "fusebpf.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} lookup_calls SEC(".maps");

static __always_inline void count_call(__u32 key)
{
	__u64 *n = bpf_map_lookup_elem(&lookup_calls, &key);

	if (n)
		__sync_fetch_and_add(n, 1);
}

FUSEBPF_PREFILTER(lookup)
int user_table_lookup_prefilter(struct fusebpf_lookup_ctx *ctx)
{
	count_call(0);
	if (fusebpf_name_eq(&ctx->name, "inner"))
		count_call(1);
	if (fusebpf_name_eq(&ctx->name, "virt") || fusebpf_name_eq(&ctx->name, "elsewhere") ||
	    fusebpf_name_eq(&ctx->name, "escape") || fusebpf_name_eq(&ctx->name, "throw") ||
	    fusebpf_name_eq(&ctx->name, "negative"))
		return BPF_FUSE_USER;
	if (fusebpf_name_eq(&ctx->name, "enomem") || fusebpf_name_eq(&ctx->name, "notable") ||
	    fusebpf_name_eq(&ctx->name, "replaced"))
		return BPF_FUSE_USER_POSTFILTER;
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_OPS_DEFINE(user_table);
char LICENSE[] SEC("license") = "GPL";
