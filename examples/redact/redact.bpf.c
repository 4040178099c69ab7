// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * redact.bpf.c - BPF picks the files whose reads userspace must see: reads
 * of files named *.secret go to the user filter's post_read() (redact_user.cc),
 * which masks long digit runs in the data before the caller gets it.
 *
 * A READ carries no name, only the file's nodeid, so the lookup filters mark
 * the nodeids of *.secret names in the map `redacted` and the read
 * prefilter tests that mark:
 *  - lookup prefilter: *.secret asks for the postfilter (other names: one
 *    BPF run, no postfilter);
 *  - lookup postfilter: a found *.secret file's nodeid goes into `redacted`;
 *  - read prefilter: a marked nodeid gets BPF_FUSE_USER_POSTFILTER (the
 *    backing read runs, then userspace rewrites the data), every other read
 *    BPF_FUSE_CONTINUE (served as it is, no userspace call).
 *
 * Limits: a file renamed to *.secret after it was looked up under another
 * name is not marked until it is looked up again; a hard link to a secret
 * file under another name is marked only if the secret name was looked up
 * first (the mark is per inode).  The table filters READ, so the mount's
 * files use the classic FUSE data path (the daemon sees every READ).
 */
#include "fusebpf.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);  /* nodeid */
	__type(value, __u8); /* 1: redacted */
} redacted SEC(".maps");

FUSEBPF_PREFILTER(lookup)
int redact_lookup_prefilter(struct fusebpf_lookup_ctx *ctx)
{
	if (fusebpf_name_has_suffix(&ctx->name, ".secret"))
		return BPF_FUSE_POSTFILTER;
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_POSTFILTER(lookup)
int redact_lookup_postfilter(struct fusebpf_lookup_ctx *ctx)
{
	__u64 nodeid = ctx->out.entry.nodeid;
	__u8 one = 1;

	if (ctx->meta.error_in == 0 && nodeid)
		bpf_map_update_elem(&redacted, &nodeid, &one, BPF_ANY);
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_PREFILTER(read)
int redact_read_prefilter(struct fusebpf_read_ctx *ctx)
{
	__u64 nodeid = ctx->meta.nodeid;

	if (bpf_map_lookup_elem(&redacted, &nodeid))
		return BPF_FUSE_USER_POSTFILTER;
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_OPS_DEFINE(redact);
char LICENSE[] SEC("license") = "GPL";
