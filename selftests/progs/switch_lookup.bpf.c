// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * switch_lookup.bpf.c - bpf_test_revalidate_handle_backing_fd: a LOOKUP of
 * "file" continues to the backing dir while mode[0] is 0 and is handed to
 * the userspace handler (which gives it another backing path) once the test
 * sets mode[0] to 1 through the map's pin.  Other names always continue.
 */
#include "fusebpf.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} mode SEC(".maps");

FUSEBPF_PREFILTER(lookup)
int switch_lookup_lookup_prefilter(struct fusebpf_lookup_ctx *ctx)
{
	__u32 key = 0;
	__u32 *m = bpf_map_lookup_elem(&mode, &key);

	if (m && *m == 1 && fusebpf_name_eq(&ctx->name, "file"))
		return BPF_FUSE_USER;
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_OPS_DEFINE(switch_lookup);
char LICENSE[] SEC("license") = "GPL";
