// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * partial.bpf.c - bpf_test_partial: opens go to the backing fs and then to
 * the BPF postfilter, which asks for direct I/O (so every read(2) reaches the
 * daemon with the caller's offset and size, not the page cache's) and hands
 * the open to the userspace postfilter; a read at offset 0 is handed to the
 * userspace handler (BPF_FUSE_USER), every other read continues to the
 * backing file.
 */
#include "fusebpf.bpf.h"

FUSEBPF_PREFILTER(open)
int partial_open_prefilter(struct fusebpf_open_ctx *ctx)
{
	return BPF_FUSE_POSTFILTER;
}

FUSEBPF_POSTFILTER(open)
int partial_open_postfilter(struct fusebpf_open_ctx *ctx)
{
	if (ctx->meta.error_in)
		return BPF_FUSE_CONTINUE;
	ctx->out.open_flags |= FOPEN_DIRECT_IO;
	return BPF_FUSE_USER_POSTFILTER;
}

FUSEBPF_PREFILTER(read)
int partial_read_prefilter(struct fusebpf_read_ctx *ctx)
{
	return ctx->in.offset == 0 ? BPF_FUSE_USER : BPF_FUSE_CONTINUE;
}

FUSEBPF_OPS_DEFINE(partial);
char LICENSE[] SEC("license") = "GPL";
