// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * readdir_drop.bpf.c - bpf_test_no_readdirplus_without_nodeid, adapted: the
 * readdir postfilter drops every entry whose name starts with "drop_", for
 * READDIR and READDIRPLUS alike, so both must give the same filtered view.
 */
#include "fusebpf.bpf.h"

FUSEBPF_PREFILTER(readdir)
int readdir_drop_readdir_prefilter(struct fusebpf_readdir_ctx *ctx)
{
	return BPF_FUSE_POSTFILTER;
}

FUSEBPF_POSTFILTER(readdir)
int readdir_drop_readdir_postfilter(struct fusebpf_readdir_ctx *ctx)
{
	for (__u32 i = 0; i < FUSEBPF_READDIR_BATCH; i++) {
		struct fusebpf_dirent e;

		if (fusebpf_dirent_read(&ctx->out, i, &e))
			break;
		if (e.namelen >= 5 && e.name[0] == 'd' && e.name[1] == 'r' && e.name[2] == 'o' &&
		    e.name[3] == 'p' && e.name[4] == '_')
			fusebpf_dirent_drop(&ctx->out, i);
	}
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_OPS_DEFINE(readdir_drop);
char LICENSE[] SEC("license") = "GPL";
