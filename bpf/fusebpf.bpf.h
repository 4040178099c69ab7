/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR BSD-2-Clause */
/*
 * fusebpf.bpf.h - the one header a fuse_ops filter includes.
 *
 * It brings in the filter ABI (include/fusebpf/filter_abi.h: verdicts, the
 * per-op context structs), libbpf's BPF helpers, errno values, and:
 *  - section macros: FUSEBPF_PREFILTER(op), FUSEBPF_POSTFILTER(op),
 *    FUSEBPF_DEFAULT_FILTER;
 *  - FUSEBPF_OPS_DEFINE(table): names the ops table and records the ABI
 *    version in the object (once per object, required by the loader);
 *  - helpers that pass the verifier of a syscall program: a syscall program
 *    may not index its context with a variable, so names are read through
 *    bpf_probe_read_kernel() into the stack first (fusebpf_name_eq() & co.);
 *  - tracing to a ring buffer (fusebpf_trace(), FUSEBPF_ERR() with file:line).
 *
 * A complete filter:
 *
 *	#include "fusebpf.bpf.h"
 *
 *	FUSEBPF_PREFILTER(lookup)
 *	int hide_lookup_prefilter(struct fusebpf_lookup_ctx *ctx)
 *	{
 *		if (fusebpf_name_eq(&ctx->name, "secret"))
 *			return -ENOENT;
 *		return BPF_FUSE_CONTINUE;
 *	}
 *
 *	FUSEBPF_OPS_DEFINE(hide);
 *	char LICENSE[] SEC("license") = "GPL";
 *
 * Build it with `fusebpf build hide.bpf.c` (or fusebpf_add_filter() in
 * CMake), load it with `fusebpf load hide.bpf.o`.  Function names follow
 * <table>_<op>_<side>filter.  The license must be GPL-compatible: the helpers
 * below are GPL-only.  Knobs are `const volatile` globals the loader may set
 * before load.
 *
 * Limits: the helpers copy at most FUSEBPF_NAME_MAX bytes; literals given to
 * the name macros must be string literals (their size is used at compile
 * time).  Userspace must include include/fusebpf/filter_abi.h instead.
 */
#ifndef FUSEBPF_BPF_H
#define FUSEBPF_BPF_H

#ifndef __BPF__
#error                                                                                             \
    "fusebpf.bpf.h is for BPF programs (clang -target bpf); userspace includes <fusebpf/filter_abi.h>"
#endif
#if !defined(__clang__) || __clang_major__ < 12
#error "fuse_ops filters need clang 12 or newer (-target bpf -mcpu=v3)"
#endif

#include <linux/bpf.h>
#include <linux/errno.h>
#include <bpf/bpf_helpers.h>

#include <fusebpf/filter_abi.h>

#ifndef __cplusplus
#include <stdbool.h>
#endif

/* ------------------------------------------------------------------------
 * Sections and the table.
 */

/**
 * FUSEBPF_PREFILTER - put the next function in the prefilter slot of @op
 * @op: the op, lower case, unquoted: lookup, getattr, mkdir, readdir, ...
 *
 * Expands to SEC("fuse_ops/<op>_prefilter"); the loader rejects unknown ops.
 *
 *	FUSEBPF_PREFILTER(mkdir)
 *	int deny_mkdir_prefilter(struct fusebpf_mkdir_ctx *ctx) { return -EACCES; }
 */
#define FUSEBPF_PREFILTER(op) SEC("fuse_ops/" #op "_prefilter")

/**
 * FUSEBPF_POSTFILTER - put the next function in the postfilter slot of @op
 * @op: the op, as for FUSEBPF_PREFILTER()
 *
 * The prefilter (or the default filter) must return BPF_FUSE_POSTFILTER for
 * the postfilter to run.
 *
 *	FUSEBPF_POSTFILTER(getattr)
 *	int ro_getattr_postfilter(struct fusebpf_getattr_ctx *ctx)
 *	{
 *		ctx->out.attr.mode &= ~0222;
 *		return BPF_FUSE_CONTINUE;
 *	}
 */
#define FUSEBPF_POSTFILTER(op) SEC("fuse_ops/" #op "_postfilter")

