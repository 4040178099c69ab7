/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR BSD-2-Clause */
/*
 * filter_abi.h - the fusebpf filter ABI: what a fuse_ops filter program gets,
 * what it may return, and how the ops table is numbered.
 *
 * Shared by three audiences: BPF filter programs (through bpf/fusebpf.bpf.h,
 * which includes this file), the loader (which builds the ops table) and the
 * daemon (which fills a context, runs the filter with BPF_PROG_RUN and reads
 * the context back).  It needs only <linux/types.h> and fuse_wire.h, so it
 * compiles as C, C++ and BPF C.  Neighbours: fuse_wire.h is the FUSE kernel
 * protocol; this file is fusebpf's own contract on top of it.
 *
 * How a filter runs.  A filter is a BPF_PROG_TYPE_SYSCALL program in an ELF
 * section "fuse_ops/<op>_prefilter", "fuse_ops/<op>_postfilter" or
 * "fuse_ops/default_filter".  Its only argument is the op's context struct
 * below (struct fusebpf_<op>_ctx).  The daemon fills the context, runs the
 * program with BPF_PROG_RUN (ctx_in = the struct); the kernel copies the
 * context in, runs the program and writes the (possibly changed) context back
 * into the same buffer.  The program's return value is the verdict.
 *
 * Limits of a syscall program the layout is designed around:
 *  - the context may not be indexed with a variable ("variable ctx access
 *    disallowed"): names and buffers are read through helpers of
 *    bpf/fusebpf.bpf.h that copy them to the stack first;
 *  - the whole context is copied in and out on every call, so each op gets
 *    its own struct holding only what that op needs (a lookup context is
 *    ~460 bytes; BPF_PROG_RUN limits a context to 65535 bytes).
 *
 * Compatibility.  The ABI is append-only: new ops get new op numbers (and so
 * new table slots) at the end, new fields are appended at the end of a
 * context struct, never inserted.  A program built against an older version
 * runs unchanged on a newer daemon: the kernel only rejects a context that is
 * shorter than the last byte a program touches.  Every object records the
 * version it was built against (FUSEBPF_OPS_DEFINE() in fusebpf.bpf.h); the
 * loader refuses objects newer than itself.
 *
 * Changelog:
 *  1: first version.  Verdicts and opcode decorations of the FUSE-BPF RFC
 *     v3/v4 patch sets; 33 ops + default_filter; slot = 1 + 2 * op + side.
 */
#ifndef FUSEBPF_FILTER_ABI_H
#define FUSEBPF_FILTER_ABI_H

#include <fusebpf/fuse_wire.h>

#define FUSEBPF_ABI_VERSION 1

/* ------------------------------------------------------------------------
 * Verdicts: what a filter returns.  The values are the patch sets' so that
 * filters port unchanged.  Any other non-negative value is invalid: the
 * daemon fails the op with -EIO.
 */
#define BPF_FUSE_CONTINUE 0        /* do the backing operation; no postfilter */
#define BPF_FUSE_USER 1            /* decline: the userspace handler serves the op */
#define BPF_FUSE_USER_PREFILTER 2  /* userspace prefilter sees the inputs, then continue */
#define BPF_FUSE_POSTFILTER 3      /* do the backing op, then the BPF postfilter */
#define BPF_FUSE_USER_POSTFILTER 4 /* do the backing op, then the userspace postfilter */
#define BPF_FUSE_CALL_DEFAULT 5    /* run the table's default_filter */
/* A negative value fails the op with that errno (-ENOENT hides, -EACCES denies). */

/*
 * Opcode decoration: meta.opcode is the FUSE opcode or'ed with the side that
 * runs, so one function can serve both sides.
 */
#define FUSE_OPCODE_FILTER 0x0ffff
#define FUSE_PREFILTER 0x10000
#define FUSE_POSTFILTER 0x20000

