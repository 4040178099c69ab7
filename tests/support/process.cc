// SPDX-License-Identifier: GPL-2.0-or-later
//
// process implementation: fork/execvp with stdout and stderr on pipes,
// drained with poll() so a chatty child cannot block on a full pipe.
#include "tests/support/process.h"

#include "common/unique_fd.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fusebpf::test {

// FUSEBPF_CLI is the build's CLI, compiled into the tests that only run from
// the build tree. The selftest suite, which also installs, is built without
// it (fusebpf_selftest_support) and finds the CLI from its own location: the
// build tree's cli/fusebpf next to selftests/, or an install's bin/fusebpf
// two levels above libexec/fusebpf/.
std::string cli_path()
{
	const char *env = std::getenv("FUSEBPF_CLI");
	if (env && *env)
		return env;
#ifdef FUSEBPF_CLI
	return FUSEBPF_CLI;
#else
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return "fusebpf";
	std::string dir(self, static_cast<std::size_t>(n));
	dir.resize(dir.rfind('/') + 1);
	for (const char *rel : {"../cli/fusebpf", "../../bin/fusebpf"})
		if (access((dir + rel).c_str(), X_OK) == 0)
			return dir + rel;
	return "fusebpf";
#endif
}

bool command_result::exited_ok() const
{
	return status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int command_result::exit_code() const
{
	return status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string command_result::describe() const
{
	if (status < 0)
		return "not run: " + error;
	std::string s = describe_wait_status(status);
	if (!error.empty())
		s += " (" + error + ")";
	return s;
}

std::string describe_wait_status(int status)
{
	if (WIFEXITED(status))
		return "exit " + std::to_string(WEXITSTATUS(status));
	if (WIFSIGNALED(status))
		return "killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
		       strsignal(WTERMSIG(status)) + ")";
	return "wait status " + std::to_string(status);
}

std::string shell_join(const std::vector<std::string> &argv)
{
	std::string line;
	for (auto &a : argv) {
		if (!line.empty())
			line += ' ';
		bool plain =
		    !a.empty() && a.find_first_not_of("abcdefghijklmnopqrstuvwxyz"
		                                      "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		                                      "0123456789-_./=,:+@%") == std::string::npos;
		if (plain) {
			line += a;
			continue;
		}
		line += '\'';
		for (char c : a)
			line += c == '\'' ? std::string("'\\''") : std::string(1, c);
		line += '\'';
	}
	return line;
}

command_result run_command(const std::vector<std::string> &argv, int timeout_ms)
{
	command_result r;
	int out_pipe[2], err_pipe[2];
	if (argv.empty()) {
		r.error = "empty command";
		return r;
	}
	if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
		r.error = std::string("pipe: ") + std::strerror(errno);
		return r;
	}
	unique_fd out_r(out_pipe[0]), out_w(out_pipe[1]);
	if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
		r.error = std::string("pipe: ") + std::strerror(errno);
		return r;
	}
	unique_fd err_r(err_pipe[0]), err_w(err_pipe[1]);

	std::vector<char *> args;
	for (auto &a : argv)
		args.push_back(const_cast<char *>(a.c_str()));
	args.push_back(nullptr);

	pid_t pid = ::fork();
	if (pid < 0) {
		r.error = std::string("fork: ") + std::strerror(errno);
		return r;
	}
	if (pid == 0) {
		int devnull = ::open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			::dup2(devnull, STDIN_FILENO);
		::dup2(out_w.get(), STDOUT_FILENO);
		::dup2(err_w.get(), STDERR_FILENO);
		::execvp(args[0], args.data());
		std::string msg =
		    std::string("exec ") + args[0] + ": " + std::strerror(errno) + "\n";
		(void)!::write(STDERR_FILENO, msg.data(), msg.size());
		::_exit(127);
	}
	out_w.reset();
	err_w.reset();

	// Poll in short slices and watch the child itself: a background daemon it
	// forked may inherit the pipes and keep them open long after it exits.
	auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
	bool out_open = true, err_open = true, reaped = false;
	int status = 0;
	while (out_open || err_open) {
		pollfd fds[2] = {{out_open ? out_r.get() : -1, POLLIN, 0},
		                 {err_open ? err_r.get() : -1, POLLIN, 0}};
		int n = ::poll(fds, 2, reaped ? 0 : 50);
		if (n < 0 && errno != EINTR)
			break;
		char buf[4096];
		for (int i = 0; n > 0 && i < 2; i++) {
			if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
			if (got > 0)
				(i == 0 ? r.out : r.err).append(buf, static_cast<size_t>(got));
			else if (got == 0 || errno != EINTR)
				(i == 0 ? out_open : err_open) = false;
		}
		if (reaped && n <= 0)
			break; // child gone and nothing more buffered
		if (!reaped && ::waitpid(pid, &status, WNOHANG) == pid)
			reaped = true;
		if (!reaped && std::chrono::steady_clock::now() > deadline) {
			::kill(pid, SIGKILL);
			r.error = "timed out after " + std::to_string(timeout_ms) + " ms, killed";
			deadline = std::chrono::steady_clock::time_point::max();
		}
	}
	// Both pipes closed but the child still runs: wait, still bounded.
	while (!reaped) {
		pid_t w = ::waitpid(pid, &status, WNOHANG);
		if (w == pid || (w < 0 && errno != EINTR))
			break;
		if (std::chrono::steady_clock::now() > deadline) {
			::kill(pid, SIGKILL);
			r.error = "timed out after " + std::to_string(timeout_ms) + " ms, killed";
			deadline = std::chrono::steady_clock::time_point::max();
		}
		::usleep(10000);
	}
	r.status = status;
	return r;
}

} // namespace fusebpf::test
