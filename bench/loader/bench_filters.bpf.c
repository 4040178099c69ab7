// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench_filters.bpf.c - the filters bench_loader times, one per cost class:
 *  - access prefilter: empty, the floor of a BPF_PROG_RUN call;
 *  - lookup prefilter: three name compares (eq, prefix, suffix);
 *  - mkdir prefilter: a name copied to the stack and a hash-map lookup;
 *  - readdir postfilter: a full batch of 32 entries scanned by name.
 */
#include "fusebpf.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, char[64]);
	__type(value, __u32);
} bench_deny SEC(".maps");

FUSEBPF_PREFILTER(access)
int bench_access_prefilter(struct fusebpf_access_ctx *ctx)
{
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_PREFILTER(lookup)
int bench_lookup_prefilter(struct fusebpf_lookup_ctx *ctx)
{
	if (fusebpf_name_eq(&ctx->name, "secret"))
		return -ENOENT;
	if (fusebpf_name_has_prefix(&ctx->name, ".git"))
		return -ENOENT;
	if (fusebpf_name_has_suffix(&ctx->name, ".swp"))
		return -EACCES;
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_PREFILTER(mkdir)
int bench_mkdir_prefilter(struct fusebpf_mkdir_ctx *ctx)
{
	char name[64] = {};

	if (fusebpf_name_copy(name, sizeof(name), &ctx->name) < 0)
		return -EIO;
	return bpf_map_lookup_elem(&bench_deny, name) ? -EACCES : BPF_FUSE_CONTINUE;
}

FUSEBPF_POSTFILTER(readdir)
int bench_readdir_postfilter(struct fusebpf_readdir_ctx *ctx)
{
	for (__u32 i = 0; i < FUSEBPF_READDIR_BATCH; i++) {
		struct fusebpf_dirent e;

		if (fusebpf_dirent_read(&ctx->out, i, &e))
			break;
		if (fusebpf_bytes_eq(e.name, e.namelen, "secret"))
			fusebpf_dirent_drop(&ctx->out, i);
	}
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_OPS_DEFINE(bench);
char LICENSE[] SEC("license") = "GPL";