/* ------------------------------------------------------------------------
 * Ops and table slots.
 *
 * Each op has a stable number.  Several FUSE opcodes share an op (and its
 * context) where the patch sets did too:
 *   rename      FUSE_RENAME and FUSE_RENAME2 (in.flags is 0 for RENAME)
 *   readdir     FUSE_READDIR and FUSE_READDIRPLUS (out.flags FUSEBPF_READDIR_PLUS)
 *   setlk       FUSE_SETLK and FUSE_SETLKW (meta.opcode tells them apart);
 *               flock(2) arrives as setlk with FUSE_LK_FLOCK in in.lk_flags
 * The ops table (a BPF_MAP_TYPE_PROG_ARRAY) has FUSEBPF_SLOT_COUNT slots:
 * slot 0 is default_filter and op N has slots 1 + 2N (prefilter) and 2 + 2N
 * (postfilter).  Append-only: new ops are added before FUSEBPF_OP_COUNT.
 */
enum fusebpf_op {
	FUSEBPF_OP_LOOKUP = 0,
	FUSEBPF_OP_GETATTR = 1,
	FUSEBPF_OP_SETATTR = 2,
	FUSEBPF_OP_ACCESS = 3,
	FUSEBPF_OP_OPEN = 4,
	FUSEBPF_OP_OPENDIR = 5,
	FUSEBPF_OP_RELEASE = 6,
	FUSEBPF_OP_RELEASEDIR = 7,
	FUSEBPF_OP_CREATE = 8,
	FUSEBPF_OP_MKNOD = 9,
	FUSEBPF_OP_MKDIR = 10,
	FUSEBPF_OP_UNLINK = 11,
	FUSEBPF_OP_RMDIR = 12,
	FUSEBPF_OP_RENAME = 13,
	FUSEBPF_OP_LINK = 14,
	FUSEBPF_OP_SYMLINK = 15,
	FUSEBPF_OP_READLINK = 16,
	FUSEBPF_OP_READ = 17,
	FUSEBPF_OP_WRITE = 18,
	FUSEBPF_OP_FLUSH = 19,
	FUSEBPF_OP_FSYNC = 20,
	FUSEBPF_OP_FSYNCDIR = 21,
	FUSEBPF_OP_FALLOCATE = 22,
	FUSEBPF_OP_LSEEK = 23,
	FUSEBPF_OP_COPY_FILE_RANGE = 24,
	FUSEBPF_OP_READDIR = 25,
	FUSEBPF_OP_STATFS = 26,
	FUSEBPF_OP_GETXATTR = 27,
	FUSEBPF_OP_SETXATTR = 28,
	FUSEBPF_OP_LISTXATTR = 29,
	FUSEBPF_OP_REMOVEXATTR = 30,
	FUSEBPF_OP_GETLK = 31,
	FUSEBPF_OP_SETLK = 32,

	FUSEBPF_OP_COUNT = 33,
	FUSEBPF_OP_NONE = -1, /* the opcode has no filter op */
};

enum fusebpf_side {
	FUSEBPF_PRE = 0,
	FUSEBPF_POST = 1,
};

#define FUSEBPF_SLOT_DEFAULT 0
#define FUSEBPF_SLOT_COUNT (1 + 2 * FUSEBPF_OP_COUNT)

/* The table slot of (op, side). */
static inline __u32 fusebpf_slot(enum fusebpf_op op, enum fusebpf_side side)
{
	return 1 + 2 * (__u32)op + (__u32)side;
}

/*
 * Lower-case op names, indexed by enum fusebpf_op: the <op> of the section
 * names.  Only for userspace (BPF has no use for a string table).
 */
#ifndef __BPF__
#define FUSEBPF_OP_NAMES                                                                           \
	{                                                                                          \
		"lookup", "getattr", "setattr", "access", "open", "opendir", "release",            \
		    "releasedir", "create", "mknod", "mkdir", "unlink", "rmdir", "rename", "link", \
		    "symlink", "readlink", "read", "write", "flush", "fsync", "fsyncdir",          \
		    "fallocate", "lseek", "copy_file_range", "readdir", "statfs", "getxattr",      \
		    "setxattr", "listxattr", "removexattr", "getlk", "setlk"                       \
	}
#endif

