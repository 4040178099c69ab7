// SPDX-License-Identifier: GPL-2.0-or-later
//
// peer_mount: see peer_mount.h.
#include "bench/daemon/peer_mount.h"

#include "tests/support/mountinfo.h"
#include "tests/support/process.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace fusebpf::bench {

namespace {

using clock = std::chrono::steady_clock;

bool try_reap(pid_t pid, int &status)
{
	pid_t w;
	do {
		w = ::waitpid(pid, &status, WNOHANG);
	} while (w < 0 && errno == EINTR);
	return w == pid;
}

bool wait_reap(pid_t pid, int &status, int timeout_ms)
{
	auto deadline = clock::now() + std::chrono::milliseconds(timeout_ms);
	while (!try_reap(pid, status)) {
		if (clock::now() >= deadline)
			return false;
		std::this_thread::sleep_for(std::chrono::milliseconds(5));
	}
	return true;
}

} // namespace

peer_mount::peer_mount(std::vector<std::string> argv, std::string mountpoint, std::string log_path)
    : argv_(std::move(argv)), mountpoint_(std::move(mountpoint)), log_path_(std::move(log_path))
{}

peer_mount::~peer_mount()
{
	stop();
}

bool peer_mount::is_mounted() const
{
	test::mount_entry e;
	return test::find_mount(mountpoint_, &e) && e.fstype.starts_with("fuse");
}

std::string peer_mount::daemon_log() const
{
	std::ifstream in(log_path_);
	std::stringstream ss;
	ss << in.rdbuf();
	return ss.str();
}

bool peer_mount::start(std::string &why, int timeout_ms)
{
	if (pid_ > 0) {
		why = "already started";
		return false;
	}
	if (is_mounted()) {
		why = mountpoint_ + " is already a FUSE mount";
		return false;
	}
	int log_fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (log_fd < 0) {
		why = "open " + log_path_ + ": " + std::strerror(errno);
		return false;
	}
	std::vector<char *> args;
	for (auto &a : argv_)
		args.push_back(const_cast<char *>(a.c_str()));
	args.push_back(nullptr);
	pid_t parent = ::getpid();

	pid_t pid = ::fork();
	if (pid < 0) {
		why = std::string("fork: ") + std::strerror(errno);
		::close(log_fd);
		return false;
	}
	if (pid == 0) {
		// Own process group: the terminal's Ctrl-C goes to the benchmark,
		// which unmounts in order. PDEATHSIG: if the benchmark is killed
		// outright, the daemon unmounts itself on SIGTERM.
		::setpgid(0, 0);
		::prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (::getppid() != parent)
			::_exit(126);
		int devnull = ::open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			::dup2(devnull, STDIN_FILENO);
		::dup2(log_fd, STDOUT_FILENO);
		::dup2(log_fd, STDERR_FILENO);
		::execv(args[0], args.data());
		std::string msg =
		    std::string("exec ") + args[0] + ": " + std::strerror(errno) + "\n";
		(void)!::write(STDERR_FILENO, msg.data(), msg.size());
		::_exit(127);
	}
	::close(log_fd);
	pid_ = pid;

	auto deadline = clock::now() + std::chrono::milliseconds(timeout_ms);
	for (;;) {
		if (is_mounted())
			return true;
		int status = 0;
		if (try_reap(pid_, status)) {
			pid_ = -1;
			why = "daemon ended before the mount appeared: " +
			      test::describe_wait_status(status) +
			      "\ncommand: " + test::shell_join(argv_) + "\ndaemon output:\n" +
			      daemon_log();
			return false;
		}
		if (clock::now() >= deadline)
			break;
		std::this_thread::sleep_for(std::chrono::milliseconds(5));
	}
	std::string ended = stop();
	why = "no FUSE mount at " + mountpoint_ + " after " + std::to_string(timeout_ms) +
	      " ms (daemon then stopped: " + ended + ")\ncommand: " + test::shell_join(argv_) +
	      "\ndaemon output:\n" + daemon_log();
	return false;
}

std::string peer_mount::stop(int timeout_ms)
{
	// A plain unmount first, so the daemon sees its session end and exits by
	// itself; MNT_DETACH if something still holds the mount busy.
	if (is_mounted() && ::umount2(mountpoint_.c_str(), 0) != 0)
		::umount2(mountpoint_.c_str(), MNT_DETACH);
	if (pid_ <= 0)
		return {};
	int status = 0;
	std::string how;
	if (!wait_reap(pid_, status, 1000)) {
		::kill(pid_, SIGTERM);
		if (!wait_reap(pid_, status, timeout_ms)) {
			::kill(pid_, SIGKILL);
			wait_reap(pid_, status, 60000);
			how = " after SIGKILL";
		}
	}
	pid_ = -1;
	if (is_mounted())
		::umount2(mountpoint_.c_str(), MNT_DETACH);
	return test::describe_wait_status(status) + how;
}

} // namespace fusebpf::bench
