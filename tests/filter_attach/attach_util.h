// SPDX-License-Identifier: GPL-2.0-or-later
//
// attach_util: small helpers shared by the filter_attach tests: running the
// fusebpf CLI, files in the backing tree, stat results as errno, whether a
// table is pinned.
#pragma once

#include "tests/support/fs.h"
#include "tests/support/process.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace fusebpf::attach_test {

// Runs `fusebpf ARGS...` (the build's CLI).
test::command_result cli(const std::vector<std::string> &args, int timeout_ms = 60000);

// Runs `fusebpf ARGS... --json` and parses stdout; nullopt (with `why`: the
// command, its status and stderr) if it failed or printed no JSON.
std::optional<nlohmann::json> cli_json(std::vector<std::string> args, std::string &why);

void write_file(const std::string &path, const std::string &text);
using test::read_text; // tests/support/fs.h

// 0 if stat(path) succeeds, else its errno.
int stat_errno(const std::string &path);

// Whether a table named `name` is pinned under the default pin root.
bool table_pinned(const std::string &name);

// Names of pinned tables that start with `prefix`.
std::vector<std::string> pinned_tables_starting(const std::string &prefix);

} // namespace fusebpf::attach_test
