// SPDX-License-Identifier: GPL-2.0-or-later
//
// stats_report(): the session's counters as the JSON the CLI prints.
#include "daemon/control/stats_report.h"

#include "daemon/fuse/dispatch.h"
#include "daemon/session.h"

#include <unistd.h>

namespace fusebpf::daemon {

nlohmann::json stats_report(const session &s, const std::string &transport,
                            const std::string &detail)
{
	nlohmann::json ops = nlohmann::json::object();
	for (uint32_t op = 0; op < FUSE_OPCODE_MAX; op++) {
		const op_entry *e = find_op(op);
		if (!e)
			continue;
		ops[e->name] = {{"requests", s.stats().requests(op)},
		                {"errors", s.stats().errors(op)}};
	}
	s.filter_stats().merge_into(ops); // verdicts, fallbacks, latency of filtered ops
	return {
	    {"mountpoint", s.config().mountpoint},
	    {"backing", s.config().backing_dir},
	    {"pid", static_cast<long>(getpid())},
	    {"passthrough", s.passthrough_enabled()},
	    {"transport", transport},
	    {"transport_detail", detail},
	    {"protocol_minor", s.conn().minor},
	    {"passthrough_fallbacks", s.passthrough_fallbacks()},
	    {"unknown_requests", s.stats().unknown_requests()},
	    {"ops", ops},
	};
}

} // namespace fusebpf::daemon
