// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * quota.bpf.c - a byte budget for the tree the table is bound to: writes,
 * fallocate and truncates that would grow files past it fail with EDQUOT,
 * and statfs (`df`) reports the budget as the file system's size.
 *
 * Maps (pinned with the table, changed live with `fusebpf map set`):
 *  - quota (array): [QUOTA_BUDGET] the budget in bytes (0: QUOTA_DEFAULT_BUDGET),
 *    [QUOTA_USED] the bytes in use as this filter counts them;
 *  - sizes (LRU hash): nodeid -> the file size the filter last saw;
 *  - names (LRU hash): (parent nodeid, name) -> nodeid of the files and
 *    directories the filter saw looked up or created, so an unlink, which
 *    carries only a name, can give the file's bytes back, and a rename or
 *    link can tell an entry of the budget's tree from one brought in.
 *
 * Moves and links into the tree: the daemon runs the filters of the source
 * and of the target directory for RENAME and LINK, so this table sees every
 * move or link into its tree.  An entry the filter never saw in its tree
 * (one from outside it) would bring bytes the budget never counted: such a
 * rename or link fails with EXDEV, and `mv` then copies, which the budget
 * counts.  A rename keeps the moved entry's name record.
 *
 * What the filters can see, and so how usage is counted (an approximation):
 *  - sizes come from LOOKUP/GETATTR/CREATE replies (postfilters; a size
 *    smaller than the known one gives the difference back) and OPEN O_TRUNC;
 *  - a WRITE or FALLOCATE (without KEEP_SIZE/PUNCH_HOLE) ending past the
 *    known size grows usage by the difference; a SETATTR size changes it
 *    both ways; an UNLINK of a name the filter saw looked up gives the
 *    file's known size back;
 *  - QUOTA_USED starts at 0: files that were there before the mount are not
 *    counted until they grow (set it with `fusebpf map set` to start from
 *    `du -sb`), a file whose size the filter never saw counts from 0, a
 *    failed backing write still counts, and bytes moved out of the tree stay
 *    counted.  Sizes, not allocated blocks, are counted: a sparse file
 *    counts its holes.
 * One table is one budget: bind it to the mount root or to a subtree
 * (`fusebpf attach MNT/DIR --filter quota.bpf.o`); each loaded copy of the
 * object has its own maps and so its own budget.
 */
#include "fusebpf.bpf.h"

#define QUOTA_BUDGET 0
#define QUOTA_USED 1
#define QUOTA_DEFAULT_BUDGET (1024 * 1024) /* bytes, when quota[QUOTA_BUDGET] is 0 */
#define QUOTA_BLOCK 4096                   /* the block size statfs reports */
#define QUOTA_NAME_SIZE 64

#define QUOTA_FALLOC_FL_KEEP_SIZE 0x01  /* <linux/falloc.h> */
#define QUOTA_FALLOC_FL_PUNCH_HOLE 0x02 /* implies KEEP_SIZE */
#define QUOTA_O_TRUNC 01000             /* <fcntl.h> */
#define QUOTA_S_IFMT 0170000
#define QUOTA_S_IFREG 0100000

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} quota SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);   /* nodeid */
	__type(value, __u64); /* size */
} sizes SEC(".maps");

struct quota_name_key {
	__u64 parent;
	char name[QUOTA_NAME_SIZE];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct quota_name_key);
	__type(value, __u64); /* nodeid */
} names SEC(".maps");

static __always_inline __u64 *quota_slot(__u32 i)
{
	return bpf_map_lookup_elem(&quota, &i);
}

static __always_inline __u64 quota_budget(void)
{
	__u64 *budget = quota_slot(QUOTA_BUDGET);

	return budget && *budget ? *budget : QUOTA_DEFAULT_BUDGET;
}

/* Takes @bytes from the budget; false (nothing taken) if they do not fit. */
static __always_inline bool quota_take(__u64 bytes)
{
	__u64 *used = quota_slot(QUOTA_USED);
	__u64 budget = quota_budget();

	if (!used)
		return false;
	if (__sync_fetch_and_add(used, bytes) + bytes > budget) {
		__sync_fetch_and_sub(used, bytes); /* concurrent writers: add, check, undo */
		return false;
	}
	return true;
}

static __always_inline void quota_give(__u64 bytes)
{
	__u64 *used = quota_slot(QUOTA_USED);

	if (!used)
		return;
	if (*used < bytes)
		bytes = *used; /* usage started below what was there */
	__sync_fetch_and_sub(used, bytes);
}

static __always_inline __u64 quota_known_size(__u64 nodeid)
{
	__u64 *size = bpf_map_lookup_elem(&sizes, &nodeid);

	return size ? *size : 0;
}

static __always_inline void quota_set_size(__u64 nodeid, __u64 size)
{
	bpf_map_update_elem(&sizes, &nodeid, &size, BPF_ANY);
}

/*
 * A reply showed the file's size: a file that shrank behind the filter's back
 * (create or open truncating it, the backing fs) gives the difference back.
 */
