// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uid-policy.bpf.c - per-uid isolation of subtrees and ops, like Android's
 * per-app Android/data: under every directory named "data", uid U may only
 * enter (and only sees) data/<its own directory>; ops denied to a uid fail
 * with EACCES everywhere.
 *
 * Two maps, keyed by the caller's uid (meta.uid, the fsuid):
 *  - uid_dir:      uid -> the one name (char[64], zero-padded) the uid may
 *                  enter inside a data directory;
 *  - uid_deny_ops: uid -> a bit mask of ops (bit N = enum fusebpf_op N, e.g.
 *                  mkdir = 10 -> 0x400) that fail with EACCES for that uid.
 * uid 0 is exempt (knob `root_exempt`); a uid without a uid_dir entry enters
 * no directory inside data.
 *
 * How the filter knows "inside data": a lookup of the name "data" asks for
 * the lookup postfilter, which records the directory's nodeid in
 * `data_dirs`; a later lookup whose parent (meta.nodeid) is recorded is
 * checked against uid_dir.  readdir of a recorded directory drops the names
 * the caller may not enter.  The default filter applies uid_deny_ops to every
 * op without a program of its own (the ones with one call the same check).
 *
 * Limits: the kernel caches entries, and a cached entry is not looked up
 * again until its timeout: mount with -o entry_timeout=0 so that every path
 * walk is checked (the README does).  A directory opened before the policy
 * changed stays open.  The default filter makes every op run one BPF
 * program, and READ/WRITE with it take files off kernel passthrough: drop
 * the default filter if you do not need uid_deny_ops.
 */
#include "fusebpf.bpf.h"

#define POLICY_NAME_MAX 64

struct policy_name {
	char name[POLICY_NAME_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct policy_name);
} uid_dir SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u64);
} uid_deny_ops SEC(".maps");

/* nodeids of the directories named "data" (LRU: nodes come and go). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u8);
} data_dirs SEC(".maps");

/* Set to false before load to hold root to the policy too. */
const volatile bool root_exempt = true;

static __always_inline bool policy_exempt(const struct fusebpf_meta *meta)
{
	return root_exempt && meta->uid == 0;
}

/* -EACCES if @op is in the caller's uid_deny_ops, else 0. */
static __always_inline int policy_check_op(const struct fusebpf_meta *meta, __u32 op)
{
	__u32 uid = meta->uid;
	__u64 *mask;

	if (policy_exempt(meta) || op >= 64)
		return 0;
	mask = bpf_map_lookup_elem(&uid_deny_ops, &uid);
	if (mask && (*mask & (1ULL << op)))
		return -EACCES;
	return 0;
}

/* Whether the caller may enter the child @name (@len bytes) of a data dir. */
static __always_inline bool policy_may_enter(const struct fusebpf_meta *meta, const char *name,
                                             __u32 len)
{
	struct policy_name want;
	__u32 uid = meta->uid;
	struct policy_name *own;

	if (policy_exempt(meta))
		return true;
	own = bpf_map_lookup_elem(&uid_dir, &uid);
	if (!own || len == 0 || len >= POLICY_NAME_MAX)
		return false;
	__builtin_memset(&want, 0, sizeof(want));
	if (bpf_probe_read_kernel(want.name, len & (POLICY_NAME_MAX - 1), name))
		return false;
	for (__u32 i = 0; i < POLICY_NAME_MAX; i++)
		if (want.name[i] != own->name[i])
			return false;
	return true;
}

static __always_inline bool policy_in_data_dir(const struct fusebpf_meta *meta)
{
	__u64 dir = meta->nodeid;

	return bpf_map_lookup_elem(&data_dirs, &dir) != NULL;
}

/* LOOKUP: the op mask, the data/<own dir> rule, and spotting "data" dirs. */
FUSEBPF_PREFILTER(lookup)
int uid_policy_lookup_prefilter(struct fusebpf_lookup_ctx *ctx)
{
	int err = policy_check_op(&ctx->meta, FUSEBPF_OP_LOOKUP);

	if (err)
		return err;
	if (policy_in_data_dir(&ctx->meta) &&
	    !policy_may_enter(&ctx->meta, ctx->name.name, ctx->name.len))
		return -EACCES;
	if (fusebpf_name_eq(&ctx->name, "data"))
		return BPF_FUSE_POSTFILTER; /* record its nodeid */
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_POSTFILTER(lookup)
int uid_policy_lookup_postfilter(struct fusebpf_lookup_ctx *ctx)
{
	__u64 dir = ctx->out.entry.nodeid;
	__u8 one = 1;

	if (ctx->meta.error_in == 0 && dir && (ctx->out.entry.attr.mode & 0170000) == 0040000)
		bpf_map_update_elem(&data_dirs, &dir, &one, BPF_ANY);
	return BPF_FUSE_CONTINUE;
}

/* READDIR of a data dir: show only the entries the caller may enter. */
FUSEBPF_PREFILTER(readdir)
int uid_policy_readdir_prefilter(struct fusebpf_readdir_ctx *ctx)
{
	int err = policy_check_op(&ctx->meta, FUSEBPF_OP_READDIR);

	if (err)
		return err;
	if (policy_in_data_dir(&ctx->meta) && !policy_exempt(&ctx->meta))
		return BPF_FUSE_POSTFILTER;
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_POSTFILTER(readdir)
int uid_policy_readdir_postfilter(struct fusebpf_readdir_ctx *ctx)
{
	struct fusebpf_dirent e;

	if (ctx->meta.error_in)
		return BPF_FUSE_CONTINUE;
	for (__u32 i = 0; i < FUSEBPF_READDIR_BATCH; i++) {
		if (fusebpf_dirent_read(&ctx->out, i, &e))
			break;
		if (fusebpf_bytes_eq(e.name, e.namelen, ".") ||
		    fusebpf_bytes_eq(e.name, e.namelen, ".."))
			continue;
		if (!policy_may_enter(&ctx->meta, e.name, e.namelen))
			fusebpf_dirent_drop(&ctx->out, i);
	}
	return BPF_FUSE_CONTINUE;
}

/*
 * Every other op (and both sides of them): the op mask only.  The default
 * filter sees meta alone; meta.opcode says which op and side it stands for.
 */
FUSEBPF_DEFAULT_FILTER
int uid_policy_default_filter(struct fusebpf_default_ctx *ctx)
{
	__u32 opcode = ctx->meta.opcode;
	enum fusebpf_op op;

	if (opcode & FUSE_POSTFILTER)
		return BPF_FUSE_CONTINUE;
	op = fusebpf_op_of_opcode(opcode & FUSE_OPCODE_FILTER);
	/* A close cannot fail: release, releasedir, flush and forget pass. */
	if (op == FUSEBPF_OP_NONE || op == FUSEBPF_OP_RELEASE || op == FUSEBPF_OP_RELEASEDIR ||
	    op == FUSEBPF_OP_FLUSH)
		return BPF_FUSE_CONTINUE;
	return policy_check_op(&ctx->meta, (__u32)op);
}

FUSEBPF_OPS_DEFINE(uid_policy);
char LICENSE[] SEC("license") = "GPL";
