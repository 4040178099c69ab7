// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * no_abi.bpf.c - a filter without FUSEBPF_OPS_DEFINE: no table name, no ABI
 * version.  The loader must refuse it and name the macro to add.
 */
#include "fusebpf.bpf.h"

FUSEBPF_PREFILTER(lookup)
int no_abi_lookup_prefilter(struct fusebpf_lookup_ctx *ctx)
{
	return BPF_FUSE_CONTINUE;
}

char LICENSE[] SEC("license") = "GPL";
