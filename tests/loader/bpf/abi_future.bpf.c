// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * abi_future.bpf.c - a filter that claims a newer ABI version than the
 * loader's (what FUSEBPF_OPS_DEFINE would record from a future header):
 * the loader must refuse it with an ABI version mismatch.
 */
#include "fusebpf.bpf.h"

const volatile __u32 fusebpf_abi_version = FUSEBPF_ABI_VERSION + 98;
const volatile char fusebpf_table_name[FUSEBPF_TABLE_NAME_MAX] = "abi_future";

FUSEBPF_PREFILTER(lookup)
int abi_future_lookup_prefilter(struct fusebpf_lookup_ctx *ctx)
{
	return BPF_FUSE_CONTINUE;
}

char LICENSE[] SEC("license") = "GPL";
