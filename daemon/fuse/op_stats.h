// SPDX-License-Identifier: GPL-2.0-or-later
//
// Per-opcode counters: requests received and replies with an error.
//
// Lock-free (one relaxed atomic add per request, one more per error) so the
// hot path pays nothing measurable; readers (the control server's "stats")
// see each counter exactly, the set of them without a snapshot guarantee.
// The dispatcher counts requests; request::reply_* counts errors, so a
// handler never touches these.
#pragma once

#include <fusebpf/fuse_wire.h>

#include <array>
#include <atomic>
#include <cstdint>

namespace fusebpf::daemon {

class op_stats {
public:
	void count_request(uint32_t opcode)
	{
		if (opcode < FUSE_OPCODE_MAX)
			requests_[opcode].fetch_add(1, std::memory_order_relaxed);
		else
			unknown_.fetch_add(1, std::memory_order_relaxed);
	}
	void count_error(uint32_t opcode)
	{
		if (opcode < FUSE_OPCODE_MAX)
			errors_[opcode].fetch_add(1, std::memory_order_relaxed);
	}

	uint64_t requests(uint32_t opcode) const
	{
		return opcode < FUSE_OPCODE_MAX ? requests_[opcode].load(std::memory_order_relaxed)
		                                : 0;
	}
	uint64_t errors(uint32_t opcode) const
	{
		return opcode < FUSE_OPCODE_MAX ? errors_[opcode].load(std::memory_order_relaxed)
		                                : 0;
	}
	uint64_t unknown_requests() const { return unknown_.load(std::memory_order_relaxed); }

private:
	std::array<std::atomic<uint64_t>, FUSE_OPCODE_MAX> requests_{};
	std::array<std::atomic<uint64_t>, FUSE_OPCODE_MAX> errors_{};
	std::atomic<uint64_t> unknown_{0};
};

} // namespace fusebpf::daemon
