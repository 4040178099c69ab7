// SPDX-License-Identifier: GPL-2.0-or-later
//
// How the `fusebpf` CLI is put together: every group of subcommands lives in
// its own cmd_<group>.cc and registers itself in main.cc through one
// add_<group>_commands() call. A subcommand parses into its own options
// struct and, when it was the one given, main() calls its `run`, whose return
// value is the exit status (0 ok, 1 failure, 2 usage error).
//
// Help text conventions (man-page quality, opensnoop-style): the first line
// of a subcommand's description is its one-line summary (the top-level
// --help lists only that line), then a blank line and the details; the
// footer holds EXAMPLES.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

namespace fusebpf::cli {

struct command {
	CLI::App *app;
	std::function<int()> run;
};

using command_list = std::vector<command>;

// Exit statuses shared by all subcommands.
inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;
inline constexpr int exit_usage = 2;

void add_mount_commands(CLI::App &root, command_list &commands);    // cmd_mount.cc
void add_loader_commands(CLI::App &root, command_list &commands);   // cmd_loader.cc
void add_attach_commands(CLI::App &root, command_list &commands);   // cmd_attach.cc
void add_new_commands(CLI::App &root, command_list &commands);      // cmd_new.cc
void add_selftest_commands(CLI::App &root, command_list &commands); // cmd_selftest.cc
void add_map_commands(CLI::App &root, command_list &commands);      // cmd_map.cc
void add_trace_commands(CLI::App &root, command_list &commands);    // cmd_trace.cc

// mount.fuse.fusebpf (mount_helper.cc): whether argv[0] names the mount
// helper; its argv turned into `fusebpf mount ...` in `out` (returns -1), or
// an exit status to end with (usage error, --help, -f).
bool is_mount_helper(const char *argv0);
int mount_helper_args(int argc, char **argv, std::vector<std::string> &out);
// The -o spellings of the `fusebpf mount` options, for help texts.
const char *mount_helper_help();

} // namespace fusebpf::cli
