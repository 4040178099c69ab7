// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * to_user.bpf.c - hands every lookup to the userspace prefilter
 * (BPF_FUSE_USER_PREFILTER); with rename_user.so bound too, looking up
 * "alias" finds the backing entry "target".
 */
#include "fusebpf.bpf.h"

FUSEBPF_PREFILTER(lookup)
int to_user_lookup_prefilter(struct fusebpf_lookup_ctx *ctx)
{
	return BPF_FUSE_USER_PREFILTER;
}

FUSEBPF_OPS_DEFINE(to_user);
char LICENSE[] SEC("license") = "GPL";