/* The filter op that serves a FUSE opcode (undecorated), or FUSEBPF_OP_NONE. */
static inline enum fusebpf_op fusebpf_op_of_opcode(__u32 opcode)
{
	switch (opcode & FUSE_OPCODE_FILTER) {
	case FUSE_LOOKUP:
		return FUSEBPF_OP_LOOKUP;
	case FUSE_GETATTR:
		return FUSEBPF_OP_GETATTR;
	case FUSE_SETATTR:
		return FUSEBPF_OP_SETATTR;
	case FUSE_ACCESS:
		return FUSEBPF_OP_ACCESS;
	case FUSE_OPEN:
		return FUSEBPF_OP_OPEN;
	case FUSE_OPENDIR:
		return FUSEBPF_OP_OPENDIR;
	case FUSE_RELEASE:
		return FUSEBPF_OP_RELEASE;
	case FUSE_RELEASEDIR:
		return FUSEBPF_OP_RELEASEDIR;
	case FUSE_CREATE:
		return FUSEBPF_OP_CREATE;
	case FUSE_MKNOD:
		return FUSEBPF_OP_MKNOD;
	case FUSE_MKDIR:
		return FUSEBPF_OP_MKDIR;
	case FUSE_UNLINK:
		return FUSEBPF_OP_UNLINK;
	case FUSE_RMDIR:
		return FUSEBPF_OP_RMDIR;
	case FUSE_RENAME:
	case FUSE_RENAME2:
		return FUSEBPF_OP_RENAME;
	case FUSE_LINK:
		return FUSEBPF_OP_LINK;
	case FUSE_SYMLINK:
		return FUSEBPF_OP_SYMLINK;
	case FUSE_READLINK:
		return FUSEBPF_OP_READLINK;
	case FUSE_READ:
		return FUSEBPF_OP_READ;
	case FUSE_WRITE:
		return FUSEBPF_OP_WRITE;
	case FUSE_FLUSH:
		return FUSEBPF_OP_FLUSH;
	case FUSE_FSYNC:
		return FUSEBPF_OP_FSYNC;
	case FUSE_FSYNCDIR:
		return FUSEBPF_OP_FSYNCDIR;
	case FUSE_FALLOCATE:
		return FUSEBPF_OP_FALLOCATE;
	case FUSE_LSEEK:
		return FUSEBPF_OP_LSEEK;
	case FUSE_COPY_FILE_RANGE:
		return FUSEBPF_OP_COPY_FILE_RANGE;
	case FUSE_READDIR:
	case FUSE_READDIRPLUS:
		return FUSEBPF_OP_READDIR;
	case FUSE_STATFS:
		return FUSEBPF_OP_STATFS;
	case FUSE_GETXATTR:
		return FUSEBPF_OP_GETXATTR;
	case FUSE_SETXATTR:
		return FUSEBPF_OP_SETXATTR;
	case FUSE_LISTXATTR:
		return FUSEBPF_OP_LISTXATTR;
	case FUSE_REMOVEXATTR:
		return FUSEBPF_OP_REMOVEXATTR;
	case FUSE_GETLK:
		return FUSEBPF_OP_GETLK;
	case FUSE_SETLK:
	case FUSE_SETLKW:
		return FUSEBPF_OP_SETLK;
	default:
		return FUSEBPF_OP_NONE;
	}
}

/*
 * What FUSEBPF_OPS_DEFINE() records in an object's .rodata: the loader reads
 * both before it loads anything.  The table name is the loader's default
 * --name and the pin directory /sys/fs/bpf/fusebpf/<name>.
 */
#define FUSEBPF_TABLE_NAME_MAX 64 /* with the NUL */
#define FUSEBPF_ABI_VERSION_SYMBOL "fusebpf_abi_version"
#define FUSEBPF_TABLE_NAME_SYMBOL "fusebpf_table_name"

/* ------------------------------------------------------------------------
 * Building blocks of the contexts.
 */

/* A name is at most 255 bytes (NAME_MAX); the daemon adds the NUL. */
#define FUSEBPF_NAME_MAX 255
/* A symlink target, with its NUL, is at most PATH_MAX bytes. */
#define FUSEBPF_PATH_MAX 4096
/* Bytes of an xattr value / of a listxattr list a filter sees. */
#define FUSEBPF_XATTR_VALUE_MAX 512
#define FUSEBPF_XATTR_LIST_MAX 1024
/* Directory entries per readdir batch a filter sees. */
#define FUSEBPF_READDIR_BATCH 32

/*
 * Every context starts with this.  64 bytes, of which 24 are reserved: meta
 * can grow without moving any op's fields.
 */