/**
 * FUSEBPF_DEFAULT_FILTER - the table's default_filter
 *
 * Runs for ops without a program of their own and for BPF_FUSE_CALL_DEFAULT;
 * its context is struct fusebpf_default_ctx (meta only).
 *
 *	FUSEBPF_DEFAULT_FILTER
 *	int audit_default_filter(struct fusebpf_default_ctx *ctx) { return BPF_FUSE_CONTINUE; }
 */
#define FUSEBPF_DEFAULT_FILTER SEC("fuse_ops/default_filter")

/**
 * FUSEBPF_OPS_DEFINE - name the object's ops table and record its ABI version
 * @table: the table name, an identifier (becomes the loader's default --name)
 *
 * Once per object, at file scope, in the spirit of SCX_OPS_DEFINE.  The two
 * read-only globals it defines are read by the loader before load: an object
 * without them, or built against a newer ABI than the loader's, is refused.
 *
 *	FUSEBPF_OPS_DEFINE(hide);
 */
#define FUSEBPF_OPS_DEFINE(table)                                                                  \
	_Static_assert(sizeof(#table) <= FUSEBPF_TABLE_NAME_MAX, "table name too long");           \
	const volatile __u32 fusebpf_abi_version = FUSEBPF_ABI_VERSION;                            \
	const volatile char fusebpf_table_name[FUSEBPF_TABLE_NAME_MAX] = #table

/* ------------------------------------------------------------------------
 * Names.
 */

/*
 * Equal bytes of two buffers.  Inlined with a compile-time n, clang unrolls
 * short loops; longer ones stay bounded loops, which the verifier accepts.
 */
static __always_inline bool __fusebpf_bytes_equal(const char *a, const char *b, const __u32 n)
{
	for (__u32 i = 0; i < n; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

/**
 * fusebpf_bytes_eq - whether @len bytes at @ptr equal the string literal @lit
 * @ptr: bytes in the context or on the stack (read with bpf_probe_read_kernel)
 * @len: the length of the bytes at @ptr (a scalar; read from the context)
 * @lit: a string literal
 *
 * The base of the name macros; use it for names you hold as (pointer, len),
 * such as a dirent copied to the stack.
 *
 *	struct fusebpf_dirent e;
 *	if (!fusebpf_dirent_read(&ctx->out, i, &e) && fusebpf_bytes_eq(e.name, e.namelen, ".git"))
 *		fusebpf_dirent_drop(&ctx->out, i);
 */
#define fusebpf_bytes_eq(ptr, len, lit)                                                            \
	({                                                                                         \
		_Static_assert(sizeof(lit) - 1 <= FUSEBPF_NAME_MAX, "literal longer than a name"); \
		char __fb_buf[sizeof(lit)];                                                        \
		bool __fb_eq = false;                                                              \
		if ((len) == sizeof(lit) - 1 &&                                                    \
		    !bpf_probe_read_kernel(__fb_buf, sizeof(lit) - 1, (ptr)))                      \
			__fb_eq = __fusebpf_bytes_equal(__fb_buf, (lit), sizeof(lit) - 1);         \
		__fb_eq;                                                                           \
	})

/**
 * fusebpf_name_eq - whether a name of the context is the literal @lit
 * @n: pointer to a struct fusebpf_name (&ctx->name, &ctx->new_name, ...)
 * @lit: a string literal
 *
 *	FUSEBPF_PREFILTER(lookup)
 *	int hide_lookup_prefilter(struct fusebpf_lookup_ctx *ctx)
 *	{
 *		return fusebpf_name_eq(&ctx->name, "secret") ? -ENOENT : BPF_FUSE_CONTINUE;
 *	}
 */
#define fusebpf_name_eq(n, lit) fusebpf_bytes_eq((n)->name, (n)->len, lit)

/**
 * fusebpf_name_has_prefix - whether a name starts with the literal @lit
 * @n: pointer to a struct fusebpf_name
 * @lit: a string literal
 *
 *	if (fusebpf_name_has_prefix(&ctx->name, ".#"))
 *		return -EACCES;
 */
#define fusebpf_name_has_prefix(n, lit)                                                            \
	({                                                                                         \
		_Static_assert(sizeof(lit) - 1 <= FUSEBPF_NAME_MAX, "literal longer than a name"); \
		char __fb_buf[sizeof(lit)];                                                        \
		bool __fb_eq = false;                                                              \
		if ((n)->len >= sizeof(lit) - 1 &&                                                 \
		    !bpf_probe_read_kernel(__fb_buf, sizeof(lit) - 1, (n)->name))                  \
			__fb_eq = __fusebpf_bytes_equal(__fb_buf, (lit), sizeof(lit) - 1);         \
		__fb_eq;                                                                           \
	})

/**
 * fusebpf_name_has_suffix - whether a name ends with the literal @lit
 * @n: pointer to a struct fusebpf_name
 * @lit: a string literal
 *
 *	if (fusebpf_name_has_suffix(&ctx->name, ".tmp"))
 *		return -ENOENT;
 */
#define fusebpf_name_has_suffix(n, lit)                                                            \
	({                                                                                         \
		_Static_assert(sizeof(lit) - 1 <= FUSEBPF_NAME_MAX, "literal longer than a name"); \
		char __fb_buf[sizeof(lit)];                                                        \
		bool __fb_eq = false;                                                              \
		__u32 __fb_len = (n)->len;                                                         \
		if (__fb_len >= sizeof(lit) - 1 && __fb_len <= FUSEBPF_NAME_MAX &&                 \
		    !bpf_probe_read_kernel(__fb_buf, sizeof(lit) - 1,                              \
		                           (n)->name + (__fb_len - (sizeof(lit) - 1))))            \
			__fb_eq = __fusebpf_bytes_equal(__fb_buf, (lit), sizeof(lit) - 1);         \
		__fb_eq;                                                                           \
	})

/**
 * fusebpf_name_copy - copy a name of the context to the stack
 * @dst: a stack (or map value) buffer
 * @size: the size of @dst; the copy is NUL-terminated and truncated to fit
 * @n: pointer to a struct fusebpf_name
 *
 * Returns the bytes copied including the NUL, or a negative errno.  Use it to
 * key a map by name or to look at characters at variable positions.
 *
 *	char name[64];
 *	if (fusebpf_name_copy(name, sizeof(name), &ctx->name) > 0 &&
 *	    bpf_map_lookup_elem(&deny_list, name))
 *		return -EACCES;
 */
static __always_inline long fusebpf_name_copy(char *dst, __u32 size, const struct fusebpf_name *n)
{
	return bpf_probe_read_kernel_str(dst, size, n->name);
}

/*
 * Stores into a syscall program's context must be at constant offsets from
 * the unmodified context pointer (else "dereference of modified ctx ptr"),
 * and no helper writes into a context. clang computes &ctx->name once and
 * stores through that for a memcpy or a loop, so new names go in as 8-byte
 * stores through inline asm that keeps the context register as the base,
 * one constant offset each.
 */
#define __FUSEBPF_CTX_STORE64(ctx, off, val)                                                       \
	asm volatile("*(u64 *)(%[base] + %[o]) = %[v]" ::[base] "r"(ctx), [o] "i"(off),            \
	             [v] "r"((__u64)(val))                                                         \
	             : "memory")
#define __FUSEBPF_CTX_STORE32(ctx, off, val)                                                       \
	asm volatile("*(u32 *)(%[base] + %[o]) = %[v]" ::[base] "r"(ctx), [o] "i"(off),            \
	             [v] "r"((__u32)(val))                                                         \
	             : "memory")
#define __FUSEBPF_NAME_WORD(ctx, off, src, k)                                                      \
	do {                                                                                       \
		if (sizeof(src) > 8 * (k)) {                                                       \
			__u64 __fb_w;                                                              \
			__builtin_memcpy(&__fb_w, (const char *)(src) + 8 * (k), 8);               \
			__FUSEBPF_CTX_STORE64(ctx, (off) + 8 * (k), __fb_w);                       \
		}                                                                                  \
	} while (0)
#define __FUSEBPF_NAME_WORDS8(ctx, off, src, k)                                                    \
	__FUSEBPF_NAME_WORD(ctx, off, src, (k) + 0);                                               \
	__FUSEBPF_NAME_WORD(ctx, off, src, (k) + 1);                                               \
	__FUSEBPF_NAME_WORD(ctx, off, src, (k) + 2);                                               \
	__FUSEBPF_NAME_WORD(ctx, off, src, (k) + 3);                                               \
	__FUSEBPF_NAME_WORD(ctx, off, src, (k) + 4);                                               \
	__FUSEBPF_NAME_WORD(ctx, off, src, (k) + 5);                                               \
	__FUSEBPF_NAME_WORD(ctx, off, src, (k) + 6);                                               \
	__FUSEBPF_NAME_WORD(ctx, off, src, (k) + 7)

/**
 * fusebpf_name_set - write a new name into a name of the context
 * @ctx: the program's context pointer, as the program got it
 * @field: the struct fusebpf_name member to write: name, or newname,
 *         oldname... (a member path, e.g. name)
 * @src: a char ARRAY (on the stack or in a map value) whose size is a
 *       multiple of 8 and at most FUSEBPF_NAME_MAX + 1, holding the new name
 * @new_len: the new name's length, 1 .. sizeof(@src) - 1 (bytes after it
 *           are ignored: the daemon reads @new_len bytes)
 *
 * For a prefilter that rewrites its input (a lookup of one name looks up
 * another backing entry). The daemon checks the result like a name from the
 * kernel (no '/', not "." or "..", not empty): a bad one fails the op.
 *
 *	char target[16] = "target";
 *	if (fusebpf_name_eq(&ctx->name, "alias"))
 *		fusebpf_name_set(ctx, name, target, 6);
 */
#define fusebpf_name_set(ctx, field, src, new_len)                                                 \
	do {                                                                                       \
		_Static_assert(sizeof(src) % 8 == 0 && sizeof(src) <= FUSEBPF_NAME_MAX + 1,        \
		               "fusebpf_name_set: src must be a char array, size a multiple "      \
		               "of 8, at most FUSEBPF_NAME_MAX + 1");                              \
		enum {                                                                             \
			__fb_off = __builtin_offsetof(__typeof__(*(ctx)), field.name),             \
			__fb_len_off = __builtin_offsetof(__typeof__(*(ctx)), field.len)           \
		};                                                                                 \
		__FUSEBPF_NAME_WORDS8(ctx, __fb_off, src, 0);                                      \
		__FUSEBPF_NAME_WORDS8(ctx, __fb_off, src, 8);                                      \
		__FUSEBPF_NAME_WORDS8(ctx, __fb_off, src, 16);                                     \
		__FUSEBPF_NAME_WORDS8(ctx, __fb_off, src, 24);                                     \
		__FUSEBPF_CTX_STORE32(ctx, __fb_len_off, (new_len));                               \
	} while (0)

/* ------------------------------------------------------------------------
 * readdir batches.
 */

/**
 * fusebpf_dirent_read - copy entry @i of a readdir batch to the stack
 * @b: &ctx->out of a struct fusebpf_readdir_ctx
 * @i: the entry index, any scalar (checked against the batch)
 * @dst: a struct fusebpf_dirent on the stack (280 bytes)
 *
 * Returns 0, or -ENOENT if @i is not a valid entry.
 *
 *	for (__u32 i = 0; i < FUSEBPF_READDIR_BATCH; i++) {
 *		struct fusebpf_dirent e;
 *		if (fusebpf_dirent_read(&ctx->out, i, &e))
 *			break;
 *		if (fusebpf_bytes_eq(e.name, e.namelen, "secret"))
 *			fusebpf_dirent_drop(&ctx->out, i);
 *	}
 */
static __always_inline int fusebpf_dirent_read(const struct fusebpf_dirent_batch *b, __u32 i,
                                               struct fusebpf_dirent *dst)
{
	if (i >= FUSEBPF_READDIR_BATCH || i >= b->count)
		return -ENOENT;
	if (bpf_probe_read_kernel(dst, sizeof(*dst), &b->entries[i]))
		return -ENOENT;
	if (dst->namelen > FUSEBPF_NAME_MAX)
		dst->namelen = FUSEBPF_NAME_MAX;
	return 0;
}

/**
 * fusebpf_dirent_drop - leave entry @i out of the readdir reply
 * @b: &ctx->out of a struct fusebpf_readdir_ctx
 * @i: the entry index
 *
 * See fusebpf_dirent_read() for a loop that drops by name.
 */
static __always_inline void fusebpf_dirent_drop(struct fusebpf_dirent_batch *b, __u32 i)
{
	if (i < FUSEBPF_READDIR_BATCH)
		b->drop_mask |= 1ULL << i;
}

/* ------------------------------------------------------------------------
 * Tracing: events to a ring buffer that userspace reads (bpffs pins it with
 * the table).  No bpf_printk: there is no tracefs on the machines we target.
 */

/**
 * FUSEBPF_EVENTS_DEFINE - declare a ring buffer for trace events
 * @name: the map name (the loader pins it as maps/<name>)
 * @bytes: its size, a power of two multiple of the page size
 *
 *	FUSEBPF_EVENTS_DEFINE(events, 64 * 1024);
 */
#define FUSEBPF_EVENTS_DEFINE(name, bytes)                                                         \
	struct {                                                                                   \
		__uint(type, BPF_MAP_TYPE_RINGBUF);                                                \
		__uint(max_entries, bytes);                                                        \
	} name SEC(".maps")

#define __FUSEBPF_STR2(x) #x
#define __FUSEBPF_STR(x) __FUSEBPF_STR2(x)
/* The file's base name (clang >= 9): a full build path would not fit in where[]. */
#ifdef __FILE_NAME__
#define __FUSEBPF_FILE __FILE_NAME__
#else
#define __FUSEBPF_FILE __FILE__
#endif

/* Fills and submits one event; returns 0 or -ENOSPC if the ring is full. */
static __always_inline int __fusebpf_trace(void *ring, const struct fusebpf_meta *meta, __s32 value,
                                           const char *where, __u32 where_size, const void *text)
{
	struct fusebpf_trace_event *e = bpf_ringbuf_reserve(ring, sizeof(*e), 0);

	if (!e)
		return -ENOSPC;
	e->nodeid = meta->nodeid;
	e->unique = meta->unique;
	e->opcode = meta->opcode;
	e->pid = meta->pid;
	e->uid = meta->uid;
	e->value = value;
	__builtin_memset(e->where, 0, sizeof(e->where));
	if (where_size > sizeof(e->where))
		where_size = sizeof(e->where);
	bpf_probe_read_kernel_str(e->where, where_size, where);
	e->text[0] = '\0';
	if (text)
		bpf_probe_read_kernel_str(e->text, sizeof(e->text), text);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/**
 * fusebpf_trace - record an event with file:line into a ring buffer
 * @ring: a map declared with FUSEBPF_EVENTS_DEFINE() (pass &events)
 * @meta: &ctx->meta
 * @value: any number worth recording (a verdict, a size)
 * @text: a NUL-terminated string (a name from fusebpf_name_copy(), a literal),
 *        or NULL
 *
 * Returns 0 or -ENOSPC when the ring is full (the event is then lost).
 *
 *	char name[64];
 *	fusebpf_name_copy(name, sizeof(name), &ctx->name);
 *	fusebpf_trace(&events, &ctx->meta, 0, name);
 */
#define fusebpf_trace(ring, meta, value, text)                                                     \
	__fusebpf_trace((ring), (meta), (value), __FUSEBPF_FILE ":" __FUSEBPF_STR(__LINE__),       \
	                sizeof(__FUSEBPF_FILE ":" __FUSEBPF_STR(__LINE__)), (text))

/**
 * FUSEBPF_ERR - return an error verdict and record where it was decided
 * @ring: a map declared with FUSEBPF_EVENTS_DEFINE()
 * @meta: &ctx->meta
 * @err: a negative errno (or any verdict)
 * @text: a literal saying why, or NULL
 *
 * Evaluates to @err after tracing it with this file:line, in the spirit of
 * scx_bpf_error():
 *
 *	if (ctx->in.mode & 0002)
 *		return FUSEBPF_ERR(&events, &ctx->meta, -EPERM, "world-writable mkdir");
 */
#define FUSEBPF_ERR(ring, meta, err, text)                                                         \
	({                                                                                         \
		__s32 __fb_err = (err);                                                            \
		fusebpf_trace((ring), (meta), __fb_err, (text));                                   \
		__fb_err;                                                                          \
	})

/* ------------------------------------------------------------------------
 * ABI checks on the BPF side: the target must see the same layout as the
 * daemon (x86-64 and arm64: little-endian, 8-byte aligned u64).
 */
_Static_assert(sizeof(struct fusebpf_meta) == 64, "fusebpf_meta is 64 bytes");
_Static_assert(__builtin_offsetof(struct fusebpf_lookup_ctx, out) == 328, "lookup ctx layout");
_Static_assert(_Alignof(__u64) == 8, "u64 alignment");
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "use -target bpf (bpfel)");

#endif /* FUSEBPF_BPF_H */
