// SPDX-License-Identifier: GPL-2.0-or-later
//
// mounted_fs: one fusebpf mount for the length of a test. start() spawns
// `fusebpf mount -f [args] BACKING MOUNTPOINT` as a child (fork/exec, pid
// kept, output to a private log file; see daemon_process.h) and waits until
// MOUNTPOINT shows up in
// /proc/self/mountinfo as a fuse.fusebpf mount and the daemon is ready: its
// control socket /run/fusebpf/<connection>.sock exists, which the daemon
// creates only after the kernel's INIT is answered (so `fusebpf stats` works
// at once; the readiness check never touches the mount itself, so a hung
// daemon cannot hang the caller). stop() (also run by the
// destructor, so a failed ASSERT still cleans up) unmounts with
// umount2(MNT_DETACH), SIGTERMs the daemon, waits with a timeout, then
// SIGKILLs it. The daemon also gets PR_SET_PDEATHSIG(SIGTERM), so a test
// process killed by a ctest timeout takes its daemons down with it.
// daemon_process does the spawning and stopping; this class adds what is
// fusebpf's: the command line, the mount type and the control socket.
//
// Differs from run_command() (tests/support/process.h), which runs commands
// that finish. Usable from GoogleTest tests and from benchmarks alike: nothing
// here depends on gtest, nothing throws or exits; errors come back as strings.
//
// Limits: must run as root (the daemon needs CAP_SYS_ADMIN); the spawning
// thread must outlive the mount (PDEATHSIG is per thread).
//
// Example:
//	fusebpf::test::temp_dir dir("ops");
//	auto backing = dir.subdir("backing"), mnt = dir.subdir("mnt");
//	fusebpf::test::mounted_fs fs(backing, mnt, {"-o", "allow_other"});
//	std::string why;
//	ASSERT_TRUE(fs.start(why)) << why;
//	... use fs.mountpoint() ...
//	EXPECT_EQ(fs.stop(), "exit 0") << fs.daemon_log();
#pragma once

#include "tests/support/daemon_process.h"

#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace fusebpf::test {

// The transport every test mount asks for: $FUSEBPF_TEST_TRANSPORT ("dev",
// "uring" or "auto", passed as `--transport`), or "" when unset (the
// daemon's default). ctest runs the daemon suites once without it and once
// with "uring" (label uring).
std::string test_transport();

// "" when test_transport() can run here. For "uring" it turns FUSE over
// io_uring on first if the kernel has it off (writes Y to
// /sys/module/fuse/parameters/enable_uring, as scripts/test.sh does), and
// names why it cannot when the kernel lacks it; fixtures then skip.
std::string test_transport_unavailable();

class mounted_fs {
public:
	// `extra_args` go between "mount -f" and the two paths, e.g.
	// {"-o", "allow_other,default_permissions", "--no-passthrough"}.
	// `--transport test_transport()` comes first when that is set and
	// extra_args name no transport themselves.
	mounted_fs(std::string backing, std::string mountpoint,
	           std::vector<std::string> extra_args = {});
	mounted_fs(const mounted_fs &) = delete;
	mounted_fs &operator=(const mounted_fs &) = delete;
	~mounted_fs();

	// Runs another fusebpf CLI than cli_path() (a previous build, for a
	// before/after benchmark). Before start().
	void use_cli(std::string path) { cli_ = std::move(path); }

	// Spawns the daemon and waits up to timeout_ms for the mount and the
	// control socket. On failure
	// returns false with `why` holding the reason and the daemon's output; the
	// daemon (if it still runs) has then already been stopped.
	bool start(std::string &why, int timeout_ms = 15000);

	// Unmounts, stops the daemon and reaps it. Returns how it ended
	// ("exit 0", "killed by signal 9 (Killed)", ...) with " after SIGKILL"
	// appended when SIGTERM was not enough; "" if it was not running.
	// Idempotent.
	std::string stop(int timeout_ms = 5000);

	// Waits (without signalling) for the daemon to exit by itself, e.g.
	// after an external umount or a signal the test sent. Returns how it
	// ended as stop() does, or "" if it is still running after timeout_ms.
	std::string wait_exit(int timeout_ms);

	// True while MOUNTPOINT is a fuse.fusebpf mount.
	bool is_mounted() const;

	// The FUSE connection number (minor of the mount's st_dev), 0 if unknown.
	unsigned connection() const { return connection_; }

	// /run/fusebpf/<connection>.sock (contracts.md: the control channel).
	std::string control_socket_path() const;

	// The daemon's pid (-1 when not running).
	pid_t pid() const { return proc_ ? proc_->pid() : -1; }

	const std::string &backing() const { return backing_; }
	const std::string &mountpoint() const { return mountpoint_; }

	// Everything the daemon wrote (stdout and stderr) so far.
	std::string daemon_log() const;

	// The full command line, for "repro:" messages.
	std::vector<std::string> command() const;
	std::string repro() const;

private:
	std::string cli_; // empty: cli_path()
	std::string backing_;
	std::string mountpoint_;
	std::vector<std::string> extra_args_;
	std::string log_path_;
	std::optional<daemon_process> proc_;
	unsigned connection_ = 0;
};

} // namespace fusebpf::test