struct fusebpf_meta {
	__u64 nodeid;   /* the inode the op is on (the parent dir for name ops) */
	__u64 unique;   /* the FUSE request's unique id, for tracing */
	__u32 opcode;   /* FUSE opcode | FUSE_PREFILTER or FUSE_POSTFILTER */
	__s32 error_in; /* postfilter: the backing op's result (0 or -errno) */
	__u32 uid;      /* the caller's fsuid, fsgid, tgid */
	__u32 gid;
	__u32 pid;
	__u32 abi_version; /* FUSEBPF_ABI_VERSION of the daemon that runs the filter */
	__u32 reserved[6];
};

/* A NUL-terminated name and its length (len excludes the NUL). */
struct fusebpf_name {
	__u32 len;
	__u32 padding;
	char name[FUSEBPF_NAME_MAX + 1];
};

/* A NUL-terminated path (symlink target) and its length (len excludes the NUL). */
struct fusebpf_path {
	__u32 len;
	__u32 padding;
	char path[FUSEBPF_PATH_MAX];
};

/*
 * A bounded byte buffer.  size is the real length of the value; at most the
 * first FUSEBPF_*_MAX bytes are in data, and FUSEBPF_DATA_TRUNCATED is set in
 * flags if there were more.  A filter that rewrites a buffer writes data and
 * sets size (<= the capacity) and the daemon uses data[0, size).
 */
#define FUSEBPF_DATA_TRUNCATED (1u << 0)

struct fusebpf_xattr_value {
	__u32 size;
	__u32 flags;
	char data[FUSEBPF_XATTR_VALUE_MAX];
};

struct fusebpf_xattr_list {
	__u32 size;
	__u32 flags;
	char data[FUSEBPF_XATTR_LIST_MAX]; /* NUL-separated names */
};

/* One directory entry of a readdir batch. */
struct fusebpf_dirent {
	__u64 ino;
	__u64 off;  /* the offset of the next entry (telldir cookie) */
	__u32 type; /* DT_* */
	__u32 namelen;
	char name[FUSEBPF_NAME_MAX + 1];
};

/*
 * A batch of entries as the backing directory returned them.  A postfilter
 * drops entry i by setting bit i of drop_mask (fusebpf_dirent_drop()), or
 * rewrites an entry in place (name, namelen, type; ino only for a reason).
 */
#define FUSEBPF_READDIR_PLUS (1u << 0) /* the request was READDIRPLUS */
#define FUSEBPF_READDIR_EOF (1u << 1)  /* the directory has no more entries */

struct fusebpf_dirent_batch {
	__u32 count;     /* valid entries in entries[] */
	__u32 flags;     /* FUSEBPF_READDIR_* */
	__u64 drop_mask; /* bit i set: entry i is not returned */
	struct fusebpf_dirent entries[FUSEBPF_READDIR_BATCH];
};

/* ------------------------------------------------------------------------
 * The per-op contexts.
 *
 * For each op: what the filter sees, the valid verdicts, what it may write.
 * The rules common to all ops (they are not repeated per op):
 *  - in.* (inputs and names) may be written by a prefilter; the daemon uses
 *    the rewritten inputs for the backing op.  Postfilters see them read-only:
 *    the daemon ignores changes.
 *  - out.* (results) are zero in a prefilter and hold the backing op's result
 *    in a postfilter, which may rewrite them; meta.error_in is that op's
 *    result (0 or -errno).  A postfilter that returns a negative errno
 *    replaces the result with that error.
 *  - Valid verdicts, prefilter: every verdict; postfilter: BPF_FUSE_CONTINUE
 *    (use out as it is now), BPF_FUSE_USER_POSTFILTER, BPF_FUSE_CALL_DEFAULT,
 *    or a negative errno.  Anything else fails the op with -EIO.
 *  - A missing program is BPF_FUSE_CALL_DEFAULT, and a missing default_filter
 *    is BPF_FUSE_CONTINUE, as in the patch sets: an op without a program
 *    costs no BPF call at all.
 *  - meta is read-only: changes are ignored.
 */

/* default_filter: runs for BPF_FUSE_CALL_DEFAULT and for ops without a
 * program of their own (when the table has a default_filter).  meta.opcode
 * tells the op and side.  Valid verdicts: those of the side it stands for. */
struct fusebpf_default_ctx {
	struct fusebpf_meta meta;
};

/* lookup: name in the directory meta.nodeid.  Pre: rewrite the name, hide
 * (-ENOENT).  Post: rewrite out.entry (nodeid, attr, timeouts). */
