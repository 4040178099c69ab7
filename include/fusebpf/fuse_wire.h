/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR BSD-2-Clause */
/*
 * fuse_wire.h - the FUSE kernel protocol as fusebpf speaks it (7.40 and later).
 *
 * Debian 12's <linux/fuse.h> stops at 7.38 and has neither FUSE passthrough
 * (7.40) nor FUSE over io_uring (7.42), so fusebpf carries its own copy of the
 * wire structs.  The names and layouts are the kernel's (include/uapi/linux/
 * fuse.h), so filters written against the FUSE-BPF patch sets, which mirror
 * these structs, port unchanged.  Field lists were written from the protocol
 * documentation; every struct size is checked by a _Static_assert below.
 *
 * Audience: the daemon, the loader and BPF filters.  It needs only
 * <linux/types.h>, so clang -target bpf can include it.  Never include it
 * together with <linux/fuse.h>.
 *
 * Changelog of the protocol minors fusebpf relies on:
 *  7.9:  fuse_attr.blksize, fuse_setattr_in.lock_owner, fuse_read_in.flags
 *  7.12: umask in mknod/mkdir/create
 *  7.21: FUSE_READDIRPLUS
 *  7.23: FUSE_RENAME2
 *  7.24: FUSE_LSEEK
 *  7.28: FUSE_COPY_FILE_RANGE
 *  7.31: FUSE_WRITE_KILL_PRIV, FUSE_SETUPMAPPING
 *  7.33: FUSE_SETXATTR_EXT (fuse_setxattr_in grows to 16 bytes)
 *  7.36: FUSE_INIT_EXT, fuse_init_in/out.flags2
 *  7.38: FUSE_EXT_GROUPS (supplementary group of the creator)
 *  7.40: FUSE_PASSTHROUGH, fuse_open_out.backing_id, fuse_init_out.max_stack_depth,
 *        FUSE_DEV_IOC_BACKING_OPEN / _CLOSE
 *  7.42: FUSE_OVER_IO_URING: requests and replies through io_uring commands on
 *        /dev/fuse (fuse_uring_* below); INIT itself stays on /dev/fuse
 */
#ifndef FUSEBPF_FUSE_WIRE_H
#define FUSEBPF_FUSE_WIRE_H

#include <linux/types.h>

#ifndef __BPF__
#include <linux/ioctl.h>
#endif

/* The protocol version the daemon implements and answers INIT with. */
#define FUSE_KERNEL_VERSION 7
#define FUSE_KERNEL_MINOR_VERSION 40
/* Oldest kernel minor the daemon accepts: 7.40 brings passthrough. Older
 * kernels still mount, with passthrough off (see daemon/session.cc). */
#define FUSEBPF_MIN_KERNEL_MINOR 31

#define FUSE_ROOT_ID 1

/* The smallest buffer the kernel accepts for a read(2) on /dev/fuse. */
#define FUSE_MIN_READ_BUFFER 8192

struct fuse_attr {
	__u64 ino;
	__u64 size;
	__u64 blocks;
	__u64 atime;
	__u64 mtime;
	__u64 ctime;
	__u32 atimensec;
	__u32 mtimensec;
	__u32 ctimensec;
	__u32 mode;
	__u32 nlink;
	__u32 uid;
	__u32 gid;
	__u32 rdev;
	__u32 blksize;
	__u32 flags;
};

struct fuse_kstatfs {
	__u64 blocks;
	__u64 bfree;
	__u64 bavail;
	__u64 files;
	__u64 ffree;
	__u32 bsize;
	__u32 namelen;
	__u32 frsize;
	__u32 padding;
	__u32 spare[6];
};

struct fuse_file_lock {
	__u64 start;
	__u64 end;
	__u32 type;
	__u32 pid; /* tgid */
};

/* fuse_setattr_in.valid */
#define FATTR_MODE (1 << 0)
#define FATTR_UID (1 << 1)
#define FATTR_GID (1 << 2)
#define FATTR_SIZE (1 << 3)
#define FATTR_ATIME (1 << 4)
#define FATTR_MTIME (1 << 5)
#define FATTR_FH (1 << 6)
#define FATTR_ATIME_NOW (1 << 7)
#define FATTR_MTIME_NOW (1 << 8)
#define FATTR_LOCKOWNER (1 << 9)
#define FATTR_CTIME (1 << 10)
#define FATTR_KILL_SUIDGID (1 << 11)

