// SPDX-License-Identifier: GPL-2.0-or-later
//
// dispatch(): parse, count, log, switch to the caller's credentials, call
// the op's handler (from the ops layer's table, ops/op_table.cc), enforce
// one reply.
#include "daemon/fuse/dispatch.h"

#include "daemon/fuse/caller_creds.h"
#include "daemon/fuse/request.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <exception>

namespace fusebpf::daemon {
namespace {

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
		req.reply_err(-ENOSYS);
		return;
	}
	if (runs_as_daemon(req.opcode())) {
		op->handler(req);
		return;
	}
	caller_creds creds(req);
	if (creds.error()) {
		req.reply_err(-creds.error());
		return;
	}
	op->handler(req);
}

} // namespace

const char *opname(uint32_t opcode)
{
	const op_entry *op = find_op(opcode);
	return op ? op->name : "UNKNOWN";
}

void dispatch(fuse_connection &conn, session &s, channel &ch, inflight_slot &slot,
              std::span<const std::byte> buf)
{
	if (buf.size() < sizeof(fuse_in_header)) {
		spdlog::error("short request of {} bytes ignored", buf.size());
		return;
	}
	const auto &hdr = *reinterpret_cast<const fuse_in_header *>(buf.data());
	conn.stats.count_request(hdr.opcode);

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

	if (conn.debug)
		spdlog::debug("unique: {}, opcode: {} ({}), nodeid: {}, insize: {}, pid: {}",
		              hdr.unique, opname(hdr.opcode), hdr.opcode, hdr.nodeid, hdr.len,
		              hdr.pid);

	request req(conn, s, ch, slot, hdr, body, ext);
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
		req.reply_err(-EIO);
	}
	slot.serving.store(0);
}

} // namespace fusebpf::daemon