struct fusebpf_lookup_ctx {
	struct fusebpf_meta meta;
	struct fusebpf_name name;
	struct {
		struct fuse_entry_out entry;
	} out;
};

/* getattr: in.getattr_flags (FUSE_GETATTR_FH: in.fh is valid).  Post:
 * rewrite out.attr (mode, size, times...). */
struct fusebpf_getattr_ctx {
	struct fusebpf_meta meta;
	struct fuse_getattr_in in;
	struct fuse_attr_out out;
};

/* setattr: in.valid (FATTR_*) says which of in.* to set.  Pre: change or
 * drop them (deny with -EPERM).  Post: out is the attr after the change. */
struct fusebpf_setattr_ctx {
	struct fusebpf_meta meta;
	struct fuse_setattr_in in;
	struct fuse_attr_out out;
};

/* access: in.mask (R_OK|W_OK|X_OK or F_OK).  No outputs. */
struct fusebpf_access_ctx {
	struct fusebpf_meta meta;
	struct fuse_access_in in;
};

/* open / opendir: in.flags (O_*).  Post: out.fh, out.open_flags (FOPEN_*);
 * backing_id belongs to the daemon and is ignored. */
struct fusebpf_open_ctx {
	struct fusebpf_meta meta;
	struct fuse_open_in in;
	struct fuse_open_out out;
};

struct fusebpf_opendir_ctx {
	struct fusebpf_meta meta;
	struct fuse_open_in in;
	struct fuse_open_out out;
};

/* release / releasedir: in.fh, in.flags.  Cannot fail the close (the
 * verdict is recorded, the release happens).  No outputs. */
struct fusebpf_release_ctx {
	struct fusebpf_meta meta;
	struct fuse_release_in in;
};

struct fusebpf_releasedir_ctx {
	struct fusebpf_meta meta;
	struct fuse_release_in in;
};

/* create: name in dir meta.nodeid, in.flags/mode/umask.  Post: out.entry of
 * the new file and out.open of its handle. */
struct fusebpf_create_ctx {
	struct fusebpf_meta meta;
	struct fuse_create_in in;
	struct fusebpf_name name;
	struct {
		struct fuse_entry_out entry;
		struct fuse_open_out open;
	} out;
};

/* mknod: name, in.mode/rdev/umask.  Post: out.entry of the new node. */
struct fusebpf_mknod_ctx {
	struct fusebpf_meta meta;
	struct fuse_mknod_in in;
	struct fusebpf_name name;
	struct {
		struct fuse_entry_out entry;
	} out;
};

/* mkdir: name, in.mode/umask.  Post: out.entry of the new directory. */
struct fusebpf_mkdir_ctx {
	struct fusebpf_meta meta;
	struct fuse_mkdir_in in;
	struct fusebpf_name name;
	struct {
		struct fuse_entry_out entry;
	} out;
};

/* unlink / rmdir: name in dir meta.nodeid.  No outputs. */
struct fusebpf_unlink_ctx {
	struct fusebpf_meta meta;
	struct fusebpf_name name;
};

struct fusebpf_rmdir_ctx {
	struct fusebpf_meta meta;
	struct fusebpf_name name;
};

/* rename / rename2: old_name in dir meta.nodeid to new_name in dir
 * in.newdir; in.flags are RENAME_* (0 for FUSE_RENAME).  No outputs. */
struct fusebpf_rename_ctx {
	struct fusebpf_meta meta;
	struct fuse_rename2_in in;
	struct fusebpf_name old_name;
	struct fusebpf_name new_name;
};

/* link: a new name in dir meta.nodeid for inode in.oldnodeid.  Post:
 * out.entry of the linked inode. */
struct fusebpf_link_ctx {
	struct fusebpf_meta meta;
	struct fuse_link_in in;
	struct fusebpf_name name;
	struct {
		struct fuse_entry_out entry;
	} out;
};

/* symlink: name in dir meta.nodeid pointing to target.  Post: out.entry. */
struct fusebpf_symlink_ctx {
	struct fusebpf_meta meta;
	struct fusebpf_name name;
	struct fusebpf_path target;
	struct {
		struct fuse_entry_out entry;
	} out;
};

/* readlink: no inputs.  Post: rewrite out.target (path and len). */
struct fusebpf_readlink_ctx {
	struct fusebpf_meta meta;
	struct {
		struct fusebpf_path target;
	} out;
};

