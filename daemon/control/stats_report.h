// SPDX-License-Identifier: GPL-2.0-or-later
//
// The "stats" report of a running mount, as one JSON object (contracts.md):
// mountpoint, backing, pid, passthrough, transport ("uring" or "dev", the
// --transport names) with transport_detail (e.g. "io_uring (2 queues x 8
// entries)"; the daemon adds uring_requests, those the rings carried), and
// "ops" with {requests, errors}
// under the name of every opcode the daemon knows (zeros included), plus
// extra fields readers may ignore (passthrough_fallbacks, nodes, ...).
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace fusebpf::daemon {

class session;

// transport: the one running; detail: how the daemon's log names it.
nlohmann::json stats_report(const session &s, const std::string &transport,
                            const std::string &detail);

} // namespace fusebpf::daemon
