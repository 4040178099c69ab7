// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * knobs.bpf.c - the knob-driven test filter: a prefilter and a postfilter
 * for every op of the filter ABI and a default_filter, all steered by the
 * array map `knobs` the test writes through its pin (tests/support/
 * knobs_table.h), so one object covers every verdict of every op:
 *
 *   knobs[op]  struct test_knob: the prefilter returns `pre`, the postfilter
 *              `remap_to` when error_in == remap_from (non-zero), else
 *              `post` (verdicts, negative errnos, or garbage), after the
 *              op's rewrites the `flags` ask for (below);
 *   knobs[FUSEBPF_OP_COUNT]  the default_filter: returns `pre` for the
 *              (undecorated) FUSE opcode `arg`, CONTINUE for every other;
 *   calls[2 * op + side], calls[2 * FUSEBPF_OP_COUNT] (default_filter):
 *              how often each program ran, so tests see that it did.
 *
 * Input rewrites (KNOB_REWRITE_IN, prefilter): lookup/mkdir/link/unlink/
 * rmdir names and rename's new name get 'x' as first byte; create's name
 * becomes "redirected"; setattr (with FATTR_MODE) and mknod modes become
 * 0600; symlink targets get 'x' as first byte; read/write offsets grow by
 * `arg`; setxattr values get 'X' as first byte; getxattr/removexattr names
 * 'x' as the byte after "user.".
 * Output rewrites (KNOB_REWRITE_OUT, postfilter, on success): setattr attr
 * and create/mknod/mkdir/symlink/link entry permission bits become
 * `post_arg`; open's fh and backing_id become `post_arg` (daemon-owned: the
 * daemon ignores them); read and copy_file_range sizes shrink to at most
 * `post_arg`; lseek's offset becomes `post_arg`; readdir drops names
 * starting with "hide" and renames "old" to "new"; readlink's target gets
 * 'x' as first byte; statfs files 12345 / ffree 123; getxattr's value
 * "filtered"; listxattr's list "user.only"; getlk a F_WRLCK of pid 4242.
 * KNOB_SHRINK: setxattr (prefilter) and getxattr (postfilter) values shrink
 * to 4 bytes. KNOB_ONLY_HIDDEN: lookup's `pre` applies to the name "hidden"
 * only (other names CONTINUE). KNOB_ONLY_EXEC: open's `pre` applies to an
 * execve()'s open only (__FMODE_EXEC in the flags).
 *
 * Which programs exist decides what a binding filters (the data path, a
 * lookup filter's effect on READDIRPLUS, the default filter's every op), so
 * the object is built in variants (tests/support/CMakeLists.txt) that leave
 * some out: -DKNOBS_NO_LOOKUP (no lookup programs), -DKNOBS_NO_DATA (no
 * read/write programs: files keep kernel passthrough), -DKNOBS_NO_DEFAULT
 * (no default_filter).
 */
#include "fusebpf.bpf.h"

#define KNOB_REWRITE_IN 1u
#define KNOB_REWRITE_OUT 2u
#define KNOB_SHRINK 4u
#define KNOB_ONLY_HIDDEN 8u
#define KNOB_ONLY_EXEC 16u

/* __FMODE_EXEC (include/linux/fs.h): in the OPEN flags of an execve(). */
#define FMODE_EXEC_FLAG 0x20

struct test_knob {
	__s32 pre;
	__s32 post;
	__s32 remap_from;
	__s32 remap_to;
	__u32 flags;
	__u32 padding;
	__u64 arg;
	__u64 post_arg;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FUSEBPF_OP_COUNT + 1);
	__type(key, __u32);
	__type(value, struct test_knob);
} knobs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * FUSEBPF_OP_COUNT + 1);
	__type(key, __u32);
	__type(value, __u64);
} calls SEC(".maps");

/* The knob of op (the default filter's at FUSEBPF_OP_COUNT), counting the
 * call of (op, side). */
static __always_inline struct test_knob *knob_of(__u32 op, __u32 side)
{
	__u32 idx = 2 * op + side;
	__u64 *c = bpf_map_lookup_elem(&calls, &idx);

	if (c)
		__sync_fetch_and_add(c, 1);
	return bpf_map_lookup_elem(&knobs, &op);
}

static __always_inline bool wants(const struct test_knob *k, __u32 bit)
{
	return k && (k->flags & bit);
}

