// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * data_ops.bpf.c - the filter of the ops-data mount tests: one prefilter
 * and one postfilter for each op of the open-file and directory paths
 * (open, create, read, write, flush, release, fsync, fallocate, lseek,
 * copy_file_range, opendir, readdir, releasedir, fsyncdir), driven by the
 * test through the array map `ctl` (one struct data_ctl per op number,
 * FUSEBPF_OP_COUNT for the default filter) and counted in `calls`
 * (op * 2 + side; the default filter at FUSEBPF_OP_COUNT * 2).
 *
 * A prefilter returns ctl.pre (any value: the test sets errnos, verdicts
 * and garbage) after the op's input rewrite when ctl.arg is non-zero; a
 * postfilter returns ctl.remap_to when error_in == ctl.remap_from (both
 * non-zero), else ctl.post, after the op's output rewrite when ctl.post_arg
 * is non-zero.  Rewrites:
 *   create  pre: the name becomes "redirected"; post: attr mode bits = post_arg
 *   read    pre: offset += arg; post: out.size = min(out.size, post_arg)
 *   write   pre: offset += arg
 *   open    post: out.fh = out.backing_id = post_arg (daemon-owned: ignored)
 *   lseek   post: out.offset = post_arg
 *   copy_file_range post: out.size = min(out.size, post_arg)
 *   readdir post: drops names starting with "hide", renames "old" to "new"
 *
 * Built four times (CMakeLists.txt): as is; with -DWITH_DEFAULT (adds a
 * default_filter, see there); with -DNO_DATA (no read/write programs: files
 * keep kernel passthrough); with -DWITH_LOOKUP (adds a lookup prefilter
 * hiding "hidden": READDIRPLUS then sends no nodeids).
 */
#include "fusebpf.bpf.h"

struct data_ctl {
	__s32 pre;
	__s32 post;
	__s32 remap_from;
	__s32 remap_to;
	__u64 arg;
	__u64 post_arg;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FUSEBPF_OP_COUNT + 1);
	__type(key, __u32);
	__type(value, struct data_ctl);
} ctl SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * FUSEBPF_OP_COUNT + 2);
	__type(key, __u32);
	__type(value, __u64);
} calls SEC(".maps");

static __always_inline struct data_ctl *enter(__u32 op, __u32 side)
{
	__u32 key = op * 2 + side;
	__u64 *n = bpf_map_lookup_elem(&calls, &key);

	if (n)
		__sync_fetch_and_add(n, 1);
	return bpf_map_lookup_elem(&ctl, &op);
}

static __always_inline int post_verdict(const struct data_ctl *c, __s32 error_in)
{
	if (c->remap_from && error_in == c->remap_from)
		return c->remap_to;
	return c->post;
}

/* A prefilter and a postfilter for op, with REWRITE_PRE / REWRITE_POST run
 * (with `c` and `ctx` in scope) when ctl.arg / ctl.post_arg are set. */
#define DATA_OP(name, OP, REWRITE_PRE, REWRITE_POST)                                               \
	FUSEBPF_PREFILTER(name)                                                                    \
	int name##_pre(struct fusebpf_##name##_ctx *ctx)                                           \
	{                                                                                          \
		struct data_ctl *c = enter(OP, 0);                                                 \
		if (!c)                                                                            \
			return BPF_FUSE_CONTINUE;                                                  \
		if (c->arg) {                                                                      \
			REWRITE_PRE;                                                               \
		}                                                                                  \
		return c->pre;                                                                     \
	}                                                                                          \
	FUSEBPF_POSTFILTER(name)                                                                   \
	int name##_post(struct fusebpf_##name##_ctx *ctx)                                          \
	{                                                                                          \
		struct data_ctl *c = enter(OP, 1);                                                 \
		if (!c)                                                                            \
			return BPF_FUSE_CONTINUE;                                                  \
		if (c->post_arg) {                                                                 \
			REWRITE_POST;                                                              \
		}                                                                                  \
		return post_verdict(c, ctx->meta.error_in);                                        \
	}

#define NOTHING                                                                                    \
	do {                                                                                       \
	} while (0)

DATA_OP(open, FUSEBPF_OP_OPEN, NOTHING, {
	ctx->out.fh = c->post_arg;
	ctx->out.backing_id = (__s32)c->post_arg;
})

DATA_OP(
    create, FUSEBPF_OP_CREATE,
    {
	    ctx->name.name[0] = 'r';
	    ctx->name.name[1] = 'e';
	    ctx->name.name[2] = 'd';
	    ctx->name.name[3] = 'i';
	    ctx->name.name[4] = 'r';
	    ctx->name.name[5] = 'e';
	    ctx->name.name[6] = 'c';
	    ctx->name.name[7] = 't';
	    ctx->name.name[8] = 'e';
	    ctx->name.name[9] = 'd';
	    ctx->name.name[10] = '\0';
	    ctx->name.len = 10;
    },
    {
	    ctx->out.entry.attr.mode =
	        (ctx->out.entry.attr.mode & 0170000) | (__u32)(c->post_arg & 07777);
    })

