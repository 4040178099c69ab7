// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * create_user.bpf.c - bpf_test_creat: every CREATE is handed to the
 * userspace prefilter (which may rewrite its inputs and ask for its
 * postfilter), then runs on the backing fs.
 */
#include "fusebpf.bpf.h"

FUSEBPF_PREFILTER(create)
int create_user_create_prefilter(struct fusebpf_create_ctx *ctx)
{
	return BPF_FUSE_USER_PREFILTER;
}

FUSEBPF_OPS_DEFINE(create_user);
char LICENSE[] SEC("license") = "GPL";
