// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench_filter.bpf.c - the smallest programs that exercise each engine path,
 * for bench/filter/engine_bench.cc:
 *  - getattr prefilter: CONTINUE for nodeid 1 (prefilter only), POSTFILTER
 *    for any other nodeid (pre + post);
 *  - getattr postfilter: clears the write bits (a real output rewrite);
 *  - lookup prefilter: compares the name (a typical lookup filter).
 * No program for access: the "no program" path.
 */
#include "fusebpf.bpf.h"

FUSEBPF_PREFILTER(getattr)
int bench_getattr_prefilter(struct fusebpf_getattr_ctx *ctx)
{
	return ctx->meta.nodeid == 1 ? BPF_FUSE_CONTINUE : BPF_FUSE_POSTFILTER;
}

FUSEBPF_POSTFILTER(getattr)
int bench_getattr_postfilter(struct fusebpf_getattr_ctx *ctx)
{
	ctx->out.attr.mode &= ~0222;
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_PREFILTER(lookup)
int bench_lookup_prefilter(struct fusebpf_lookup_ctx *ctx)
{
	return fusebpf_name_eq(&ctx->name, "secret") ? -ENOENT : BPF_FUSE_CONTINUE;
}

FUSEBPF_OPS_DEFINE(bench_filter);
char LICENSE[] SEC("license") = "GPL";
