// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hide.bpf.c - hide every name that is in a deny list kept in a BPF hash map.
 *
 * The deny list is the map `deny_list` (key: the name, zero-padded to 64
 * bytes; value: any byte).  Two filters use it:
 *  - the lookup prefilter answers -ENOENT for a listed name, so `stat`,
 *    `cat`, `cd` see no such file;
 *  - the readdir prefilter asks for the postfilter, which drops listed names
 *    from each batch of up to 32 entries (drop_mask), so `ls` does not show
 *    them.
 * The map is pinned with the table (maps/deny_list): change it while the
 * mount runs with `fusebpf map set|delete TABLE deny_list NAME` (which also
 * drops the kernel's cached entries so the change shows at once).
 *
 * Every op that would create a listed name or move something onto it
 * (create, mknod, mkdir, symlink, link, rename) fails with EACCES: a hidden
 * name is neither overwritten nor made anew.  The daemon adds its own guard
 * (docs/filters.md §7): in a directory whose table filters LOOKUP, a create
 * or rename never opens or replaces a backing entry the lookup filter hides.
 *
 * Limits: names of 64 bytes or more cannot be listed; the list is global to
 * the mount (a name is hidden in every directory); a name hides a name, not
 * an inode (a hard link made under another name before the name was listed
 * still reaches the file).
 */
#include "fusebpf.bpf.h"

#define HIDE_KEY_SIZE 64

struct hide_key {
	char name[HIDE_KEY_SIZE];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct hide_key);
	__type(value, __u8);
} deny_list SEC(".maps");

/* Whether @len bytes at @name (copied to the stack or in the context) are listed. */
static __always_inline bool hide_listed(const char *name, __u32 len)
{
	struct hide_key key;

	if (len == 0 || len >= HIDE_KEY_SIZE)
		return false;
	__builtin_memset(&key, 0, sizeof(key));
	if (bpf_probe_read_kernel(key.name, len & (HIDE_KEY_SIZE - 1), name))
		return false;
	return bpf_map_lookup_elem(&deny_list, &key) != NULL;
}

/* LOOKUP of a name in a directory: a listed name does not exist. */
FUSEBPF_PREFILTER(lookup)
int hide_lookup_prefilter(struct fusebpf_lookup_ctx *ctx)
{
	if (hide_listed(ctx->name.name, ctx->name.len))
		return -ENOENT;
	return BPF_FUSE_CONTINUE;
}

/* Ops that make a name: a listed name is not made (nor replaced). */
#define HIDE_REFUSE_NAME(op, field)                                                                \
	FUSEBPF_PREFILTER(op)                                                                      \
	int hide_##op##_prefilter(struct fusebpf_##op##_ctx *ctx)                                  \
	{                                                                                          \
		return hide_listed(ctx->field.name, ctx->field.len) ? -EACCES : BPF_FUSE_CONTINUE; \
	}

HIDE_REFUSE_NAME(create, name)
HIDE_REFUSE_NAME(mknod, name)
HIDE_REFUSE_NAME(mkdir, name)
HIDE_REFUSE_NAME(symlink, name)
HIDE_REFUSE_NAME(link, name)

/* RENAME (and RENAME2): nothing moves onto a listed name. */
FUSEBPF_PREFILTER(rename)
int hide_rename_prefilter(struct fusebpf_rename_ctx *ctx)
{
	if (hide_listed(ctx->new_name.name, ctx->new_name.len))
		return -EACCES;
	return BPF_FUSE_CONTINUE;
}

/* READDIR / READDIRPLUS: read the directory, then filter each batch. */
FUSEBPF_PREFILTER(readdir)
int hide_readdir_prefilter(struct fusebpf_readdir_ctx *ctx)
{
	return BPF_FUSE_POSTFILTER;
}

FUSEBPF_POSTFILTER(readdir)
int hide_readdir_postfilter(struct fusebpf_readdir_ctx *ctx)
{
	struct fusebpf_dirent e;

	if (ctx->meta.error_in)
		return BPF_FUSE_CONTINUE;
	for (__u32 i = 0; i < FUSEBPF_READDIR_BATCH; i++) {
		if (fusebpf_dirent_read(&ctx->out, i, &e))
			break;
		if (hide_listed(e.name, e.namelen))
			fusebpf_dirent_drop(&ctx->out, i);
	}
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_OPS_DEFINE(hide);
char LICENSE[] SEC("license") = "GPL";