static __always_inline int pre_verdict(const struct test_knob *k)
{
	return k ? k->pre : BPF_FUSE_CONTINUE;
}

static __always_inline int post_verdict(const struct test_knob *k, __s32 error_in)
{
	if (!k)
		return BPF_FUSE_CONTINUE;
	if (k->remap_from && error_in == k->remap_from)
		return k->remap_to;
	return k->post;
}

/* The permission bits of `mode` become the knob's post_arg. */
#define SET_PERMS(mode, k) ((mode) = ((mode)&0170000) | (__u32)((k)->post_arg & 07777))

/*
 * A prefilter and a postfilter for op. REWRITE_IN runs (with `k` and `ctx`
 * in scope) when the knob asks for input rewrites, REWRITE_OUT when it asks
 * for output rewrites and the backing op succeeded.
 */
#define KNOB_OP(op, OP, REWRITE_IN, REWRITE_OUT)                                                   \
	FUSEBPF_PREFILTER(op)                                                                      \
	int knobs_##op##_prefilter(struct fusebpf_##op##_ctx *ctx)                                 \
	{                                                                                          \
		struct test_knob *k = knob_of(FUSEBPF_OP_##OP, FUSEBPF_PRE);                       \
		if (wants(k, KNOB_REWRITE_IN)) {                                                   \
			REWRITE_IN;                                                                \
		}                                                                                  \
		return pre_verdict(k);                                                             \
	}                                                                                          \
	FUSEBPF_POSTFILTER(op)                                                                     \
	int knobs_##op##_postfilter(struct fusebpf_##op##_ctx *ctx)                                \
	{                                                                                          \
		struct test_knob *k = knob_of(FUSEBPF_OP_##OP, FUSEBPF_POST);                      \
		if (wants(k, KNOB_REWRITE_OUT) && ctx->meta.error_in == 0) {                       \
			REWRITE_OUT;                                                               \
		}                                                                                  \
		return post_verdict(k, ctx->meta.error_in);                                        \
	}

#define NOTHING                                                                                    \
	do {                                                                                       \
	} while (0)

/* Name ops: the first byte of the name becomes 'x'. */
#define FIRST_X(n)                                                                                 \
	do {                                                                                       \
		if ((n).len > 0)                                                                   \
			(n).name[0] = 'x';                                                         \
	} while (0)

/* removexattr/getxattr names: the byte after "user." becomes 'x'. */
#define AFTER_USER_X(n)                                                                            \
	do {                                                                                       \
		if ((n).len > 5)                                                                   \
			(n).name[5] = 'x';                                                         \
	} while (0)

/* ---- lookup and attributes ---- */

#ifndef KNOBS_NO_LOOKUP
FUSEBPF_PREFILTER(lookup)
int knobs_lookup_prefilter(struct fusebpf_lookup_ctx *ctx)
{
	struct test_knob *k = knob_of(FUSEBPF_OP_LOOKUP, FUSEBPF_PRE);

	if (wants(k, KNOB_ONLY_HIDDEN) && !fusebpf_name_eq(&ctx->name, "hidden"))
		return BPF_FUSE_CONTINUE;
	if (wants(k, KNOB_REWRITE_IN))
		FIRST_X(ctx->name);
	return pre_verdict(k);
}

FUSEBPF_POSTFILTER(lookup)
int knobs_lookup_postfilter(struct fusebpf_lookup_ctx *ctx)
{
	return post_verdict(knob_of(FUSEBPF_OP_LOOKUP, FUSEBPF_POST), ctx->meta.error_in);
}
#endif

KNOB_OP(getattr, GETATTR, NOTHING, NOTHING)
KNOB_OP(
    setattr, SETATTR,
    {
	    if (ctx->in.valid & FATTR_MODE)
		    ctx->in.mode = (ctx->in.mode & 0170000) | 0600;
    },
    SET_PERMS(ctx->out.attr.mode, k))
KNOB_OP(access, ACCESS, NOTHING, NOTHING)
KNOB_OP(statfs, STATFS, NOTHING, {
	ctx->out.st.files = 12345;
	ctx->out.st.ffree = 123;
})

/* ---- namespace ---- */

KNOB_OP(
    create, CREATE,
    {
	    /* Constant offsets: a syscall program's context may not be
	     * indexed with a variable. */
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
    SET_PERMS(ctx->out.entry.attr.mode, k))
KNOB_OP(
    mknod, MKNOD, { ctx->in.mode = (ctx->in.mode & 0170000) | 0600; },
    SET_PERMS(ctx->out.entry.attr.mode, k))
KNOB_OP(mkdir, MKDIR, FIRST_X(ctx->name), SET_PERMS(ctx->out.entry.attr.mode, k))
KNOB_OP(
    symlink, SYMLINK,
    {
	    if (ctx->target.len > 0)
		    ctx->target.path[0] = 'x';
    },
    SET_PERMS(ctx->out.entry.attr.mode, k))
KNOB_OP(link, LINK, FIRST_X(ctx->name), SET_PERMS(ctx->out.entry.attr.mode, k))
KNOB_OP(unlink, UNLINK, FIRST_X(ctx->name), NOTHING)
KNOB_OP(rmdir, RMDIR, FIRST_X(ctx->name), NOTHING)
KNOB_OP(rename, RENAME, FIRST_X(ctx->new_name), NOTHING)
KNOB_OP(readlink, READLINK, NOTHING, {
	if (ctx->out.target.len > 0)
		ctx->out.target.path[0] = 'x';
})

/* ---- open files and directories ---- */

FUSEBPF_PREFILTER(open)
int knobs_open_prefilter(struct fusebpf_open_ctx *ctx)
{
	struct test_knob *k = knob_of(FUSEBPF_OP_OPEN, FUSEBPF_PRE);

	if (wants(k, KNOB_ONLY_EXEC) && !(ctx->in.flags & FMODE_EXEC_FLAG))
		return BPF_FUSE_CONTINUE;
	return pre_verdict(k);
}

FUSEBPF_POSTFILTER(open)
int knobs_open_postfilter(struct fusebpf_open_ctx *ctx)
{
	struct test_knob *k = knob_of(FUSEBPF_OP_OPEN, FUSEBPF_POST);

	if (wants(k, KNOB_REWRITE_OUT) && ctx->meta.error_in == 0) {
		ctx->out.fh = k->post_arg;
		ctx->out.backing_id = (__s32)k->post_arg;
	}
	return post_verdict(k, ctx->meta.error_in);
}

#ifndef KNOBS_NO_DATA
KNOB_OP(
    read, READ, { ctx->in.offset += k->arg; },
    {
	    if (ctx->out.size > k->post_arg)
		    ctx->out.size = (__u32)k->post_arg;
    })
KNOB_OP(
    write, WRITE, { ctx->in.offset += k->arg; }, NOTHING)
#endif

KNOB_OP(flush, FLUSH, NOTHING, NOTHING)
KNOB_OP(release, RELEASE, NOTHING, NOTHING)
KNOB_OP(fsync, FSYNC, NOTHING, NOTHING)
KNOB_OP(fallocate, FALLOCATE, NOTHING, NOTHING)
KNOB_OP(lseek, LSEEK, NOTHING, { ctx->out.offset = k->post_arg; })
KNOB_OP(copy_file_range, COPY_FILE_RANGE, NOTHING, {
	if (ctx->out.size > k->post_arg)
		ctx->out.size = (__u32)k->post_arg;
})
KNOB_OP(opendir, OPENDIR, NOTHING, NOTHING)
KNOB_OP(releasedir, RELEASEDIR, NOTHING, NOTHING)
KNOB_OP(fsyncdir, FSYNCDIR, NOTHING, NOTHING)

FUSEBPF_PREFILTER(readdir)
int knobs_readdir_prefilter(struct fusebpf_readdir_ctx *ctx)
{
	return pre_verdict(knob_of(FUSEBPF_OP_READDIR, FUSEBPF_PRE));
}

FUSEBPF_POSTFILTER(readdir)
int knobs_readdir_postfilter(struct fusebpf_readdir_ctx *ctx)
{
	struct test_knob *k = knob_of(FUSEBPF_OP_READDIR, FUSEBPF_POST);

	if (wants(k, KNOB_REWRITE_OUT) && ctx->meta.error_in == 0) {
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
	return post_verdict(k, ctx->meta.error_in);
}

/* ---- extended attributes ---- */

FUSEBPF_PREFILTER(setxattr)
int knobs_setxattr_prefilter(struct fusebpf_setxattr_ctx *ctx)
{
	struct test_knob *k = knob_of(FUSEBPF_OP_SETXATTR, FUSEBPF_PRE);

	if (wants(k, KNOB_REWRITE_IN) && ctx->value.size > 0)
		ctx->value.data[0] = 'X';
	if (wants(k, KNOB_SHRINK) && ctx->value.size > 4)
		ctx->value.size = 4;
	return pre_verdict(k);
}

FUSEBPF_POSTFILTER(setxattr)
int knobs_setxattr_postfilter(struct fusebpf_setxattr_ctx *ctx)
{
	return post_verdict(knob_of(FUSEBPF_OP_SETXATTR, FUSEBPF_POST), ctx->meta.error_in);
}

FUSEBPF_PREFILTER(getxattr)
int knobs_getxattr_prefilter(struct fusebpf_getxattr_ctx *ctx)
{
	struct test_knob *k = knob_of(FUSEBPF_OP_GETXATTR, FUSEBPF_PRE);

	if (wants(k, KNOB_REWRITE_IN))
		AFTER_USER_X(ctx->name);
	return pre_verdict(k);
}

FUSEBPF_POSTFILTER(getxattr)
int knobs_getxattr_postfilter(struct fusebpf_getxattr_ctx *ctx)
{
	struct test_knob *k = knob_of(FUSEBPF_OP_GETXATTR, FUSEBPF_POST);

	if (wants(k, KNOB_REWRITE_OUT) && ctx->meta.error_in == 0) {
		ctx->out.value.data[0] = 'f';
		ctx->out.value.data[1] = 'i';
		ctx->out.value.data[2] = 'l';
		ctx->out.value.data[3] = 't';
		ctx->out.value.data[4] = 'e';
		ctx->out.value.data[5] = 'r';
		ctx->out.value.data[6] = 'e';
		ctx->out.value.data[7] = 'd';
		ctx->out.value.size = 8;
		ctx->out.xattr.size = 8;
	}
	if (wants(k, KNOB_SHRINK) && ctx->meta.error_in == 0 && ctx->out.value.size > 4)
		ctx->out.value.size = 4;
	return post_verdict(k, ctx->meta.error_in);
}

FUSEBPF_PREFILTER(listxattr)
int knobs_listxattr_prefilter(struct fusebpf_listxattr_ctx *ctx)
{
	return pre_verdict(knob_of(FUSEBPF_OP_LISTXATTR, FUSEBPF_PRE));
}

FUSEBPF_POSTFILTER(listxattr)
int knobs_listxattr_postfilter(struct fusebpf_listxattr_ctx *ctx)
{
	struct test_knob *k = knob_of(FUSEBPF_OP_LISTXATTR, FUSEBPF_POST);

	if (wants(k, KNOB_REWRITE_OUT) && ctx->meta.error_in == 0) {
		const char only[] = "user.only"; /* with its NUL: one name */
#pragma clang loop unroll(full)
		for (int i = 0; i < (int)sizeof(only); i++)
			ctx->out.list.data[i] = only[i]; /* unrolled: constant offsets */
		ctx->out.list.size = sizeof(only);
		ctx->out.xattr.size = sizeof(only);
	}
	return post_verdict(k, ctx->meta.error_in);
}

KNOB_OP(removexattr, REMOVEXATTR, AFTER_USER_X(ctx->name), NOTHING)

/* ---- locks ---- */

KNOB_OP(getlk, GETLK, NOTHING, {
	ctx->out.lk.type = 1; /* F_WRLCK */
	ctx->out.lk.start = 0;
	ctx->out.lk.end = 0x7fffffffffffffffULL;
	ctx->out.lk.pid = 4242;
})
KNOB_OP(setlk, SETLK, NOTHING, NOTHING)

/* ---- default_filter ---- */

#ifndef KNOBS_NO_DEFAULT
FUSEBPF_DEFAULT_FILTER
int knobs_default_filter(struct fusebpf_default_ctx *ctx)
{
	struct test_knob *k = knob_of(FUSEBPF_OP_COUNT, FUSEBPF_PRE);

	if (k && k->arg && (ctx->meta.opcode & FUSE_OPCODE_FILTER) == k->arg)
		return k->pre;
	return BPF_FUSE_CONTINUE;
}
#endif

FUSEBPF_OPS_DEFINE(knobs);
char LICENSE[] SEC("license") = "GPL";
