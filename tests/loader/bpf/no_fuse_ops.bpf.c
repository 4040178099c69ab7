// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * no_fuse_ops.bpf.c - a valid BPF object with a syscall program but no
 * fuse_ops program: the loader must say there is nothing to put in a table.
 */
#include "fusebpf.bpf.h"

SEC("syscall")
int no_fuse_ops_helper(void *ctx)
{
	return 0;
}

FUSEBPF_OPS_DEFINE(no_fuse_ops);
char LICENSE[] SEC("license") = "GPL";
