// SPDX-License-Identifier: GPL-2.0-or-later
//
// The "stats" report of a running mount, as one JSON object (contracts.md):
// mountpoint, backing, pid, passthrough, and "ops" with {requests, errors}
// under the name of every opcode the daemon knows (zeros included), plus
// extra fields readers may ignore (passthrough_fallbacks, nodes, ...).
#pragma once

#include <nlohmann/json.hpp>

namespace fusebpf::daemon {

class session;

nlohmann::json stats_report(const session &s);

} // namespace fusebpf::daemon
