// SPDX-License-Identifier: GPL-2.0-or-later
//
// peer_mount: the comparison daemon (libfuse's passthrough_ll, see
// bench/peers/) mounted for one benchmark configuration. It is spawned the
// same careful way tests/support's mounted_fs spawns `fusebpf mount -f`:
// foreground (-f), fork/exec with the pid kept, stderr to a log file,
// PR_SET_PDEATHSIG(SIGTERM), a wait until the mount shows up in
// /proc/self/mountinfo (failing with the daemon's stderr), and on stop()
// (also from the destructor, so errors and Ctrl-C clean up too): unmount,
// SIGTERM, a bounded wait, SIGKILL, reap.
//
// Differs from mounted_fs in what it runs and recognises: any FUSE daemon
// whose mount type starts with "fuse", not only fuse.fusebpf. The daemon gets
// its own process group, so a Ctrl-C at the terminal reaches only the
// benchmark, which then unmounts in order.
//
// Limits: root only (passthrough_ll mounts with mount(2) as root).
#pragma once

#include <string>
#include <sys/types.h>
#include <vector>

namespace fusebpf::bench {

class peer_mount {
public:
	// `argv` is the whole command line, mountpoint included; `log_path` gets
	// the daemon's stdout and stderr.
	peer_mount(std::vector<std::string> argv, std::string mountpoint, std::string log_path);
	peer_mount(const peer_mount &) = delete;
	peer_mount &operator=(const peer_mount &) = delete;
	~peer_mount();

	// Spawns the daemon and waits for its mount; false with `why` (including
	// the daemon's output) on failure, the daemon then already stopped.
	bool start(std::string &why, int timeout_ms = 15000);

	// Unmounts, stops and reaps the daemon; says how it ended ("exit 0",
	// "... after SIGKILL"), "" if it was not running. Idempotent.
	std::string stop(int timeout_ms = 5000);

	bool is_mounted() const;
	std::string daemon_log() const;
	const std::vector<std::string> &command() const { return argv_; }

private:
	std::vector<std::string> argv_;
	std::string mountpoint_;
	std::string log_path_;
	pid_t pid_ = -1;
};

} // namespace fusebpf::bench