static __always_inline void quota_saw_size(__u64 nodeid, __u64 size)
{
	__u64 known = quota_known_size(nodeid);

	if (size < known)
		quota_give(known - size);
	quota_set_size(nodeid, size);
}

/* The file @nodeid is to end at @end: take the growth from the budget. */
static __always_inline int quota_grow_to(__u64 nodeid, __u64 end)
{
	__u64 known = quota_known_size(nodeid);

	if (end <= known)
		return BPF_FUSE_CONTINUE;
	if (!quota_take(end - known))
		return -EDQUOT;
	quota_set_size(nodeid, end);
	return BPF_FUSE_CONTINUE;
}

/* (parent, name) as a names key; false for names too long to record. */
static __always_inline bool quota_name_key(struct quota_name_key *key, __u64 parent,
                                           const struct fusebpf_name *name)
{
	__builtin_memset(key, 0, sizeof(*key));
	key->parent = parent;
	return name->len < QUOTA_NAME_SIZE &&
	       fusebpf_name_copy(key->name, sizeof(key->name), name) > 0;
}

static __always_inline void quota_saw_entry(__u64 parent, const struct fusebpf_name *name,
                                            const struct fuse_entry_out *entry)
{
	struct quota_name_key key;
	__u64 nodeid = entry->nodeid;

	if ((entry->attr.mode & QUOTA_S_IFMT) == QUOTA_S_IFREG)
		quota_saw_size(nodeid, entry->attr.size);
	if (quota_name_key(&key, parent, name))
		bpf_map_update_elem(&names, &key, &nodeid, BPF_ANY);
}

/* LOOKUP: learn the name of every entry and the size of regular files. */
FUSEBPF_PREFILTER(lookup)
int quota_lookup_prefilter(struct fusebpf_lookup_ctx *ctx)
{
	return BPF_FUSE_POSTFILTER;
}

FUSEBPF_POSTFILTER(lookup)
int quota_lookup_postfilter(struct fusebpf_lookup_ctx *ctx)
{
	if (ctx->meta.error_in == 0)
		quota_saw_entry(ctx->meta.nodeid, &ctx->name, &ctx->out.entry);
	return BPF_FUSE_CONTINUE;
}

/* Ops that make a name: record it (and a new file's size) once it exists. */
#define QUOTA_SEE_NEW_ENTRY(op)                                                                    \
	FUSEBPF_PREFILTER(op)                                                                      \
	int quota_##op##_prefilter(struct fusebpf_##op##_ctx *ctx)                                 \
	{                                                                                          \
		return BPF_FUSE_POSTFILTER;                                                        \
	}                                                                                          \
                                                                                                   \
	FUSEBPF_POSTFILTER(op)                                                                     \
	int quota_##op##_postfilter(struct fusebpf_##op##_ctx *ctx)                                \
	{                                                                                          \
		if (ctx->meta.error_in == 0)                                                       \
			quota_saw_entry(ctx->meta.nodeid, &ctx->name, &ctx->out.entry);            \
		return BPF_FUSE_CONTINUE;                                                          \
	}

QUOTA_SEE_NEW_ENTRY(create)
QUOTA_SEE_NEW_ENTRY(mknod)
QUOTA_SEE_NEW_ENTRY(mkdir)
QUOTA_SEE_NEW_ENTRY(symlink)

/* GETATTR: the size may have changed (another writer, the backing fs). */
FUSEBPF_PREFILTER(getattr)
int quota_getattr_prefilter(struct fusebpf_getattr_ctx *ctx)
{
	return BPF_FUSE_POSTFILTER;
}

FUSEBPF_POSTFILTER(getattr)
int quota_getattr_postfilter(struct fusebpf_getattr_ctx *ctx)
{
	if (ctx->meta.error_in == 0 && (ctx->out.attr.mode & QUOTA_S_IFMT) == QUOTA_S_IFREG)
		quota_saw_size(ctx->meta.nodeid, ctx->out.attr.size);
	return BPF_FUSE_CONTINUE;
}

/* OPEN with O_TRUNC (the daemon agrees FUSE_ATOMIC_O_TRUNC: no SETATTR comes). */
FUSEBPF_PREFILTER(open)
int quota_open_prefilter(struct fusebpf_open_ctx *ctx)
{
	if (ctx->in.flags & QUOTA_O_TRUNC) {
		quota_give(quota_known_size(ctx->meta.nodeid));
		quota_set_size(ctx->meta.nodeid, 0);
	}
	return BPF_FUSE_CONTINUE;
}

/* WRITE and FALLOCATE: refuse growth past the budget. */
FUSEBPF_PREFILTER(write)
int quota_write_prefilter(struct fusebpf_write_ctx *ctx)
{
	return quota_grow_to(ctx->meta.nodeid, ctx->in.offset + ctx->in.size);
}

FUSEBPF_PREFILTER(fallocate)
int quota_fallocate_prefilter(struct fusebpf_fallocate_ctx *ctx)
{
	if (ctx->in.mode & (QUOTA_FALLOC_FL_KEEP_SIZE | QUOTA_FALLOC_FL_PUNCH_HOLE))
		return BPF_FUSE_CONTINUE; /* the size stays */
	return quota_grow_to(ctx->meta.nodeid, ctx->in.offset + ctx->in.length);
}