/* fuse_open_out.open_flags */
#define FOPEN_DIRECT_IO (1 << 0)
#define FOPEN_KEEP_CACHE (1 << 1)
#define FOPEN_NONSEEKABLE (1 << 2)
#define FOPEN_CACHE_DIR (1 << 3)
#define FOPEN_STREAM (1 << 4)
#define FOPEN_NOFLUSH (1 << 5)
#define FOPEN_PARALLEL_DIRECT_WRITES (1 << 6)
#define FOPEN_PASSTHROUGH (1 << 7)

/* fuse_init_in.flags / flags2 (flags2 holds bits 32..63) */
#define FUSE_ASYNC_READ (1 << 0)
#define FUSE_POSIX_LOCKS (1 << 1)
#define FUSE_FILE_OPS (1 << 2)
#define FUSE_ATOMIC_O_TRUNC (1 << 3)
#define FUSE_EXPORT_SUPPORT (1 << 4)
#define FUSE_BIG_WRITES (1 << 5)
#define FUSE_DONT_MASK (1 << 6)
#define FUSE_SPLICE_WRITE (1 << 7)
#define FUSE_SPLICE_MOVE (1 << 8)
#define FUSE_SPLICE_READ (1 << 9)
#define FUSE_FLOCK_LOCKS (1 << 10)
#define FUSE_HAS_IOCTL_DIR (1 << 11)
#define FUSE_AUTO_INVAL_DATA (1 << 12)
#define FUSE_DO_READDIRPLUS (1 << 13)
#define FUSE_READDIRPLUS_AUTO (1 << 14)
#define FUSE_ASYNC_DIO (1 << 15)
#define FUSE_WRITEBACK_CACHE (1 << 16)
#define FUSE_NO_OPEN_SUPPORT (1 << 17)
#define FUSE_PARALLEL_DIROPS (1 << 18)
#define FUSE_HANDLE_KILLPRIV (1 << 19)
#define FUSE_POSIX_ACL (1 << 20)
#define FUSE_ABORT_ERROR (1 << 21)
#define FUSE_MAX_PAGES (1 << 22)
#define FUSE_CACHE_SYMLINKS (1 << 23)
#define FUSE_NO_OPENDIR_SUPPORT (1 << 24)
#define FUSE_EXPLICIT_INVAL_DATA (1 << 25)
#define FUSE_MAP_ALIGNMENT (1 << 26)
#define FUSE_SUBMOUNTS (1 << 27)
#define FUSE_HANDLE_KILLPRIV_V2 (1 << 28)
#define FUSE_SETXATTR_EXT (1 << 29)
#define FUSE_INIT_EXT (1 << 30)
#define FUSE_INIT_RESERVED (1u << 31)
#define FUSE_SECURITY_CTX (1ULL << 32)
#define FUSE_HAS_INODE_DAX (1ULL << 33)
#define FUSE_CREATE_SUPP_GROUP (1ULL << 34)
#define FUSE_HAS_EXPIRE_ONLY (1ULL << 35)
#define FUSE_DIRECT_IO_ALLOW_MMAP (1ULL << 36)
#define FUSE_PASSTHROUGH (1ULL << 37)
#define FUSE_NO_EXPORT_SUPPORT (1ULL << 38)
#define FUSE_HAS_RESEND (1ULL << 39)
#define FUSE_ALLOW_IDMAP (1ULL << 40)
#define FUSE_OVER_IO_URING (1ULL << 41)
#define FUSE_REQUEST_TIMEOUT (1ULL << 42)

/* fuse_release_in.release_flags */
#define FUSE_RELEASE_FLUSH (1 << 0)
#define FUSE_RELEASE_FLOCK_UNLOCK (1 << 1)

/* fuse_getattr_in.getattr_flags */
#define FUSE_GETATTR_FH (1 << 0)

/* fuse_lk_in.lk_flags */
#define FUSE_LK_FLOCK (1 << 0)

