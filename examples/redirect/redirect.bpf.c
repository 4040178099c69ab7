// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * redirect.bpf.c - a lookup prefilter that rewrites names, so another
 * backing entry answers: aliases from a map, and optional case folding.
 *
 * A lookup of NAME in any directory becomes a lookup of TARGET when the map
 * `aliases` holds NAME -> TARGET (both zero-padded to 64 bytes).  With bit
 * REDIRECT_FOLD_CASE set in `redirect_options` (key 0), names without an
 * alias are looked up in lower case: a tree whose backing names are all
 * lower case then answers any spelling (README.TXT, Readme.txt, readme.txt).
 * Names of 64 bytes or more are neither aliased nor folded.
 *
 * The kernel sees the name it asked for: `cat MNT/ALIAS` reads TARGET's
 * data, `stat MNT/ALIAS` shows TARGET's inode.  Only LOOKUP is rewritten, so
 * a listing shows backing names (aliases do not appear in `ls`), and
 * creating a file under an alias or a mixed-case name creates that name.
 *
 * Why a prefilter rewrite and not "fall back to lower case if the exact name
 * is missing": BPF cannot look at the backing directory, and a postfilter
 * cannot retry the lookup.  The kernel caches entries (entry_timeout, 1 s by
 * default): after changing `aliases`, a name already looked up keeps its old
 * answer until then; mount with -o entry_timeout=0 for changes to show at
 * once (aliases are not backing names, so no invalidation knows them).
 */
#include "fusebpf.bpf.h"

#define REDIRECT_NAME_SIZE 64
#define REDIRECT_FOLD_CASE 1u /* bit of redirect_options[0] */

struct redirect_name {
	char name[REDIRECT_NAME_SIZE];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct redirect_name);   /* the name asked for */
	__type(value, struct redirect_name); /* the backing name used instead */
} aliases SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32); /* REDIRECT_* bits */
} redirect_options SEC(".maps");

/*
 * Stores into a syscall program's context must be at constant offsets from
 * the unmodified context pointer ("dereference of modified ctx ptr"), and no
 * helper writes into a context, so a new name goes in as 8-byte stores, one
 * per constant offset, through inline asm that keeps the context pointer as
 * the base register (clang would otherwise compute &ctx->name once and
 * store through that).
 */
#define REDIRECT_NAME_OFF __builtin_offsetof(struct fusebpf_lookup_ctx, name.name)
#define REDIRECT_STORE(ctx, words, i)                                                              \
	asm volatile("*(u64 *)(%[base] + %[off]) = %[val]" ::[base] "r"(ctx),                      \
	             [off] "i"(REDIRECT_NAME_OFF + 8 * (i)), [val] "r"((words)[i])                 \
	             : "memory")
#define REDIRECT_STORE8(ctx, words, i)                                                             \
	REDIRECT_STORE(ctx, words, (i) + 0);                                                       \
	REDIRECT_STORE(ctx, words, (i) + 1);                                                       \
	REDIRECT_STORE(ctx, words, (i) + 2);                                                       \
	REDIRECT_STORE(ctx, words, (i) + 3);                                                       \
	REDIRECT_STORE(ctx, words, (i) + 4);                                                       \
	REDIRECT_STORE(ctx, words, (i) + 5);                                                       \
	REDIRECT_STORE(ctx, words, (i) + 6);                                                       \
	REDIRECT_STORE(ctx, words, (i) + 7)

/* The length of the NUL-terminated name in a map value (0 if it is not terminated). */
static __always_inline __u32 redirect_len(const struct redirect_name *n)
{
	for (__u32 i = 0; i < REDIRECT_NAME_SIZE; i++)
		if (n->name[i] == '\0')
			return i;
	return 0;
}

/* Writes @name (64 bytes, NUL-padded, @len bytes long) over ctx->name. */
static __always_inline void redirect_set_name(struct fusebpf_lookup_ctx *ctx,
                                              const struct redirect_name *name, __u32 len)
{
	__u64 words[REDIRECT_NAME_SIZE / 8];

	__builtin_memcpy(words, name->name, sizeof(words));
	REDIRECT_STORE8(ctx, words, 0);
	ctx->name.len = len;
}

FUSEBPF_PREFILTER(lookup)
int redirect_lookup_prefilter(struct fusebpf_lookup_ctx *ctx)
{
	struct redirect_name key;
	struct redirect_name *target;
	__u32 zero = 0, len = ctx->name.len;
	__u32 *options;

	if (len >= REDIRECT_NAME_SIZE)
		return BPF_FUSE_CONTINUE; /* too long to be listed or folded */
	__builtin_memset(&key, 0, sizeof(key));
	if (fusebpf_name_copy(key.name, sizeof(key.name), &ctx->name) <= 0)
		return BPF_FUSE_CONTINUE;
	target = bpf_map_lookup_elem(&aliases, &key);
	if (target) {
		__u32 target_len = redirect_len(target);

		if (target_len)
			redirect_set_name(ctx, target, target_len);
		return BPF_FUSE_CONTINUE;
	}
	options = bpf_map_lookup_elem(&redirect_options, &zero);
	if (options && (*options & REDIRECT_FOLD_CASE)) {
		for (__u32 i = 0; i < REDIRECT_NAME_SIZE; i++)
			if (key.name[i] >= 'A' && key.name[i] <= 'Z')
				key.name[i] += 'a' - 'A';
		redirect_set_name(ctx, &key, len);
	}
	return BPF_FUSE_CONTINUE; /* the backing lookup uses ctx->name as it is now */
}

FUSEBPF_OPS_DEFINE(redirect);
char LICENSE[] SEC("license") = "GPL";
