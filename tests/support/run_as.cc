// SPDX-License-Identifier: GPL-2.0-or-later
//
// run_as implementation: the child writes a status byte, then the payload, to
// a pipe and _exit()s; the parent reads until EOF and reaps it.
#include "tests/support/run_as.h"

#include "common/unique_fd.h"

#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/process.h"

namespace fusebpf::test {

namespace {

void write_all(int fd, const std::string &data)
{
	size_t off = 0;
	while (off < data.size()) {
		ssize_t n = ::write(fd, data.data() + off, data.size() - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		off += static_cast<size_t>(n);
	}
}

[[noreturn]] void child(const credentials &who, const std::function<std::string()> &fn, int fd)
{
	::prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (::setgroups(0, nullptr) != 0 || ::setresgid(who.gid, who.gid, who.gid) != 0 ||
	    ::setresuid(who.uid, who.uid, who.uid) != 0) {
		write_all(fd, std::string("E") + "dropping to uid " + std::to_string(who.uid) +
		                  " gid " + std::to_string(who.gid) + ": " + std::strerror(errno));
		::_exit(1);
	}
	std::string payload;
	try {
		payload = "R" + fn();
	} catch (const std::exception &e) {
		payload = std::string("Eexception in child: ") + e.what();
	} catch (...) {
		payload = "Eunknown exception in child";
	}
	write_all(fd, payload);
	::_exit(0);
}

} // namespace

std::string describe(const sys_result &r)
{
	if (r.ret >= 0)
		return std::to_string(r.ret);
	const char *name = strerrorname_np(r.err);
	return std::to_string(r.ret) + " " + (name ? name : std::to_string(r.err)) + " (" +
	       std::strerror(r.err) + ")";
}

std::optional<std::string> run_as(const credentials &who, const std::function<std::string()> &fn,
                                  std::string &why, int timeout_ms)
{
	int p[2];
	if (::pipe2(p, O_CLOEXEC) != 0) {
		why = std::string("pipe: ") + std::strerror(errno);
		return std::nullopt;
	}
	unique_fd rd(p[0]), wr(p[1]);
	pid_t pid = ::fork();
	if (pid < 0) {
		why = std::string("fork: ") + std::strerror(errno);
		return std::nullopt;
	}
	if (pid == 0) {
		rd.reset();
		child(who, fn, wr.get());
	}
	wr.reset();

	std::string data;
	auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
	bool timed_out = false;
	for (;;) {
		auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
		                deadline - std::chrono::steady_clock::now())
		                .count();
		if (left <= 0) {
			timed_out = true;
			::kill(pid, SIGKILL);
			break;
		}
		pollfd pfd{rd.get(), POLLIN, 0};
		int n = ::poll(&pfd, 1, static_cast<int>(left));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			continue;
		char buf[4096];
		ssize_t got = ::read(rd.get(), buf, sizeof buf);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		data.append(buf, static_cast<size_t>(got));
	}
	int status = 0;
	while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
	}
	if (timed_out) {
		why = "child timed out after " + std::to_string(timeout_ms) + " ms";
		return std::nullopt;
	}
	if (data.empty() || (data[0] != 'R' && data[0] != 'E')) {
		why = "child gave no result: " + describe_wait_status(status);
		return std::nullopt;
	}
	if (data[0] == 'E') {
		why = data.substr(1);
		return std::nullopt;
	}
	return data.substr(1);
}

sys_result run_as_syscall(const credentials &who, const std::function<sys_result()> &fn,
                          std::string &why, int timeout_ms)
{
	auto out = run_as(
	    who,
	    [&fn] {
		    sys_result r = fn();
		    return std::string(reinterpret_cast<const char *>(&r), sizeof r);
	    },
	    why, timeout_ms);
	if (!out || out->size() != sizeof(sys_result))
		return {-1, -1};
	sys_result r;
	std::memcpy(&r, out->data(), sizeof r);
	return r;
}

} // namespace fusebpf::test