/* fuse_write_in.write_flags */
#define FUSE_WRITE_CACHE (1 << 0)
#define FUSE_WRITE_LOCKOWNER (1 << 1)
#define FUSE_WRITE_KILL_SUIDGID (1 << 2)

/* fuse_read_in.read_flags */
#define FUSE_READ_LOCKOWNER (1 << 1)

/* fuse_open_in.open_flags */
#define FUSE_OPEN_KILL_SUIDGID (1 << 0)

/* fuse_setxattr_in.setxattr_flags */
#define FUSE_SETXATTR_ACL_KILL_SGID (1 << 0)

/* fuse_fsync_in.fsync_flags */
#define FUSE_FSYNC_FDATASYNC (1 << 0)

/* fuse_attr.flags */
#define FUSE_ATTR_SUBMOUNT (1 << 0)
#define FUSE_ATTR_DAX (1 << 1)

enum fuse_opcode {
	FUSE_LOOKUP = 1,
	FUSE_FORGET = 2, /* no reply */
	FUSE_GETATTR = 3,
	FUSE_SETATTR = 4,
	FUSE_READLINK = 5,
	FUSE_SYMLINK = 6,
	FUSE_MKNOD = 8,
	FUSE_MKDIR = 9,
	FUSE_UNLINK = 10,
	FUSE_RMDIR = 11,
	FUSE_RENAME = 12,
	FUSE_LINK = 13,
	FUSE_OPEN = 14,
	FUSE_READ = 15,
	FUSE_WRITE = 16,
	FUSE_STATFS = 17,
	FUSE_RELEASE = 18,
	FUSE_FSYNC = 20,
	FUSE_SETXATTR = 21,
	FUSE_GETXATTR = 22,
	FUSE_LISTXATTR = 23,
	FUSE_REMOVEXATTR = 24,
	FUSE_FLUSH = 25,
	FUSE_INIT = 26,
	FUSE_OPENDIR = 27,
	FUSE_READDIR = 28,
	FUSE_RELEASEDIR = 29,
	FUSE_FSYNCDIR = 30,
	FUSE_GETLK = 31,
	FUSE_SETLK = 32,
	FUSE_SETLKW = 33,
	FUSE_ACCESS = 34,
	FUSE_CREATE = 35,
	FUSE_INTERRUPT = 36,
	FUSE_BMAP = 37,
	FUSE_DESTROY = 38,
	FUSE_IOCTL = 39,
	FUSE_POLL = 40,
	FUSE_NOTIFY_REPLY = 41,
	FUSE_BATCH_FORGET = 42,
	FUSE_FALLOCATE = 43,
	FUSE_READDIRPLUS = 44,
	FUSE_RENAME2 = 45,
	FUSE_LSEEK = 46,
	FUSE_COPY_FILE_RANGE = 47,
	FUSE_SETUPMAPPING = 48,
	FUSE_REMOVEMAPPING = 49,
	FUSE_SYNCFS = 50,
	FUSE_TMPFILE = 51,
	FUSE_STATX = 52,
	FUSE_COPY_FILE_RANGE_64 = 53,

	/* One past the largest opcode: sizes opcode-indexed tables. */
	FUSE_OPCODE_MAX = 54,
};

enum fuse_notify_code {
	FUSE_NOTIFY_POLL = 1,
	FUSE_NOTIFY_INVAL_INODE = 2,
	FUSE_NOTIFY_INVAL_ENTRY = 3,
	FUSE_NOTIFY_STORE = 4,
	FUSE_NOTIFY_RETRIEVE = 5,
	FUSE_NOTIFY_DELETE = 6,
	FUSE_NOTIFY_RESEND = 7,
};

struct fuse_entry_out {
	__u64 nodeid; /* 0 caches a negative entry */
	__u64 generation;
	__u64 entry_valid; /* cache timeout for the name */
	__u64 attr_valid;  /* cache timeout for the attributes */
	__u32 entry_valid_nsec;
	__u32 attr_valid_nsec;
	struct fuse_attr attr;
};

struct fuse_forget_in {
	__u64 nlookup;
};

struct fuse_forget_one {
	__u64 nodeid;
	__u64 nlookup;
};

struct fuse_batch_forget_in {
	__u32 count;
	__u32 dummy;
};

struct fuse_getattr_in {
	__u32 getattr_flags;
	__u32 dummy;
	__u64 fh;
};

