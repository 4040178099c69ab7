// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * status-file.bpf.c - the BPF half of examples/status-file: routes the
 * lookup of ".fusebpf-status" in the mount root to the user filter's
 * handle_lookup() (BPF_FUSE_USER), which answers it with a virtual node, and
 * sends every other op to the user filter's prefilter (USER_PREFILTER),
 * which counts it before the backing op runs.
 *
 * The default filter stands for every op without a program of its own, so
 * two programs cover all 33 ops.  Ops on the virtual node itself never reach
 * BPF: the daemon sends them straight to the user filter's handlers.
 *
 * Cost: every op of the mount makes one BPF run and one userspace call (a
 * few microseconds); and since the default filter stands for READ and WRITE
 * too, the files of the mount use the classic FUSE data path.
 */
#include "fusebpf.bpf.h"

#define STATUS_ROOT_NODEID 1 /* FUSE_ROOT_ID */

FUSEBPF_PREFILTER(lookup)
int status_file_lookup_prefilter(struct fusebpf_lookup_ctx *ctx)
{
	if (ctx->meta.nodeid == STATUS_ROOT_NODEID &&
	    fusebpf_name_eq(&ctx->name, ".fusebpf-status"))
		return BPF_FUSE_USER;
	return BPF_FUSE_USER_PREFILTER;
}

FUSEBPF_DEFAULT_FILTER
int status_file_default_filter(struct fusebpf_default_ctx *ctx)
{
	if (ctx->meta.opcode & FUSE_PREFILTER)
		return BPF_FUSE_USER_PREFILTER;
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_OPS_DEFINE(status_file);
char LICENSE[] SEC("license") = "GPL";
