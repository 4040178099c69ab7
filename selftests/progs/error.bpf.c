// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * error.bpf.c - "test_error": bpf_test_alter_errcode_bpf and
 * bpf_test_alter_errcode_userspace.  A MKDIR that failed with EEXIST fails
 * with EPERM instead (the BPF postfilter rewrites error_in); a LOOKUP of
 * "doesnotexist" is handed, after the backing lookup, to the userspace
 * postfilter, which picks the error.  A LOOKUP of "dir" fails with ENOENT:
 * the VFS answers EEXIST itself for a name it knows (mkdir revalidates the
 * name with a LOOKUP first), so only a hidden name lets the second MKDIR
 * reach the daemon and fail there with EEXIST, as in FUSE-BPF.
 */
#include "fusebpf.bpf.h"

FUSEBPF_PREFILTER(mkdir)
int error_mkdir_prefilter(struct fusebpf_mkdir_ctx *ctx)
{
	return BPF_FUSE_POSTFILTER;
}

FUSEBPF_POSTFILTER(mkdir)
int error_mkdir_postfilter(struct fusebpf_mkdir_ctx *ctx)
{
	if (ctx->meta.error_in == -EEXIST)
		return -EPERM;
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_PREFILTER(lookup)
int error_lookup_prefilter(struct fusebpf_lookup_ctx *ctx)
{
	if (fusebpf_name_eq(&ctx->name, "dir"))
		return -ENOENT;
	return BPF_FUSE_POSTFILTER;
}

FUSEBPF_POSTFILTER(lookup)
int error_lookup_postfilter(struct fusebpf_lookup_ctx *ctx)
{
	if (fusebpf_name_eq(&ctx->name, "doesnotexist"))
		return BPF_FUSE_USER_POSTFILTER;
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_OPS_DEFINE(test_error);
char LICENSE[] SEC("license") = "GPL";
