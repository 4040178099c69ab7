// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * errno-remap.bpf.c - postfilters that change the error an op returns.
 *
 * Two remappings, each a prefilter that asks for the postfilter and a
 * postfilter that looks at the backing op's result (meta.error_in):
 *  - mkdir: EEXIST becomes EPERM, so a mkdir cannot tell that a name the
 *    mount hides ("hidden-*": the lookup prefilter answers ENOENT) exists
 *    in the backing directory. (The kernel answers EEXIST itself for a
 *    name its lookup found, so a hidden name is where a backing EEXIST
 *    reaches mkdir at all, apart from races with other writers.);
 *  - lookup of a name starting with "private-": ENOENT becomes EACCES, so a
 *    caller cannot tell a missing private file from one it may not see.
 *    (open, stat and unlink of a missing name all fail at this LOOKUP: the
 *    kernel looks a name up before it sends the op itself.)
 * Everything else passes through: ops without a program cost no BPF call.
 *
 * Limits: a postfilter can turn one error into another (or a success into
 * an error), never an error into a success: the backing op did not happen.
 */
#include "fusebpf.bpf.h"

/* mkdir: run the backing mkdir, then look at its result. */
FUSEBPF_PREFILTER(mkdir)
int errno_remap_mkdir_prefilter(struct fusebpf_mkdir_ctx *ctx)
{
	return BPF_FUSE_POSTFILTER;
}

FUSEBPF_POSTFILTER(mkdir)
int errno_remap_mkdir_postfilter(struct fusebpf_mkdir_ctx *ctx)
{
	if (ctx->meta.error_in == -EEXIST)
		return -EPERM;
	return BPF_FUSE_CONTINUE; /* the result stays error_in, the entry as it is */
}

/*
 * lookup: "hidden-*" names do not exist for the mount; only "private-*"
 * names need the postfilter (the others cost one BPF run).
 */
FUSEBPF_PREFILTER(lookup)
int errno_remap_lookup_prefilter(struct fusebpf_lookup_ctx *ctx)
{
	if (fusebpf_name_has_prefix(&ctx->name, "hidden-"))
		return -ENOENT;
	if (fusebpf_name_has_prefix(&ctx->name, "private-"))
		return BPF_FUSE_POSTFILTER;
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_POSTFILTER(lookup)
int errno_remap_lookup_postfilter(struct fusebpf_lookup_ctx *ctx)
{
	if (ctx->meta.error_in == -ENOENT)
		return -EACCES;
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_OPS_DEFINE(errno_remap);
char LICENSE[] SEC("license") = "GPL";
