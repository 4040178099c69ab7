// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * defaults_test.bpf.c - CALL_DEFAULT and default_filter, for the engine
 * tests.  Only two programs:
 *  - getattr prefilter: returns CALL_DEFAULT (explicitly);
 *  - default_filter: decides by the decorated opcode it is called for:
 *      GETATTR|PREFILTER  -> POSTFILTER (so the missing getattr postfilter
 *                            is CALL_DEFAULT again, implicitly)
 *      GETATTR|POSTFILTER -> -EXDEV (replaces the result)
 *      UNLINK|PREFILTER   -> -EROFS (unlink has no program of its own)
 *      anything else      -> CONTINUE
 */
#include "fusebpf.bpf.h"

FUSEBPF_PREFILTER(getattr)
int defaults_test_getattr_prefilter(struct fusebpf_getattr_ctx *ctx)
{
	return BPF_FUSE_CALL_DEFAULT;
}

FUSEBPF_DEFAULT_FILTER
int defaults_test_default_filter(struct fusebpf_default_ctx *ctx)
{
	__u32 opcode = ctx->meta.opcode;

	if (opcode == (FUSE_GETATTR | FUSE_PREFILTER))
		return BPF_FUSE_POSTFILTER;
	if (opcode == (FUSE_GETATTR | FUSE_POSTFILTER))
		return -EXDEV;
	if (opcode == (FUSE_UNLINK | FUSE_PREFILTER))
		return -EROFS;
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_OPS_DEFINE(defaults_test);
char LICENSE[] SEC("license") = "GPL";
