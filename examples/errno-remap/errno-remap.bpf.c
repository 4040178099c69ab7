// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * errno-remap.bpf.c - postfilters that change the error an op returns.
 *
 * Two remappings, each a prefilter that asks for the postfilter and a
 * postfilter that looks at the backing op's result (meta.error_in):
 *  - ops that make a name (mkdir, mknod, symlink, link, create, rename):
 *    EEXIST becomes EPERM, so none of them can tell that a name the mount
 *    hides ("hidden-*": the lookup prefilter answers ENOENT) exists in the
 *    backing directory. (The kernel answers EEXIST itself for a name its
 *    lookup found, so a hidden name is where a backing EEXIST reaches these
 *    ops at all, apart from races with other writers.) A create without
 *    O_EXCL or a rename onto a hidden name gets EACCES from the daemon's
 *    own guard (docs/filters.md §7) and keeps it;
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

/*
 * Ops that make a name: run the backing op, then look at its result; the
 * result stays error_in (and the entry as it is) unless it is EEXIST.
 */
#define ERRNO_REMAP_EEXIST(op)                                                                     \
	FUSEBPF_PREFILTER(op)                                                                      \
	int errno_remap_##op##_prefilter(struct fusebpf_##op##_ctx *ctx)                           \
	{                                                                                          \
		return BPF_FUSE_POSTFILTER;                                                        \
	}                                                                                          \
                                                                                                   \
	FUSEBPF_POSTFILTER(op)                                                                     \
	int errno_remap_##op##_postfilter(struct fusebpf_##op##_ctx *ctx)                          \
	{                                                                                          \
		return ctx->meta.error_in == -EEXIST ? -EPERM : BPF_FUSE_CONTINUE;                 \
	}

ERRNO_REMAP_EEXIST(mkdir)
ERRNO_REMAP_EEXIST(mknod)
ERRNO_REMAP_EEXIST(symlink)
ERRNO_REMAP_EEXIST(link)
ERRNO_REMAP_EEXIST(create)
ERRNO_REMAP_EEXIST(rename)

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