struct fuse_attr_out {
	__u64 attr_valid;
	__u32 attr_valid_nsec;
	__u32 dummy;
	struct fuse_attr attr;
};

struct fuse_mknod_in {
	__u32 mode;
	__u32 rdev;
	__u32 umask;
	__u32 padding;
};

struct fuse_mkdir_in {
	__u32 mode;
	__u32 umask;
};

struct fuse_rename_in {
	__u64 newdir;
};

struct fuse_rename2_in {
	__u64 newdir;
	__u32 flags;
	__u32 padding;
};

struct fuse_link_in {
	__u64 oldnodeid;
};

struct fuse_setattr_in {
	__u32 valid;
	__u32 padding;
	__u64 fh;
	__u64 size;
	__u64 lock_owner;
	__u64 atime;
	__u64 mtime;
	__u64 ctime;
	__u32 atimensec;
	__u32 mtimensec;
	__u32 ctimensec;
	__u32 mode;
	__u32 unused4;
	__u32 uid;
	__u32 gid;
	__u32 unused5;
};

struct fuse_open_in {
	__u32 flags;
	__u32 open_flags; /* FUSE_OPEN_... */
};

struct fuse_create_in {
	__u32 flags;
	__u32 mode;
	__u32 umask;
	__u32 open_flags;
};

struct fuse_open_out {
	__u64 fh;
	__u32 open_flags;
	__s32 backing_id; /* 7.40: with FOPEN_PASSTHROUGH */
};

struct fuse_release_in {
	__u64 fh;
	__u32 flags;
	__u32 release_flags;
	__u64 lock_owner;
};

struct fuse_flush_in {
	__u64 fh;
	__u32 unused;
	__u32 padding;
	__u64 lock_owner;
};

struct fuse_read_in {
	__u64 fh;
	__u64 offset;
	__u32 size;
	__u32 read_flags;
	__u64 lock_owner;
	__u32 flags;
	__u32 padding;
};

struct fuse_write_in {
	__u64 fh;
	__u64 offset;
	__u32 size;
	__u32 write_flags;
	__u64 lock_owner;
	__u32 flags;
	__u32 padding;
};

struct fuse_write_out {
	__u32 size;
	__u32 padding;
};

struct fuse_statfs_out {
	struct fuse_kstatfs st;
};

struct fuse_fsync_in {
	__u64 fh;
	__u32 fsync_flags;
	__u32 padding;
};

/* Before FUSE_SETXATTR_EXT is negotiated the kernel sends only size and flags. */
#define FUSE_COMPAT_SETXATTR_IN_SIZE 8

struct fuse_setxattr_in {
	__u32 size;
	__u32 flags;
	__u32 setxattr_flags;
	__u32 padding;
};

struct fuse_getxattr_in {
	__u32 size;
	__u32 padding;
};

struct fuse_getxattr_out {
	__u32 size;
	__u32 padding;
};

struct fuse_lk_in {
	__u64 fh;
	__u64 owner;
	struct fuse_file_lock lk;
	__u32 lk_flags;
	__u32 padding;
};

struct fuse_lk_out {
	struct fuse_file_lock lk;
};

struct fuse_access_in {
	__u32 mask;
	__u32 padding;
};

struct fuse_init_in {
	__u32 major;
	__u32 minor;
	__u32 max_readahead;
	__u32 flags;
	__u32 flags2;
	__u32 unused[11];
};

struct fuse_init_out {
	__u32 major;
	__u32 minor;
	__u32 max_readahead;
	__u32 flags;
	__u16 max_background;
	__u16 congestion_threshold;
	__u32 max_write;
	__u32 time_gran;
	__u16 max_pages;
	__u16 map_alignment;
	__u32 flags2;
	__u32 max_stack_depth; /* 7.40 */
	__u16 request_timeout; /* 7.43 */
	__u16 unused[11];
};

struct fuse_interrupt_in {
	__u64 unique;
};

struct fuse_fallocate_in {
	__u64 fh;
	__u64 offset;
	__u64 length;
	__u32 mode;
	__u32 padding;
};

