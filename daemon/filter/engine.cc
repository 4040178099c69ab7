// SPDX-License-Identifier: GPL-2.0-or-later
//
// engine: the non-template parts (failure accounting, rate-limited logs,
// latency); the state machine itself is in engine.h.
#include "daemon/filter/engine.h"

#include "loader/ops_table.h"

#include <spdlog/spdlog.h>

namespace fusebpf::filter {

namespace {
// Repeats of one failure are logged at most this often.
constexpr std::uint64_t log_interval_ns = 10'000'000'000ull;
} // namespace

void engine::record(pass &p)
{
	if (p.timed)
		return;
	p.timed = true;
	stats_.record_latency(p.opcode, now_ns() - p.start_ns);
}

int engine::fail(const binding &b, std::uint32_t opcode, int slot, failure what, int value,
                 const std::string &detail)
{
	const char *op = filtered_opcode_name(opcode);
	if (!op)
		op = "?";
	switch (what) {
	case failure::run:
		stats_.count_error(opcode, filter_error::run_failure);
		break;
	case failure::invalid:
		stats_.count_error(opcode, filter_error::invalid_verdict);
		break;
	case failure::user_exception:
		stats_.count_error(opcode, filter_error::user_exception);
		break;
	}
	std::uint32_t table_id = b.table() ? b.table()->id() : 0;
	std::uint64_t now = now_ns();
	std::uint64_t suppressed = 0;
	{
		std::lock_guard<std::mutex> lock(log_mutex_);
		log_state &st = logged_[{table_id, slot, static_cast<int>(what)}];
		if (st.last_ns != 0 && now - st.last_ns < log_interval_ns) {
			st.suppressed++;
			return -EIO;
		}
		st.last_ns = now;
		suppressed = st.suppressed;
		st.suppressed = 0;
	}
	std::string more =
	    suppressed ? " (" + std::to_string(suppressed) + " more since the last report)" : "";
	switch (what) {
	case failure::run:
		spdlog::warn("filter: {} {}: {}; the op fails with EIO{}", b.description(), op,
		             detail, more);
		break;
	case failure::invalid:
		spdlog::warn("filter: {} {}: {} returned {}, which is not a valid verdict; the op "
		             "fails with EIO{}",
		             b.description(), op, detail, loader::verdict_name(value), more);
		break;
	case failure::user_exception:
		spdlog::warn("filter: {} {}: the user filter threw: {}; the op fails with EIO{}",
		             b.description(), op, detail, more);
		break;
	}
	return -EIO;
}

} // namespace fusebpf::filter