/* SETATTR with a size (truncate): grow through the budget, shrink gives back. */
FUSEBPF_PREFILTER(setattr)
int quota_setattr_prefilter(struct fusebpf_setattr_ctx *ctx)
{
	__u64 known, size = ctx->in.size;

	if (!(ctx->in.valid & FATTR_SIZE))
		return BPF_FUSE_CONTINUE;
	known = quota_known_size(ctx->meta.nodeid);
	if (size > known)
		return quota_grow_to(ctx->meta.nodeid, size);
	quota_give(known - size);
	quota_set_size(ctx->meta.nodeid, size);
	return BPF_FUSE_CONTINUE;
}

/* UNLINK: after it succeeded, give the file's bytes back if its name was seen. */
FUSEBPF_PREFILTER(unlink)
int quota_unlink_prefilter(struct fusebpf_unlink_ctx *ctx)
{
	return BPF_FUSE_POSTFILTER;
}

FUSEBPF_POSTFILTER(unlink)
int quota_unlink_postfilter(struct fusebpf_unlink_ctx *ctx)
{
	struct quota_name_key key;
	__u64 *nodeid;

	if (ctx->meta.error_in != 0 || !quota_name_key(&key, ctx->meta.nodeid, &ctx->name))
		return BPF_FUSE_CONTINUE;
	nodeid = bpf_map_lookup_elem(&names, &key);
	if (nodeid) {
		__u64 id = *nodeid;

		quota_give(quota_known_size(id));
		bpf_map_delete_elem(&sizes, &id);
		bpf_map_delete_elem(&names, &key);
	}
	return BPF_FUSE_CONTINUE;
}

/*
 * RENAME into, within or out of the tree: only entries the filter saw in its
 * tree move (EXDEV for others, see the top); the record follows the entry.
 */
FUSEBPF_PREFILTER(rename)
int quota_rename_prefilter(struct fusebpf_rename_ctx *ctx)
{
	struct quota_name_key key;

	if (!quota_name_key(&key, ctx->meta.nodeid, &ctx->old_name) ||
	    !bpf_map_lookup_elem(&names, &key))
		return -EXDEV;
	return BPF_FUSE_POSTFILTER;
}

FUSEBPF_POSTFILTER(rename)
int quota_rename_postfilter(struct fusebpf_rename_ctx *ctx)
{
	struct quota_name_key from, to;
	__u64 *nodeid, id;

	if (ctx->meta.error_in != 0 || !quota_name_key(&from, ctx->meta.nodeid, &ctx->old_name))
		return BPF_FUSE_CONTINUE;
	nodeid = bpf_map_lookup_elem(&names, &from);
	if (!nodeid)
		return BPF_FUSE_CONTINUE;
	id = *nodeid;
	bpf_map_delete_elem(&names, &from);
	if (quota_name_key(&to, ctx->in.newdir, &ctx->new_name))
		bpf_map_update_elem(&names, &to, &id, BPF_ANY);
	return BPF_FUSE_CONTINUE;
}

/* LINK: only files whose size the filter knows get another name (recorded). */
FUSEBPF_PREFILTER(link)
int quota_link_prefilter(struct fusebpf_link_ctx *ctx)
{
	__u64 nodeid = ctx->in.oldnodeid;

	return bpf_map_lookup_elem(&sizes, &nodeid) ? BPF_FUSE_POSTFILTER : -EXDEV;
}

FUSEBPF_POSTFILTER(link)
int quota_link_postfilter(struct fusebpf_link_ctx *ctx)
{
	if (ctx->meta.error_in == 0)
		quota_saw_entry(ctx->meta.nodeid, &ctx->name, &ctx->out.entry);
	return BPF_FUSE_CONTINUE;
}

/* STATFS: `df` shows the budget as the size and what is left of it as free. */
FUSEBPF_PREFILTER(statfs)
int quota_statfs_prefilter(struct fusebpf_statfs_ctx *ctx)
{
	return BPF_FUSE_POSTFILTER;
}

FUSEBPF_POSTFILTER(statfs)
int quota_statfs_postfilter(struct fusebpf_statfs_ctx *ctx)
{
	__u64 *usedp = quota_slot(QUOTA_USED);
	__u64 budget = quota_budget(), used = usedp ? *usedp : 0;
	__u64 left = used < budget ? budget - used : 0;

	if (ctx->meta.error_in != 0)
		return BPF_FUSE_CONTINUE;
	ctx->out.st.bsize = QUOTA_BLOCK;
	ctx->out.st.frsize = QUOTA_BLOCK;
	ctx->out.st.blocks = budget / QUOTA_BLOCK;
	ctx->out.st.bfree = left / QUOTA_BLOCK;
	ctx->out.st.bavail = left / QUOTA_BLOCK;
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_OPS_DEFINE(quota);
char LICENSE[] SEC("license") = "GPL";
