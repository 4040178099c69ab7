// SPDX-License-Identifier: GPL-2.0-or-later
//
// process: run a program (usually the `fusebpf` CLI) to completion and collect
// its exit status, stdout and stderr; render wait statuses and command lines
// for failure messages and repro hints.
//
// Differs from mounted_fs, which keeps a long-running daemon alive; this is for
// commands that finish (`fusebpf stats`, `fusebpf umount`, `fusebpf mount`
// without -f). Limits: no stdin; output is kept in memory.
#pragma once

#include <string>
#include <vector>

namespace fusebpf::test {

// Path of the fusebpf CLI under test: $FUSEBPF_CLI if set, else the build's
// (found from the running executable in fusebpf_selftest_support).
std::string cli_path();

struct command_result {
	int status = -1;   // raw wait status (waitpid); -1 if it could not run
	std::string out;   // everything written to stdout
	std::string err;   // everything written to stderr
	std::string error; // why it could not run (fork/exec/pipe), else empty

	bool exited_ok() const;       // exited normally with status 0
	int exit_code() const;        // exit status, or -1 if killed / not run
	std::string describe() const; // "exit 2", "killed by signal 9", "not run: ..."
};

// Runs argv[0] (looked up in PATH if it has no '/'). Kills it with SIGKILL if
// it runs longer than timeout_ms and says so in `error`.
command_result run_command(const std::vector<std::string> &argv, int timeout_ms = 30000);

// "exit 3", "killed by signal 15 (Terminated)".
std::string describe_wait_status(int status);

// A shell-safe rendering of argv, for "repro:" lines.
std::string shell_join(const std::vector<std::string> &argv);

} // namespace fusebpf::test
