// SPDX-License-Identifier: GPL-2.0-or-later
//
// report: turns a bench_result into the human table (rows = workloads,
// columns = configurations, each cell "median (ratio to native)") and into the
// JSON copy (--json), both from the same result, so they cannot disagree.
#pragma once

#include "bench/daemon/runner.h"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace fusebpf::bench {

void print_report(const bench_result &result, std::FILE *out);

nlohmann::json to_json(const bench_result &result);

} // namespace fusebpf::bench
