// SPDX-License-Identifier: GPL-2.0-or-later
//
// child: see child.h.
#include "tests/support/child.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

namespace fusebpf::test {
namespace {

// In a fresh child: dies with the parent, keeps only stdio and `keep`, and
// runs on `cpu` only if cpu >= 0. 0 or an errno.
int enter_child(int keep, int cpu)
{
	::prctl(PR_SET_PDEATHSIG, SIGKILL);
	::close_range(3, keep - 1, 0);
	::close_range(keep + 1, ~0U, 0);
	if (cpu < 0)
		return 0;
	cpu_set_t cpus;
	CPU_ZERO(&cpus);
	CPU_SET(cpu, &cpus);
	return ::sched_setaffinity(0, sizeof(cpus), &cpus) == 0 ? 0 : errno;
}

} // namespace

unique_fd run_in_child(const std::function<int()> &fn, pid_t &pid, int cpu)
{
	int out[2];
	if (::pipe(out) != 0)
		return unique_fd();
	pid = ::fork();
	if (pid == 0) {
		int r = enter_child(out[1], cpu);
		if (r == 0)
			r = fn();
		(void)!::write(out[1], &r, sizeof r);
		::_exit(0);
	}
	::close(out[1]);
	return unique_fd(out[0]);
}

bool child_result(const unique_fd &fd, pid_t pid, int timeout_ms, int &result)
{
	pollfd pfd{fd.get(), POLLIN, 0};
	bool ok = ::poll(&pfd, 1, timeout_ms) == 1 &&
	          ::read(fd.get(), &result, sizeof result) == static_cast<ssize_t>(sizeof result);
	if (!ok)
		::kill(pid, SIGKILL);
	int status;
	::waitpid(pid, &status, 0);
	return ok;
}

lock_holder::lock_holder(const std::string &path, int (*take)(int fd), int cpu)
{
	// One socket pair: the child reports on its end, then waits there for
	// EOF (release() closes the parent's end).
	int sv[2];
	if (::socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		return;
	pid_ = ::fork();
	if (pid_ == 0) {
		int err = enter_child(sv[1], cpu);
		if (err == 0) {
			int fd = ::open(path.c_str(), O_RDWR);
			err = fd < 0 ? errno : take(fd);
		}
		(void)!::write(sv[1], &err, sizeof err);
		char c;
		(void)!::read(sv[1], &c, 1);
		::_exit(0);
	}
	::close(sv[1]);
	channel_.reset(sv[0]);
	if (::read(channel_.get(), &result_, sizeof result_) != sizeof result_)
		result_ = -1;
}

void lock_holder::release()
{
	if (pid_ <= 0)
		return;
	channel_.reset();
	int status;
	::waitpid(pid_, &status, 0);
	pid_ = -1;
}

} // namespace fusebpf::test
