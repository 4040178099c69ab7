// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * passthrough.bpf.c - the template: a prefilter for every op, each returning
 * BPF_FUSE_CONTINUE (do the backing operation, no postfilter), so the mount
 * behaves exactly as without a filter.  Copy it, delete the ops you do not
 * need and put your logic in the rest.
 *
 * Each op's comment says when the kernel sends it and what its context
 * holds (the full per-op documentation is include/fusebpf/filter_abi.h).
 * Every context starts with `meta`: nodeid (the inode, or the parent
 * directory for name ops), unique (the request id), opcode (FUSE opcode |
 * FUSE_PREFILTER here), uid/gid/pid of the caller, and in a postfilter
 * error_in (the backing op's result).
 *
 * What a prefilter may return: BPF_FUSE_CONTINUE, a negative errno (the op
 * fails with it), BPF_FUSE_POSTFILTER (run the backing op, then the
 * FUSEBPF_POSTFILTER(op) program), BPF_FUSE_USER / USER_PREFILTER /
 * USER_POSTFILTER (hand over to a userspace filter), BPF_FUSE_CALL_DEFAULT
 * (run the FUSEBPF_DEFAULT_FILTER program).
 *
 * Cost: an op without a program costs no BPF run at all; each program here
 * costs one BPF_PROG_RUN (~1 us) per request.  A READ or WRITE program takes
 * the files it applies to off kernel passthrough (the daemon must see the
 * data path), which is why read and write come last and are worth deleting
 * first.
 */
#include "fusebpf.bpf.h"

/* LOOKUP: a path walk meets a name the kernel has not cached.  ctx->name in
 * directory meta.nodeid.  Rewrite the name, or hide it with -ENOENT. */
FUSEBPF_PREFILTER(lookup)
int passthrough_lookup_prefilter(struct fusebpf_lookup_ctx *ctx)
{
	return BPF_FUSE_CONTINUE;
}

/* GETATTR: stat(2) when the cached attributes expired.  ctx->in.getattr_flags
 * (FUSE_GETATTR_FH: in.fh is valid); a postfilter may rewrite out.attr. */
FUSEBPF_PREFILTER(getattr)
int passthrough_getattr_prefilter(struct fusebpf_getattr_ctx *ctx)
{
	return BPF_FUSE_CONTINUE;
}

/* SETATTR: chmod, chown, truncate, utimes.  ctx->in.valid (FATTR_*) says
 * which of in.mode/uid/gid/size/atime/mtime are being set. */
FUSEBPF_PREFILTER(setattr)
int passthrough_setattr_prefilter(struct fusebpf_setattr_ctx *ctx)
{
	return BPF_FUSE_CONTINUE;
}

/* ACCESS: access(2), chdir.  ctx->in.mask (R_OK, W_OK, X_OK or F_OK). */
FUSEBPF_PREFILTER(access)
int passthrough_access_prefilter(struct fusebpf_access_ctx *ctx)
{
	return BPF_FUSE_CONTINUE;
}

/* OPEN: open(2) of an existing file.  ctx->in.flags (O_*). */
FUSEBPF_PREFILTER(open)
int passthrough_open_prefilter(struct fusebpf_open_ctx *ctx)
{
	return BPF_FUSE_CONTINUE;
}

/* OPENDIR: opendir(3), ls.  ctx->in.flags. */
FUSEBPF_PREFILTER(opendir)
int passthrough_opendir_prefilter(struct fusebpf_opendir_ctx *ctx)
{
	return BPF_FUSE_CONTINUE;
}

/* RELEASE: the last close of an open file.  ctx->in.fh, in.flags.  Cannot
 * fail the close: the verdict is recorded, the release happens. */
FUSEBPF_PREFILTER(release)
int passthrough_release_prefilter(struct fusebpf_release_ctx *ctx)
{
	return BPF_FUSE_CONTINUE;
}

/* RELEASEDIR: the last close of an open directory.  As release. */
FUSEBPF_PREFILTER(releasedir)
int passthrough_releasedir_prefilter(struct fusebpf_releasedir_ctx *ctx)
{
	return BPF_FUSE_CONTINUE;
}

/* CREATE: open(2) with O_CREAT of a new name.  ctx->name in dir meta.nodeid,
 * ctx->in.flags/mode/umask. */
FUSEBPF_PREFILTER(create)
int passthrough_create_prefilter(struct fusebpf_create_ctx *ctx)
{
	return BPF_FUSE_CONTINUE;
}

/* MKNOD: mkfifo, mknod, a unix socket's bind.  ctx->name, in.mode/rdev. */
FUSEBPF_PREFILTER(mknod)
int passthrough_mknod_prefilter(struct fusebpf_mknod_ctx *ctx)
{
	return BPF_FUSE_CONTINUE;
}

/* MKDIR: mkdir(2).  ctx->name, in.mode/umask. */
FUSEBPF_PREFILTER(mkdir)
int passthrough_mkdir_prefilter(struct fusebpf_mkdir_ctx *ctx)
{
	return BPF_FUSE_CONTINUE;
}

/* UNLINK: unlink(2), rm.  ctx->name in dir meta.nodeid. */
FUSEBPF_PREFILTER(unlink)
int passthrough_unlink_prefilter(struct fusebpf_unlink_ctx *ctx)
{
	return BPF_FUSE_CONTINUE;
}

/* RMDIR: rmdir(2).  ctx->name in dir meta.nodeid. */
FUSEBPF_PREFILTER(rmdir)
int passthrough_rmdir_prefilter(struct fusebpf_rmdir_ctx *ctx)
{
	return BPF_FUSE_CONTINUE;
}

/* RENAME / RENAME2: rename(2), renameat2(2), mv.  ctx->old_name in dir
 * meta.nodeid to ctx->new_name in dir in.newdir; in.flags RENAME_*. */
FUSEBPF_PREFILTER(rename)
int passthrough_rename_prefilter(struct fusebpf_rename_ctx *ctx)
{
	return BPF_FUSE_CONTINUE;
}

/* LINK: link(2), ln.  New name ctx->name in dir meta.nodeid for the inode
 * in.oldnodeid. */
FUSEBPF_PREFILTER(link)
int passthrough_link_prefilter(struct fusebpf_link_ctx *ctx)
{
	return BPF_FUSE_CONTINUE;
}

/* SYMLINK: symlink(2), ln -s.  ctx->name pointing to ctx->target. */
FUSEBPF_PREFILTER(symlink)
int passthrough_symlink_prefilter(struct fusebpf_symlink_ctx *ctx)
{
	return BPF_FUSE_CONTINUE;
}

/* READLINK: readlink(2), or a path walk through a symlink.  No inputs; a
 * postfilter may rewrite out.target. */
FUSEBPF_PREFILTER(readlink)
int passthrough_readlink_prefilter(struct fusebpf_readlink_ctx *ctx)
{
	return BPF_FUSE_CONTINUE;
}

/* FLUSH: every close(2) of a file descriptor.  ctx->in.fh, in.lock_owner. */
FUSEBPF_PREFILTER(flush)
int passthrough_flush_prefilter(struct fusebpf_flush_ctx *ctx)
{
	return BPF_FUSE_CONTINUE;
}

/* FSYNC: fsync(2), fdatasync(2).  ctx->in.fh, in.fsync_flags. */
FUSEBPF_PREFILTER(fsync)
int passthrough_fsync_prefilter(struct fusebpf_fsync_ctx *ctx)
{
	return BPF_FUSE_CONTINUE;
}

/* FSYNCDIR: fsync(2) of a directory.  As fsync. */
FUSEBPF_PREFILTER(fsyncdir)
int passthrough_fsyncdir_prefilter(struct fusebpf_fsyncdir_ctx *ctx)
{
	return BPF_FUSE_CONTINUE;
}

/* FALLOCATE: fallocate(2), posix_fallocate(3).  ctx->in.offset/length/mode. */
FUSEBPF_PREFILTER(fallocate)
int passthrough_fallocate_prefilter(struct fusebpf_fallocate_ctx *ctx)
{
	return BPF_FUSE_CONTINUE;
}

/* LSEEK: lseek(2) with SEEK_DATA / SEEK_HOLE.  ctx->in.offset/whence. */
FUSEBPF_PREFILTER(lseek)
int passthrough_lseek_prefilter(struct fusebpf_lseek_ctx *ctx)
{
	return BPF_FUSE_CONTINUE;
}

/* COPY_FILE_RANGE: copy_file_range(2), cp --reflink=auto.  From meta.nodeid
 * (in.fh_in, in.off_in) to in.nodeid_out (in.fh_out, in.off_out), in.len. */
FUSEBPF_PREFILTER(copy_file_range)
int passthrough_copy_file_range_prefilter(struct fusebpf_copy_file_range_ctx *ctx)
{
	return BPF_FUSE_CONTINUE;
}

/* READDIR / READDIRPLUS: getdents64(2), ls.  ctx->in.offset/size; a
 * postfilter sees the entries in batches of 32 (ctx->out) and may drop them. */
FUSEBPF_PREFILTER(readdir)
int passthrough_readdir_prefilter(struct fusebpf_readdir_ctx *ctx)
{
	return BPF_FUSE_CONTINUE;
}

/* STATFS: statfs(2), df.  No inputs; a postfilter may rewrite out.st. */
FUSEBPF_PREFILTER(statfs)
int passthrough_statfs_prefilter(struct fusebpf_statfs_ctx *ctx)
{
	return BPF_FUSE_CONTINUE;
}

/* GETXATTR: getxattr(2).  ctx->name (the attribute), in.size (0: size only). */
FUSEBPF_PREFILTER(getxattr)
int passthrough_getxattr_prefilter(struct fusebpf_getxattr_ctx *ctx)
{
	return BPF_FUSE_CONTINUE;
}

/* SETXATTR: setxattr(2).  ctx->name, ctx->value (first 512 bytes), in.flags. */
FUSEBPF_PREFILTER(setxattr)
int passthrough_setxattr_prefilter(struct fusebpf_setxattr_ctx *ctx)
{
	return BPF_FUSE_CONTINUE;
}

/* LISTXATTR: listxattr(2).  in.size (0: size only); a postfilter may rewrite
 * the NUL-separated out.list. */
FUSEBPF_PREFILTER(listxattr)
int passthrough_listxattr_prefilter(struct fusebpf_listxattr_ctx *ctx)
{
	return BPF_FUSE_CONTINUE;
}

/* REMOVEXATTR: removexattr(2).  ctx->name. */
FUSEBPF_PREFILTER(removexattr)
int passthrough_removexattr_prefilter(struct fusebpf_removexattr_ctx *ctx)
{
	return BPF_FUSE_CONTINUE;
}

/* GETLK: fcntl(F_GETLK).  ctx->in.lk, the lock asked about. */
FUSEBPF_PREFILTER(getlk)
int passthrough_getlk_prefilter(struct fusebpf_getlk_ctx *ctx)
{
	return BPF_FUSE_CONTINUE;
}

/* SETLK / SETLKW: fcntl(F_SETLK[W]) and flock(2) (in.lk_flags &
 * FUSE_LK_FLOCK).  ctx->in.lk, the lock to take or release. */
FUSEBPF_PREFILTER(setlk)
int passthrough_setlk_prefilter(struct fusebpf_setlk_ctx *ctx)
{
	return BPF_FUSE_CONTINUE;
}

/* READ: read(2) through the daemon.  ctx->in.offset/size (the data is not
 * in the context).  Having this program takes files off passthrough. */
FUSEBPF_PREFILTER(read)
int passthrough_read_prefilter(struct fusebpf_read_ctx *ctx)
{
	return BPF_FUSE_CONTINUE;
}

/* WRITE: write(2) through the daemon.  ctx->in.offset/size.  Having this
 * program takes files off passthrough. */
FUSEBPF_PREFILTER(write)
int passthrough_write_prefilter(struct fusebpf_write_ctx *ctx)
{
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_OPS_DEFINE(passthrough);
char LICENSE[] SEC("license") = "GPL";