struct fuse_in_header {
	__u32 len;
	__u32 opcode;
	__u64 unique;
	__u64 nodeid;
	__u32 uid;
	__u32 gid;
	__u32 pid;
	__u16 total_extlen; /* length of extensions, in units of 8 bytes */
	__u16 padding;
};

struct fuse_out_header {
	__u32 len;
	__s32 error;
	__u64 unique;
};

struct fuse_dirent {
	__u64 ino;
	__u64 off;
	__u32 namelen;
	__u32 type;
	char name[];
};

#define FUSE_NAME_OFFSET 24 /* offsetof(struct fuse_dirent, name) */
#define FUSE_DIRENT_ALIGN(x) (((x) + sizeof(__u64) - 1) & ~(sizeof(__u64) - 1))
#define FUSE_DIRENT_SIZE(d) FUSE_DIRENT_ALIGN(FUSE_NAME_OFFSET + (d)->namelen)

struct fuse_direntplus {
	struct fuse_entry_out entry_out;
	struct fuse_dirent dirent;
};

#define FUSE_NAME_OFFSET_DIRENTPLUS 152 /* offsetof(struct fuse_direntplus, dirent.name) */
#define FUSE_DIRENTPLUS_SIZE(d) FUSE_DIRENT_ALIGN(FUSE_NAME_OFFSET_DIRENTPLUS + (d)->dirent.namelen)

/* fuse_notify_inval_entry_out.flags */
#define FUSE_EXPIRE_ONLY (1 << 0)

struct fuse_notify_inval_inode_out {
	__u64 ino;
	__s64 off;
	__s64 len;
};

struct fuse_notify_inval_entry_out {
	__u64 parent;
	__u32 namelen;
	__u32 flags;
};

struct fuse_notify_delete_out {
	__u64 parent;
	__u64 child;
	__u32 namelen;
	__u32 padding;
};

struct fuse_lseek_in {
	__u64 fh;
	__u64 offset;
	__u32 whence;
	__u32 padding;
};

struct fuse_lseek_out {
	__u64 offset;
};

struct fuse_copy_file_range_in {
	__u64 fh_in;
	__u64 off_in;
	__u64 nodeid_out;
	__u64 fh_out;
	__u64 off_out;
	__u64 len;
	__u64 flags;
};

struct fuse_syncfs_in {
	__u64 padding;
};

/*
 * Request extensions (7.38): fuse_in_header.total_extlen * 8 bytes of
 * fuse_ext_header records after the op's own arguments.
 */
struct fuse_ext_header {
	__u32 size;
	__u32 type;
};

enum fuse_ext_type {
	/* Types 0..31 are security contexts (FUSE_MAX_NR_SECCTX). */
	FUSE_MAX_NR_SECCTX = 31,
	FUSE_EXT_GROUPS = 32,
};

struct fuse_supp_groups {
	__u32 nr_groups;
	__u32 groups[];
};

/* 7.40: register a backing file for passthrough. flags and padding must be 0. */
struct fuse_backing_map {
	__s32 fd;
	__u32 flags;
	__u64 padding;
};

/*
 * 7.42: FUSE over io_uring (kernel fs/fuse/dev_uring.c). Each ring entry is a
 * header buffer (struct fuse_uring_req_header) plus a payload buffer, handed
 * to the kernel by an IORING_OP_URING_CMD on a /dev/fuse fd (SQE128: the
 * command, struct fuse_uring_cmd_req, sits in the SQE's 80-byte cmd area;
 * sqe->addr points to the iovec pair, sqe->len = 2). On fetch the kernel
 * writes fuse_in_header into in_out, the op's first argument (in_args[0],
 * 0 bytes for ops such as LOOKUP) into op_in and every further argument into
 * the payload; fuse_in_header.len still counts all of them. On commit the
 * daemon writes fuse_out_header into in_out and the reply's arguments into
 * the payload, and names the request by commit_id.
 */
#define FUSE_URING_IN_OUT_HEADER_SZ 128
#define FUSE_URING_OP_IN_OUT_SZ 128

struct fuse_uring_ent_in_out {
	__u64 flags;
	/* The request's unique: the commit_id of its reply. */
	__u64 commit_id;
	/* Bytes used in the payload buffer, in either direction. */
	__u32 payload_sz;
	__u32 padding;
	__u64 reserved;
};

