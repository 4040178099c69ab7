// SPDX-License-Identifier: GPL-2.0-or-later
//
// connection: what the transport layer keeps for one FUSE connection,
// shared by every worker and ring: the per-opcode counters, the interrupt
// registry, and whether requests are logged (--debug). The session
// (session.h) owns one; dispatch() and request use it, never the session.
#pragma once

#include "daemon/fuse/interrupts.h"
#include "daemon/fuse/op_stats.h"

namespace fusebpf::daemon {

struct fuse_connection {
	explicit fuse_connection(bool log_requests) : debug(log_requests) {}
	fuse_connection(const fuse_connection &) = delete;
	fuse_connection &operator=(const fuse_connection &) = delete;

	op_stats stats;
	interrupt_registry interrupts;
	const bool debug; // log every request and reply
};

} // namespace fusebpf::daemon
