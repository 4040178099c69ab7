// SPDX-License-Identifier: GPL-2.0-or-later
//
// mounted_fs implementation. The daemon's stderr goes to an unlinked-on-stop
// log file rather than a pipe, so nobody has to drain it while the test runs
// and the whole log is still there for the failure message.
#include "tests/support/mounted_fs.h"

#include "tests/support/mountinfo.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
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

} // namespace

mounted_fs::mounted_fs(std::string backing, std::string mountpoint,
                       std::vector<std::string> extra_args)
    : backing_(std::move(backing)), mountpoint_(std::move(mountpoint)),
      extra_args_(std::move(extra_args))
{}

mounted_fs::~mounted_fs()
{
	stop();
	if (!log_path_.empty() && !std::getenv("FUSEBPF_KEEP_LOGS"))
		::unlink(log_path_.c_str());
}

std::vector<std::string> mounted_fs::command() const
{
	std::vector<std::string> argv{cli_path(), "mount", "-f"};
	argv.insert(argv.end(), extra_args_.begin(), extra_args_.end());
	argv.push_back(backing_);
	argv.push_back(mountpoint_);
	return argv;
}

std::string mounted_fs::repro() const
{
	return "mkdir -p " + shell_join({backing_, mountpoint_}) + " && " + shell_join(command());
}

std::string mounted_fs::daemon_log() const
{
	if (log_path_.empty())
		return {};
	std::ifstream in(log_path_);
	std::stringstream ss;
	ss << in.rdbuf();
	return ss.str();
}

std::string mounted_fs::control_socket_path() const
{
	return "/run/fusebpf/" + std::to_string(connection_) + ".sock";
}

bool mounted_fs::is_mounted() const
{
	mount_entry e;
	return find_mount(mountpoint_, &e) && e.fstype == fusebpf_fstype;
}

bool mounted_fs::start(std::string &why, int timeout_ms)
{
	if (pid_ > 0) {
		why = "already started";
		return false;
	}
	if (log_path_.empty()) {
		std::string pattern = process_prefix() + "daemon-log.XXXXXX";
		std::vector<char> buf(pattern.begin(), pattern.end());
		buf.push_back('\0');
		int fd = ::mkstemp(buf.data());
		if (fd < 0) {
			why = "mkstemp " + pattern + ": " + std::strerror(errno);
			return false;
		}
		::close(fd);
		log_path_ = buf.data();
	}
	int log_fd = ::open(log_path_.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (log_fd < 0) {
		why = "open " + log_path_ + ": " + std::strerror(errno);
		return false;
	}

	auto argv = command();
	std::vector<char *> args;
	for (auto &a : argv)
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
		// If the test process dies (ctest timeout, crash), the daemon gets
		// SIGTERM and unmounts instead of lingering with a live mount.
		::prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (::getppid() != parent)
			::_exit(126);
		int devnull = ::open("/dev/null", O_RDWR);
		if (devnull >= 0) {
			::dup2(devnull, STDIN_FILENO);
			::dup2(devnull, STDOUT_FILENO);
		}
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
	std::string waiting_for = "a fuse.fusebpf mount at " + mountpoint_;
	for (;;) {
		mount_entry e;
		if (connection_ == 0 && find_mount(mountpoint_, &e) && e.fstype == fusebpf_fstype) {
			connection_ = e.dev_minor;
			waiting_for = "the control socket " + control_socket_path();
		}
		if (connection_ != 0 && ::access(control_socket_path().c_str(), F_OK) == 0)
			return true;
		int status = 0;
		if (try_reap(pid_, status)) {
			pid_ = -1;
			why = "daemon ended while waiting for " + waiting_for + ": " +
			      describe_wait_status(status) + "\ncommand: " + shell_join(argv) +
			      "\ndaemon stderr:\n" + daemon_log();
			return false;
		}
		if (clock::now() >= deadline)
			break;
		std::this_thread::sleep_for(std::chrono::milliseconds(5));
	}
	std::string ended = stop();
	why = "no " + waiting_for + " after " + std::to_string(timeout_ms) +
	      " ms (daemon then stopped: " + ended + ")\ncommand: " + shell_join(argv) +
	      "\ndaemon stderr:\n" + daemon_log();
	return false;
}

std::string mounted_fs::wait_exit(int timeout_ms)
{
	if (pid_ <= 0)
		return {};
	int status = 0;
	if (!wait_reap(pid_, status, timeout_ms))
		return {};
	pid_ = -1;
	connection_ = 0;
	return describe_wait_status(status);
}

std::string mounted_fs::stop(int timeout_ms)
{
	// Detach first: that never blocks on a hung daemon, and the daemon sees
	// the connection go away even if it ignores SIGTERM.
	if (is_mounted())
		::umount2(mountpoint_.c_str(), MNT_DETACH);
	if (pid_ <= 0)
		return {};
	int status = 0;
	std::string how;
	if (!try_reap(pid_, status)) {
		::kill(pid_, SIGTERM);
		if (!wait_reap(pid_, status, timeout_ms)) {
			::kill(pid_, SIGKILL);
			wait_reap(pid_, status, 60000);
			how = " after SIGKILL";
		}
	}
	pid_ = -1;
	connection_ = 0;
	// A daemon killed mid-way may leave the mount behind (it cannot have
	// been re-mounted, but be thorough).
	if (is_mounted())
		::umount2(mountpoint_.c_str(), MNT_DETACH);
	return describe_wait_status(status) + how;
}

} // namespace fusebpf::test
