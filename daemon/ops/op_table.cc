// SPDX-License-Identifier: GPL-2.0-or-later
//
// The op table: every FUSE opcode's handler and libfuse name, all op
// wiring in one place (find_op(), declared in fuse/dispatch.h, which calls
// it: the transport knows handlers only by this table).
#include "daemon/fuse/dispatch.h"
#include "daemon/ops/ops.h"

#include <fusebpf/fuse_wire.h>

#include <array>

namespace fusebpf::daemon {
namespace {

std::array<op_entry, FUSE_OPCODE_MAX> make_table()
{
	std::array<op_entry, FUSE_OPCODE_MAX> t{};
	t[FUSE_LOOKUP] = {op_lookup, "LOOKUP"};
	t[FUSE_FORGET] = {op_forget, "FORGET"};
	t[FUSE_GETATTR] = {op_getattr, "GETATTR"};
	t[FUSE_SETATTR] = {op_setattr, "SETATTR"};
	t[FUSE_READLINK] = {op_readlink, "READLINK"};
	t[FUSE_SYMLINK] = {op_symlink, "SYMLINK"};
	t[FUSE_MKNOD] = {op_mknod, "MKNOD"};
	t[FUSE_MKDIR] = {op_mkdir, "MKDIR"};
	t[FUSE_UNLINK] = {op_unlink, "UNLINK"};
	t[FUSE_RMDIR] = {op_rmdir, "RMDIR"};
	t[FUSE_RENAME] = {op_rename, "RENAME"};
	t[FUSE_LINK] = {op_link, "LINK"};
	t[FUSE_OPEN] = {op_open, "OPEN"};
	t[FUSE_READ] = {op_read, "READ"};
	t[FUSE_WRITE] = {op_write, "WRITE"};
	t[FUSE_STATFS] = {op_statfs, "STATFS"};
	t[FUSE_RELEASE] = {op_release, "RELEASE"};
	t[FUSE_FSYNC] = {op_fsync, "FSYNC"};
	t[FUSE_SETXATTR] = {op_setxattr, "SETXATTR"};
	t[FUSE_GETXATTR] = {op_getxattr, "GETXATTR"};
	t[FUSE_LISTXATTR] = {op_listxattr, "LISTXATTR"};
	t[FUSE_REMOVEXATTR] = {op_removexattr, "REMOVEXATTR"};
	t[FUSE_FLUSH] = {op_flush, "FLUSH"};
	t[FUSE_INIT] = {op_init, "INIT"};
	t[FUSE_OPENDIR] = {op_opendir, "OPENDIR"};
	t[FUSE_READDIR] = {op_readdir, "READDIR"};
	t[FUSE_RELEASEDIR] = {op_releasedir, "RELEASEDIR"};
	t[FUSE_FSYNCDIR] = {op_fsyncdir, "FSYNCDIR"};
	t[FUSE_GETLK] = {op_getlk, "GETLK"};
	t[FUSE_SETLK] = {op_setlk, "SETLK"};
	t[FUSE_SETLKW] = {op_setlkw, "SETLKW"};
	t[FUSE_ACCESS] = {op_access, "ACCESS"};
	t[FUSE_CREATE] = {op_create, "CREATE"};
	t[FUSE_INTERRUPT] = {op_interrupt, "INTERRUPT"};
	t[FUSE_BMAP] = {nullptr, "BMAP"};
	t[FUSE_DESTROY] = {op_destroy, "DESTROY"};
	t[FUSE_IOCTL] = {nullptr, "IOCTL"};
	t[FUSE_POLL] = {nullptr, "POLL"};
	t[FUSE_NOTIFY_REPLY] = {nullptr, "NOTIFY_REPLY"};
	t[FUSE_BATCH_FORGET] = {op_batch_forget, "BATCH_FORGET"};
	t[FUSE_FALLOCATE] = {op_fallocate, "FALLOCATE"};
	t[FUSE_READDIRPLUS] = {op_readdirplus, "READDIRPLUS"};
	t[FUSE_RENAME2] = {op_rename2, "RENAME2"};
	t[FUSE_LSEEK] = {op_lseek, "LSEEK"};
	t[FUSE_COPY_FILE_RANGE] = {op_copy_file_range, "COPY_FILE_RANGE"};
	t[FUSE_SETUPMAPPING] = {nullptr, "SETUPMAPPING"};
	t[FUSE_REMOVEMAPPING] = {nullptr, "REMOVEMAPPING"};
	t[FUSE_SYNCFS] = {nullptr, "SYNCFS"};
	t[FUSE_TMPFILE] = {nullptr, "TMPFILE"};
	t[FUSE_STATX] = {nullptr, "STATX"};
	t[FUSE_COPY_FILE_RANGE_64] = {nullptr, "COPY_FILE_RANGE_64"};
	return t;
}

// Dynamically initialised from the handlers, which are constant-initialised
// (function addresses), so every entry is set before main() runs.
const std::array<op_entry, FUSE_OPCODE_MAX> op_table = make_table();

} // namespace

const op_entry *find_op(uint32_t opcode)
{
	if (opcode >= op_table.size() || !op_table[opcode].name)
		return nullptr;
	return &op_table[opcode];
}

} // namespace fusebpf::daemon
