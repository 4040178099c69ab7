// SPDX-License-Identifier: GPL-2.0-or-later
//
// The opcode-indexed dispatch table and the one place a request is handled.
//
// The ops layer provides the table {handler, "NAME"} for every opcode
// fuse_wire.h knows (find_op(), ops/op_table.cc; libfuse's naming, which
// `fusebpf stats` shows); opcodes without a handler are answered ENOSYS. dispatch() parses the raw
// bytes a worker received, counts, logs, switches credentials, calls the handler and enforces
// "exactly one reply" (request.h).
#pragma once

#include "daemon/fuse/channel.h"
#include "daemon/fuse/connection.h"
#include "daemon/fuse/interrupts.h"

#include <cstddef>
#include <cstdint>
#include <span>

namespace fusebpf::daemon {

class request;
class session;

using op_handler = void (*)(request &req);

struct op_entry {
	op_handler handler; // nullptr: answered ENOSYS
	const char *name;   // "LOOKUP"; nullptr for holes in the opcode space
};

// The table entry for an opcode, or nullptr outside the table or in a hole
// (defined by the ops layer, ops/op_table.cc).
const op_entry *find_op(uint32_t opcode);

// "LOOKUP", ..., or "UNKNOWN".
const char *opname(uint32_t opcode);

// Handles one request received into buf (which must stay valid and 8-byte
// aligned during the call). Never throws.
// conn: the connection's counters, interrupts and logging; s: the session
// the handlers get (request::sess()).
void dispatch(fuse_connection &conn, session &s, channel &ch, inflight_slot &slot,
              std::span<const std::byte> buf);

} // namespace fusebpf::daemon
