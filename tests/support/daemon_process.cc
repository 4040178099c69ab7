// SPDX-License-Identifier: GPL-2.0-or-later
#include "tests/support/daemon_process.h"

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

namespace fusebpf::test {

namespace {

using clock = std::chrono::steady_clock;

// Reaps `pid` if it has exited; returns true and its status then.
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

bool is_fuse_mount(const std::string &path)
{
	mount_entry e;
	return find_mount(path, &e) && e.fstype.starts_with("fuse");
}

} // namespace

daemon_process::daemon_process(std::vector<std::string> argv, std::string mountpoint,
                               std::string log_path)
    : argv_(std::move(argv)), mountpoint_(std::move(mountpoint)), log_path_(std::move(log_path))
{}

daemon_process::~daemon_process()
{
	stop();
}

std::string daemon_process::log() const
{
	std::ifstream in(log_path_);
	std::stringstream ss;
	ss << in.rdbuf();
	return ss.str();
}

bool daemon_process::spawn(std::string &why)
{
	if (pid_ > 0) {
		why = "already started";
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
	return true;
}

bool daemon_process::wait_until(const std::function<bool()> &ready,
                                const std::function<std::string()> &waiting_for, int timeout_ms,
                                std::string &why)
{
	auto deadline = clock::now() + std::chrono::milliseconds(timeout_ms);
	for (;;) {
		if (ready())
			return true;
		int status = 0;
		if (pid_ > 0 && try_reap(pid_, status)) {
			pid_ = -1;
			why = "daemon ended while waiting for " + waiting_for() + ": " +
			      describe_wait_status(status) + "\ncommand: " + shell_join(argv_) +
			      "\ndaemon output:\n" + log();
			return false;
		}
		if (clock::now() >= deadline)
			break;
		std::this_thread::sleep_for(std::chrono::milliseconds(5));
	}
	std::string awaited = waiting_for();
	std::string ended = stop();
	why = "no " + awaited + " after " + std::to_string(timeout_ms) +
	      " ms (daemon then stopped: " + ended + ")\ncommand: " + shell_join(argv_) +
	      "\ndaemon output:\n" + log();
	return false;
}

std::string daemon_process::wait_exit(int timeout_ms)
{
	if (pid_ <= 0)
		return {};
	int status = 0;
	if (!wait_reap(pid_, status, timeout_ms))
		return {};
	pid_ = -1;
	return describe_wait_status(status);
}

std::string daemon_process::stop(int timeout_ms, int grace_ms)
{
	if (is_fuse_mount(mountpoint_))
		::umount2(mountpoint_.c_str(), MNT_DETACH);
	if (pid_ <= 0)
		return {};
	int status = 0;
	std::string how;
	if (!wait_reap(pid_, status, grace_ms)) {
		::kill(pid_, SIGTERM);
		if (!wait_reap(pid_, status, timeout_ms)) {
			::kill(pid_, SIGKILL);
			wait_reap(pid_, status, 60000);
			how = " after SIGKILL";
		}
	}
	pid_ = -1;
	// A daemon killed mid-way may leave its mount behind: be thorough.
	if (is_fuse_mount(mountpoint_))
		::umount2(mountpoint_.c_str(), MNT_DETACH);
	return describe_wait_status(status) + how;
}

} // namespace fusebpf::test