/* read: in.fh/offset/size.  The data itself is not in the context (it would
 * not fit, and passthrough serves it).  Post: out.size is the byte count read. */
struct fusebpf_read_ctx {
	struct fusebpf_meta meta;
	struct fuse_read_in in;
	struct {
		__u32 size;
		__u32 padding;
	} out;
};

/* write: in.fh/offset/size (data not in the context).  Post: out.size. */
struct fusebpf_write_ctx {
	struct fusebpf_meta meta;
	struct fuse_write_in in;
	struct fuse_write_out out;
};

/* flush: in.fh, in.lock_owner.  No outputs. */
struct fusebpf_flush_ctx {
	struct fusebpf_meta meta;
	struct fuse_flush_in in;
};

/* fsync / fsyncdir: in.fh, in.fsync_flags (FUSE_FSYNC_FDATASYNC).  No outputs. */
struct fusebpf_fsync_ctx {
	struct fusebpf_meta meta;
	struct fuse_fsync_in in;
};

struct fusebpf_fsyncdir_ctx {
	struct fusebpf_meta meta;
	struct fuse_fsync_in in;
};

/* fallocate: in.fh/offset/length/mode (FALLOC_FL_*).  No outputs. */
struct fusebpf_fallocate_ctx {
	struct fusebpf_meta meta;
	struct fuse_fallocate_in in;
};

/* lseek: in.fh/offset/whence (SEEK_DATA, SEEK_HOLE...).  Post: out.offset. */
struct fusebpf_lseek_ctx {
	struct fusebpf_meta meta;
	struct fuse_lseek_in in;
	struct fuse_lseek_out out;
};

/* copy_file_range: from (meta.nodeid, in.fh_in, in.off_in) to
 * (in.nodeid_out, in.fh_out, in.off_out), in.len bytes.  Post: out.size. */
struct fusebpf_copy_file_range_ctx {
	struct fusebpf_meta meta;
	struct fuse_copy_file_range_in in;
	struct fuse_write_out out;
};

/* readdir / readdirplus: in.fh/offset/size.  Post: out is one batch of
 * entries; drop with fusebpf_dirent_drop(), rewrite in place.  The daemon
 * runs the postfilter once per batch of up to FUSEBPF_READDIR_BATCH entries. */
struct fusebpf_readdir_ctx {
	struct fusebpf_meta meta;
	struct fuse_read_in in;
	struct fusebpf_dirent_batch out;
};

/* statfs: no inputs.  Post: rewrite out.st (blocks, files, namelen...). */
struct fusebpf_statfs_ctx {
	struct fusebpf_meta meta;
	struct fuse_statfs_out out;
};

/* getxattr: name, in.size (0: the caller asks for the size only).  Post:
 * out.xattr.size is the value's size, out.value its first bytes; rewrite
 * both, or fail with -ENODATA to hide the attribute. */
struct fusebpf_getxattr_ctx {
	struct fusebpf_meta meta;
	struct fuse_getxattr_in in;
	struct fusebpf_name name;
	struct {
		struct fuse_getxattr_out xattr;
		struct fusebpf_xattr_value value;
	} out;
};

/* setxattr: name, value, in.flags (XATTR_CREATE/REPLACE).  Pre: rewrite the
 * value (value.size and data; FUSEBPF_DATA_TRUNCATED values cannot be
 * rewritten) or deny.  No outputs. */
struct fusebpf_setxattr_ctx {
	struct fusebpf_meta meta;
	struct fuse_setxattr_in in;
	struct fusebpf_name name;
	struct fusebpf_xattr_value value;
};

/* listxattr: in.size as for getxattr.  Post: out.list holds the
 * NUL-separated names; rewrite to hide some. */
struct fusebpf_listxattr_ctx {
	struct fusebpf_meta meta;
	struct fuse_getxattr_in in;
	struct {
		struct fuse_getxattr_out xattr;
		struct fusebpf_xattr_list list;
	} out;
};

/* removexattr: name.  No outputs. */
struct fusebpf_removexattr_ctx {
	struct fusebpf_meta meta;
	struct fusebpf_name name;
};

/* getlk: in.fh/owner/lk (the lock asked about).  Post: out.lk, the
 * conflicting lock (type F_UNLCK if none). */
