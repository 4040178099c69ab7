// SPDX-License-Identifier: GPL-2.0-or-later
//
// stats: the daemon's per-op counters, read the way a user reads them, by
// running `fusebpf stats MOUNTPOINT --json` (README.md, "The daemon").
// The JSON object is returned as is; unknown fields are the caller's to ignore.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace fusebpf::test {

// Runs the CLI and parses its stdout. On failure returns nullopt and `why`
// holds the exit status, stderr and (if any) the unparsable output.
std::optional<nlohmann::json> read_stats(const std::string &mountpoint, std::string &why);

// stats["ops"][op][field] as a number, or nullopt if absent or not a number.
// `field` is "requests" or "errors".
std::optional<uint64_t> op_counter(const nlohmann::json &stats, const std::string &op,
                                   const std::string &field = "requests");

} // namespace fusebpf::test
