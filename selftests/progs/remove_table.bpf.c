// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * remove_table.bpf.c - "test_create_remove" / "test_mkdir_remove"
 * (bpf_test_create_and_remove_bpf, bpf_test_mkdir_and_remove_bpf): CREATE
 * and MKDIR run on the backing fs and are then handed to the userspace
 * postfilter, which decides whether the new child keeps this table; OPEN and
 * OPENDIR of any node but the root fail with EIO under this table, so a
 * child that kept it cannot be opened and one that lost it can.
 */
#include "fusebpf.bpf.h"

FUSEBPF_PREFILTER(create)
int remove_table_create_prefilter(struct fusebpf_create_ctx *ctx)
{
	return BPF_FUSE_USER_POSTFILTER;
}

FUSEBPF_PREFILTER(mkdir)
int remove_table_mkdir_prefilter(struct fusebpf_mkdir_ctx *ctx)
{
	return BPF_FUSE_USER_POSTFILTER;
}

FUSEBPF_PREFILTER(open)
int remove_table_open_prefilter(struct fusebpf_open_ctx *ctx)
{
	return ctx->meta.nodeid == FUSE_ROOT_ID ? BPF_FUSE_CONTINUE : -EIO;
}

FUSEBPF_PREFILTER(opendir)
int remove_table_opendir_prefilter(struct fusebpf_opendir_ctx *ctx)
{
	return ctx->meta.nodeid == FUSE_ROOT_ID ? BPF_FUSE_CONTINUE : -EIO;
}

FUSEBPF_OPS_DEFINE(remove_table);
char LICENSE[] SEC("license") = "GPL";