struct fusebpf_getlk_ctx {
	struct fusebpf_meta meta;
	struct fuse_lk_in in;
	struct fuse_lk_out out;
};

/* setlk: SETLK and SETLKW (meta.opcode), flock(2) when in.lk_flags has
 * FUSE_LK_FLOCK.  in.lk is the lock to take or release.  No outputs. */
struct fusebpf_setlk_ctx {
	struct fusebpf_meta meta;
	struct fuse_lk_in in;
};

/* ------------------------------------------------------------------------
 * Trace events: what fusebpf_trace() and FUSEBPF_ERR() of fusebpf.bpf.h put
 * into a filter's ring buffer.  Readers check the size before use.
 */
#define FUSEBPF_TRACE_WHERE_MAX 48
#define FUSEBPF_TRACE_TEXT_MAX 64

struct fusebpf_trace_event {
	__u64 nodeid;
	__u64 unique;
	__u32 opcode; /* decorated, as in meta */
	__s32 value;  /* the verdict or errno being returned, or the caller's value */
	__u32 pid;
	__u32 uid;
	char where[FUSEBPF_TRACE_WHERE_MAX]; /* "file.bpf.c:123" */
	char text[FUSEBPF_TRACE_TEXT_MAX];   /* a name or a message, NUL-terminated */
};

/* ------------------------------------------------------------------------
 * Layout checks: these offsets and sizes are the ABI.
 */
#ifdef __cplusplus
#define FUSEBPF_ABI_ASSERT static_assert
#else
#define FUSEBPF_ABI_ASSERT _Static_assert
#endif
#define FUSEBPF_ABI_OFFSET(type, member) __builtin_offsetof(struct type, member)
FUSEBPF_ABI_ASSERT(sizeof(struct fusebpf_meta) == 64, "fusebpf_meta");
FUSEBPF_ABI_ASSERT(sizeof(struct fusebpf_name) == 264, "fusebpf_name");
FUSEBPF_ABI_ASSERT(sizeof(struct fusebpf_path) == 4104, "fusebpf_path");
FUSEBPF_ABI_ASSERT(sizeof(struct fusebpf_dirent) == 280, "fusebpf_dirent");
FUSEBPF_ABI_ASSERT(sizeof(struct fusebpf_dirent_batch) == 16 + 32 * 280, "fusebpf_dirent_batch");
FUSEBPF_ABI_ASSERT(FUSEBPF_ABI_OFFSET(fusebpf_lookup_ctx, name) == 64, "lookup name");
FUSEBPF_ABI_ASSERT(FUSEBPF_ABI_OFFSET(fusebpf_lookup_ctx, out) == 328, "lookup out");
FUSEBPF_ABI_ASSERT(sizeof(struct fusebpf_lookup_ctx) == 456, "lookup ctx");
FUSEBPF_ABI_ASSERT(sizeof(struct fusebpf_getattr_ctx) == 64 + 16 + 104, "getattr ctx");
FUSEBPF_ABI_ASSERT(sizeof(struct fusebpf_rename_ctx) == 64 + 16 + 2 * 264, "rename ctx");
FUSEBPF_ABI_ASSERT(sizeof(struct fusebpf_readdir_ctx) == 64 + 40 + 16 + 32 * 280, "readdir ctx");
FUSEBPF_ABI_ASSERT(sizeof(struct fusebpf_readlink_ctx) < 65536, "BPF_PROG_RUN ctx limit");
FUSEBPF_ABI_ASSERT(sizeof(struct fusebpf_symlink_ctx) < 65536, "BPF_PROG_RUN ctx limit");
FUSEBPF_ABI_ASSERT(sizeof(struct fusebpf_readdir_ctx) < 65536, "BPF_PROG_RUN ctx limit");
FUSEBPF_ABI_ASSERT(sizeof(struct fusebpf_trace_event) == 144, "fusebpf_trace_event");
FUSEBPF_ABI_ASSERT(FUSEBPF_OP_COUNT == 33, "append ops before FUSEBPF_OP_COUNT, bump the ABI");
FUSEBPF_ABI_ASSERT(FUSEBPF_READDIR_BATCH <= 64, "drop_mask has 64 bits");
#undef FUSEBPF_ABI_OFFSET

#endif /* FUSEBPF_FILTER_ABI_H */
