// SPDX-License-Identifier: GPL-2.0-or-later
//
// The dispatch table (all op wiring in one place) and dispatch(): parse,
// count, log, switch to the caller's credentials, call, enforce one reply.
#include "daemon/fuse/dispatch.h"

#include "daemon/backing/caller_creds.h"
#include "daemon/ops/ops.h"
#include "daemon/fuse/request.h"
#include "daemon/session.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <exception>

namespace fusebpf::daemon {
namespace {

constexpr std::array<op_entry, FUSE_OPCODE_MAX> make_table()
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

constexpr std::array<op_entry, FUSE_OPCODE_MAX> op_table = make_table();

// Ops the kernel sends without waiting for an answer.
bool is_no_reply(uint32_t opcode)
{
	return opcode == FUSE_FORGET || opcode == FUSE_BATCH_FORGET || opcode == FUSE_INTERRUPT;
}

// Ops not run as the caller: protocol housekeeping, not file access.
bool runs_as_daemon(uint32_t opcode)
{
	return is_no_reply(opcode) || opcode == FUSE_INIT || opcode == FUSE_DESTROY;
}

void call_handler(const op_entry *op, request &req)
{
	if (!op || !op->handler) {
		req.reply_err(ENOSYS);
		return;
	}
	if (runs_as_daemon(req.opcode())) {
		op->handler(req);
		return;
	}
	caller_creds creds(req);
	if (creds.error()) {
		req.reply_err(creds.error());
		return;
	}
	op->handler(req);
}

} // namespace

const op_entry *find_op(uint32_t opcode)
{
	if (opcode >= op_table.size() || !op_table[opcode].name)
		return nullptr;
	return &op_table[opcode];
}

const char *opname(uint32_t opcode)
{
	const op_entry *op = find_op(opcode);
	return op ? op->name : "UNKNOWN";
}

void dispatch(session &s, channel &ch, inflight_slot &slot, std::span<const std::byte> buf)
{
	if (buf.size() < sizeof(fuse_in_header)) {
		spdlog::error("short request of {} bytes ignored", buf.size());
		return;
	}
	const auto &hdr = *reinterpret_cast<const fuse_in_header *>(buf.data());
	s.stats().count_request(hdr.opcode);

	// Arguments end where the extensions start (total_extlen * 8 bytes at
	// the end of the request).
	// A len below the header's own size (never from the kernel) leaves no
	// arguments rather than a negative length.
	size_t len = std::clamp<size_t>(hdr.len, sizeof(hdr), buf.size());
	size_t extlen = size_t(hdr.total_extlen) * 8;
	// The kernel starts the extensions 8-byte aligned; others are ignored.
	if (extlen > len - sizeof(hdr) || (len - extlen) % 8)
		extlen = 0;
	auto body = buf.subspan(sizeof(hdr), len - sizeof(hdr) - extlen);
	auto ext = buf.subspan(len - extlen, extlen);

	if (s.config().debug)
		spdlog::debug("unique: {}, opcode: {} ({}), nodeid: {}, insize: {}, pid: {}",
		              hdr.unique, opname(hdr.opcode), hdr.opcode, hdr.nodeid, hdr.len,
		              hdr.pid);

	request req(s, ch, slot, hdr, body, ext);
	slot.serving.store(hdr.unique);
	try {
		call_handler(find_op(hdr.opcode), req);
	} catch (const std::exception &e) {
		spdlog::error("INTERNAL ERROR: {} (unique {}, nodeid {}) threw: {}",
		              opname(hdr.opcode), hdr.unique, hdr.nodeid, e.what());
	} catch (...) {
		spdlog::error("INTERNAL ERROR: {} (unique {}, nodeid {}) threw", opname(hdr.opcode),
		              hdr.unique, hdr.nodeid);
	}
	if (!req.replied() && !is_no_reply(hdr.opcode)) {
		spdlog::error("INTERNAL ERROR: {} (unique {}, nodeid {}) was not answered; "
		              "replying EIO",
		              opname(hdr.opcode), hdr.unique, hdr.nodeid);
		req.reply_err(EIO);
	}
	slot.serving.store(0);
}

} // namespace fusebpf::daemon