struct fuse_uring_req_header {
	char in_out[FUSE_URING_IN_OUT_HEADER_SZ]; /* fuse_in_header / fuse_out_header */
	char op_in[FUSE_URING_OP_IN_OUT_SZ];      /* the op's own struct (in_args[0]) */
	struct fuse_uring_ent_in_out ring_ent_in_out;
};

/* io_uring_sqe.cmd_op of an IORING_OP_URING_CMD on /dev/fuse. */
enum fuse_uring_cmd {
	FUSE_IO_URING_CMD_INVALID = 0,
	/* Register an entry's buffers and wait for a request. */
	FUSE_IO_URING_CMD_REGISTER = 1,
	/* Commit the reply to commit_id and wait for the next request. */
	FUSE_IO_URING_CMD_COMMIT_AND_FETCH = 2,
};

/* In the SQE's 80-byte command area. */
struct fuse_uring_cmd_req {
	__u64 flags;
	__u64 commit_id; /* 0 for REGISTER */
	__u16 qid;       /* queue = CPU number */
	__u8 padding[6];
};

#define FUSE_DEV_IOC_MAGIC 229
#ifndef __BPF__
#define FUSE_DEV_IOC_CLONE _IOR(FUSE_DEV_IOC_MAGIC, 0, __u32)
#define FUSE_DEV_IOC_BACKING_OPEN _IOW(FUSE_DEV_IOC_MAGIC, 1, struct fuse_backing_map)
#define FUSE_DEV_IOC_BACKING_CLOSE _IOW(FUSE_DEV_IOC_MAGIC, 2, __u32)
#endif

/* Layout checks: these sizes are the kernel's. */
#ifdef __cplusplus
#define FUSE_WIRE_ASSERT static_assert
#else
#define FUSE_WIRE_ASSERT _Static_assert
#endif
FUSE_WIRE_ASSERT(sizeof(struct fuse_attr) == 88, "fuse_attr");
FUSE_WIRE_ASSERT(sizeof(struct fuse_entry_out) == 128, "fuse_entry_out");
FUSE_WIRE_ASSERT(sizeof(struct fuse_attr_out) == 104, "fuse_attr_out");
FUSE_WIRE_ASSERT(sizeof(struct fuse_setattr_in) == 88, "fuse_setattr_in");
FUSE_WIRE_ASSERT(sizeof(struct fuse_open_out) == 16, "fuse_open_out");
FUSE_WIRE_ASSERT(sizeof(struct fuse_read_in) == 40, "fuse_read_in");
FUSE_WIRE_ASSERT(sizeof(struct fuse_write_in) == 40, "fuse_write_in");
FUSE_WIRE_ASSERT(sizeof(struct fuse_kstatfs) == 80, "fuse_kstatfs");
FUSE_WIRE_ASSERT(sizeof(struct fuse_init_in) == 64, "fuse_init_in");
FUSE_WIRE_ASSERT(sizeof(struct fuse_init_out) == 64, "fuse_init_out");
FUSE_WIRE_ASSERT(sizeof(struct fuse_in_header) == 40, "fuse_in_header");
FUSE_WIRE_ASSERT(sizeof(struct fuse_out_header) == 16, "fuse_out_header");
FUSE_WIRE_ASSERT(sizeof(struct fuse_lk_in) == 48, "fuse_lk_in");
FUSE_WIRE_ASSERT(sizeof(struct fuse_copy_file_range_in) == 56, "fuse_copy_file_range_in");
FUSE_WIRE_ASSERT(sizeof(struct fuse_direntplus) == FUSE_NAME_OFFSET_DIRENTPLUS, "fuse_direntplus");
FUSE_WIRE_ASSERT(sizeof(struct fuse_dirent) == FUSE_NAME_OFFSET, "fuse_dirent");
FUSE_WIRE_ASSERT(sizeof(struct fuse_uring_ent_in_out) == 32, "fuse_uring_ent_in_out");
FUSE_WIRE_ASSERT(sizeof(struct fuse_uring_req_header) == 288, "fuse_uring_req_header");
FUSE_WIRE_ASSERT(sizeof(struct fuse_uring_cmd_req) == 24, "fuse_uring_cmd_req");

#endif /* FUSEBPF_FUSE_WIRE_H */
