// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * corners.bpf.c - the filter the corner tests bind: a prefilter returning
 * BPF_FUSE_CONTINUE for every op the corners go through (so each op runs
 * through the filter engine, and the READ/WRITE programs put files on the
 * classic data path).  Built a second time with -DREFUSE_EXEC: the OPEN
 * prefilter then fails an execve()'s open (__FMODE_EXEC in the open flags)
 * with -EPERM, which shows that filters see the exec of an execute-only
 * file as an OPEN they can refuse.
 */
#include "fusebpf.bpf.h"

/* __FMODE_EXEC (include/linux/fs.h): in the OPEN flags of an execve(). */
#define FMODE_EXEC_FLAG 0x20

#define CONTINUE(op)                                                                               \
	FUSEBPF_PREFILTER(op)                                                                      \
	int corners_##op##_prefilter(void *ctx)                                                    \
	{                                                                                          \
		return BPF_FUSE_CONTINUE;                                                          \
	}

CONTINUE(lookup)
CONTINUE(getattr)
CONTINUE(setattr)
CONTINUE(read)
CONTINUE(write)
CONTINUE(flush)
CONTINUE(release)
CONTINUE(fsync)
CONTINUE(fallocate)
CONTINUE(getxattr)
CONTINUE(setxattr)
CONTINUE(removexattr)

FUSEBPF_PREFILTER(open)
int corners_open_prefilter(struct fusebpf_open_ctx *ctx)
{
#ifdef REFUSE_EXEC
	if (ctx->in.flags & FMODE_EXEC_FLAG)
		return -EPERM;
#endif
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_OPS_DEFINE(corners);
char LICENSE[] SEC("license") = "GPL";
