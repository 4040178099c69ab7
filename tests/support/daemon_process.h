// SPDX-License-Identifier: GPL-2.0-or-later
//
// daemon_process: a FUSE daemon run in the foreground for the length of a
// test or a benchmark, and always taken down again. spawn() forks and execs
// the daemon's command line with the pid kept, stdin from /dev/null, stdout
// and stderr into a log file (no pipe anyone must drain; the whole log is
// there for failure messages), its own process group (a terminal Ctrl-C
// reaches only the caller, which unmounts in order) and
// PR_SET_PDEATHSIG(SIGTERM) (a caller killed outright, e.g. by a ctest
// timeout, still takes its daemon down). wait_until() polls a readiness
// check and notices the daemon dying meanwhile. stop() (also run by the
// destructor, so a failed ASSERT cleans up too) detaches the mount, gives
// the daemon a grace period to end by itself, then SIGTERM, a bounded wait,
// SIGKILL, and reaps it.
//
// Used by mounted_fs (fusebpf's own daemon) and by the benchmark's peer
// (libfuse's passthrough_ll): anything FUSE-mounted in the foreground.
//
// Limits: root only (the daemons mount); the spawning thread must outlive
// the daemon (PDEATHSIG is per thread). Nothing throws or exits.
#pragma once

#include <functional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace fusebpf::test {

class daemon_process {
public:
	// argv: the whole command line; mountpoint: what stop() unmounts;
	// log_path: created (truncated) by spawn().
	daemon_process(std::vector<std::string> argv, std::string mountpoint, std::string log_path);
	daemon_process(const daemon_process &) = delete;
	daemon_process &operator=(const daemon_process &) = delete;
	~daemon_process();

	// Starts the daemon. False with `why` if it could not be started.
	bool spawn(std::string &why);

	// Polls `ready` (every 5 ms) until it is true: then true. If the daemon
	// ends first, or timeout_ms pass, stops it and returns false with `why`
	// naming what was awaited (`waiting_for()`), the command and the log.
	bool wait_until(const std::function<bool()> &ready,
	                const std::function<std::string()> &waiting_for, int timeout_ms,
	                std::string &why);

	// Detaches the mount (never blocks on a hung daemon), waits up to
	// grace_ms for the daemon to end by itself, then SIGTERM, timeout_ms,
	// SIGKILL. Returns how it ended ("exit 0", "killed by signal 9 (Killed)")
	// with " after SIGKILL" when SIGTERM was not enough; "" if it was not
	// running. Idempotent.
	std::string stop(int timeout_ms = 5000, int grace_ms = 0);

	// Waits without signalling for the daemon to end by itself. How it
	// ended, or "" if it still runs after timeout_ms.
	std::string wait_exit(int timeout_ms);

	pid_t pid() const { return pid_; }
	const std::vector<std::string> &command() const { return argv_; }
	const std::string &log_path() const { return log_path_; }
	// Everything the daemon wrote so far.
	std::string log() const;

private:
	std::vector<std::string> argv_;
	std::string mountpoint_;
	std::string log_path_;
	pid_t pid_ = -1;
};

} // namespace fusebpf::test