#ifndef NO_DATA
DATA_OP(
    read, FUSEBPF_OP_READ, { ctx->in.offset += c->arg; },
    {
	    if (ctx->out.size > c->post_arg)
		    ctx->out.size = (__u32)c->post_arg;
    })

DATA_OP(
    write, FUSEBPF_OP_WRITE, { ctx->in.offset += c->arg; }, NOTHING)
#endif

DATA_OP(flush, FUSEBPF_OP_FLUSH, NOTHING, NOTHING)
DATA_OP(release, FUSEBPF_OP_RELEASE, NOTHING, NOTHING)
DATA_OP(fsync, FUSEBPF_OP_FSYNC, NOTHING, NOTHING)
DATA_OP(fallocate, FUSEBPF_OP_FALLOCATE, NOTHING, NOTHING)
DATA_OP(lseek, FUSEBPF_OP_LSEEK, NOTHING, { ctx->out.offset = c->post_arg; })
DATA_OP(copy_file_range, FUSEBPF_OP_COPY_FILE_RANGE, NOTHING, {
	if (ctx->out.size > c->post_arg)
		ctx->out.size = (__u32)c->post_arg;
})
DATA_OP(opendir, FUSEBPF_OP_OPENDIR, NOTHING, NOTHING)
DATA_OP(releasedir, FUSEBPF_OP_RELEASEDIR, NOTHING, NOTHING)
DATA_OP(fsyncdir, FUSEBPF_OP_FSYNCDIR, NOTHING, NOTHING)

FUSEBPF_PREFILTER(readdir)
int readdir_pre(struct fusebpf_readdir_ctx *ctx)
{
	struct data_ctl *c = enter(FUSEBPF_OP_READDIR, 0);

	return c ? c->pre : BPF_FUSE_CONTINUE;
}

FUSEBPF_POSTFILTER(readdir)
int readdir_post(struct fusebpf_readdir_ctx *ctx)
{
	struct data_ctl *c = enter(FUSEBPF_OP_READDIR, 1);

	if (!c)
		return BPF_FUSE_CONTINUE;
	if (c->post_arg) {
		/* Read count once and copy entries to the stack (see
		 * tests/filter/bpf/engine_test.bpf.c for why). */
		__u32 count = ctx->out.count;
		for (__u32 i = 0; i < FUSEBPF_READDIR_BATCH && i < count; i++) {
			struct fusebpf_dirent e;

			if (bpf_probe_read_kernel(&e, sizeof(e), &ctx->out.entries[i]))
				break;
			if (e.namelen > FUSEBPF_NAME_MAX)
				e.namelen = FUSEBPF_NAME_MAX;
			if (e.namelen >= 4 && e.name[0] == 'h' && e.name[1] == 'i' &&
			    e.name[2] == 'd' && e.name[3] == 'e')
				ctx->out.drop_mask |= 1ULL << i;
		}
#pragma clang loop unroll(full)
		for (__u32 i = 0; i < FUSEBPF_READDIR_BATCH; i++) {
			if (i < count && fusebpf_bytes_eq(ctx->out.entries[i].name,
			                                  ctx->out.entries[i].namelen, "old")) {
				ctx->out.entries[i].name[0] = 'n';
				ctx->out.entries[i].name[1] = 'e';
				ctx->out.entries[i].name[2] = 'w';
			}
		}
	}
	return post_verdict(c, ctx->meta.error_in);
}

#ifdef WITH_DEFAULT
/* Returns ctl[FUSEBPF_OP_COUNT].pre for the FUSE opcode in its arg (either
 * side), CONTINUE for every other op (which all come here too: a table with
 * a default filter filters every op). */
FUSEBPF_DEFAULT_FILTER
int data_default(struct fusebpf_default_ctx *ctx)
{
	struct data_ctl *c = enter(FUSEBPF_OP_COUNT, 0);

	if (c && c->arg && (ctx->meta.opcode & FUSE_OPCODE_FILTER) == c->arg)
		return c->pre;
	return BPF_FUSE_CONTINUE;
}
#endif

#ifdef WITH_LOOKUP
/* Hides "hidden" from LOOKUP (and only from LOOKUP: readdir lists it). */
FUSEBPF_PREFILTER(lookup)
int data_lookup_pre(struct fusebpf_lookup_ctx *ctx)
{
	return fusebpf_name_eq(&ctx->name, "hidden") ? -ENOENT : BPF_FUSE_CONTINUE;
}
#endif

FUSEBPF_OPS_DEFINE(data_ops);
char LICENSE[] SEC("license") = "GPL";
