// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * loader_test.bpf.c - the filter the loader tests load, list, inspect, run
 * and unload; each program pins down one behaviour of the ABI or of a helper
 * of fusebpf.bpf.h, so a test can assert its verdict and rewritten context.
 *
 * This filter demonstrates:
 *  - name equality, prefix and suffix match on a context name;
 *  - a prefilter rewriting its input (the lookup name);
 *  - a postfilter rewriting outputs and mapping error_in;
 *  - a deny list in a hash map keyed by a name copied to the stack;
 *  - dropping readdir entries by name;
 *  - a ring-buffer trace event with file:line (FUSEBPF_ERR);
 *  - a default_filter and a knob set by the loader (rodata).
 */
#include "fusebpf.bpf.h"

/* A knob: the mode bits getattr's postfilter clears. */
const volatile __u32 loader_test_clear_mode = 0222;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, char[64]);
	__type(value, __u32);
} deny_names SEC(".maps");

FUSEBPF_EVENTS_DEFINE(events, 64 * 1024);

FUSEBPF_PREFILTER(lookup)
int loader_test_lookup_prefilter(struct fusebpf_lookup_ctx *ctx)
{
	if (fusebpf_name_eq(&ctx->name, "secret"))
		return -ENOENT;
	if (fusebpf_name_has_suffix(&ctx->name, ".tmp"))
		return -EACCES;
	if (fusebpf_name_has_prefix(&ctx->name, "post"))
		return BPF_FUSE_POSTFILTER;
	if (fusebpf_name_eq(&ctx->name, "alias")) {
		/* Rewrite the input: look up "target" instead. */
		ctx->name.name[0] = 't';
		ctx->name.name[1] = 'a';
		ctx->name.name[2] = 'r';
		ctx->name.name[3] = 'g';
		ctx->name.name[4] = 'e';
		ctx->name.name[5] = 't';
		ctx->name.name[6] = '\0';
		ctx->name.len = 6;
		return BPF_FUSE_CONTINUE;
	}
	if (fusebpf_name_eq(&ctx->name, "long-alias")) {
		/* The same with fusebpf_name_set(): a 40-byte name in 5 words. */
		char target[48] = "a-much-longer-target-name-of-40-bytes-xx";

		fusebpf_name_set(ctx, name, target, 40);
		return BPF_FUSE_CONTINUE;
	}
	if (fusebpf_name_eq(&ctx->name, "user"))
		return BPF_FUSE_USER;
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_POSTFILTER(lookup)
int loader_test_lookup_postfilter(struct fusebpf_lookup_ctx *ctx)
{
	if (ctx->meta.error_in == -ENOENT)
		return -EPERM;
	ctx->out.entry.attr.size = 4242;
	ctx->out.entry.entry_valid = 7;
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_POSTFILTER(getattr)
int loader_test_getattr_postfilter(struct fusebpf_getattr_ctx *ctx)
{
	ctx->out.attr.mode &= ~loader_test_clear_mode;
	return BPF_FUSE_CONTINUE;
}

/* An empty program: the cost floor of a filter call. */
FUSEBPF_PREFILTER(access)
int loader_test_access_prefilter(struct fusebpf_access_ctx *ctx)
{
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_PREFILTER(mkdir)
int loader_test_mkdir_prefilter(struct fusebpf_mkdir_ctx *ctx)
{
	char name[64] = {};

	if (fusebpf_name_copy(name, sizeof(name), &ctx->name) < 0)
		return -EIO;
	if (bpf_map_lookup_elem(&deny_names, name))
		return -EACCES;
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_PREFILTER(unlink)
int loader_test_unlink_prefilter(struct fusebpf_unlink_ctx *ctx)
{
	if (fusebpf_name_eq(&ctx->name, "keep"))
		return FUSEBPF_ERR(&events, &ctx->meta, -EPERM, "keep is protected");
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_POSTFILTER(readdir)
int loader_test_readdir_postfilter(struct fusebpf_readdir_ctx *ctx)
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

FUSEBPF_DEFAULT_FILTER
int loader_test_default_filter(struct fusebpf_default_ctx *ctx)
{
	return (ctx->meta.opcode & FUSE_OPCODE_FILTER) == FUSE_STATFS ? BPF_FUSE_USER
	                                                              : BPF_FUSE_CONTINUE;
}

FUSEBPF_OPS_DEFINE(loader_test);
char LICENSE[] SEC("license") = "GPL";
