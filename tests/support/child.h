// SPDX-License-Identifier: GPL-2.0-or-later
//
// child: test code run in forked child processes, for tests that need a
// second (or third...) process on a mount: lock conflicts, waiters that
// block in the daemon, requests from a given CPU.
//   - run_in_child(): a child runs fn (pinned to one CPU if asked) and
//     writes its int result to a pipe; child_result() waits for it with a
//     time-out and reaps the child (killed on time-out).
//   - lock_holder: a child that takes a lock on its own fd of a file,
//     reports the result, and holds the lock until released.
// Every child dies with its parent (PR_SET_PDEATHSIG) and keeps none of the
// parent's other fds open (another child's pipe held open would keep that
// child's reader from ever seeing EOF).
#pragma once

#include "common/unique_fd.h"

#include <sys/types.h>

#include <functional>
#include <string>

namespace fusebpf::test {

// Forks a child that runs fn (on CPU `cpu` only, if cpu >= 0) and writes
// its result to the returned fd; pid gets the child's pid.
unique_fd run_in_child(const std::function<int()> &fn, pid_t &pid, int cpu = -1);

// Waits up to timeout_ms for the result of a run_in_child() child and reaps
// it; kills it on time-out. Whether the result came.
bool child_result(const unique_fd &fd, pid_t pid, int timeout_ms, int &result);

// A child process that takes a lock on its own fd of `path`, reports the
// result, and holds the lock until release() (or destruction) tells it to go.
class lock_holder {
public:
	// `take` runs in the child (on CPU `cpu` only, if cpu >= 0) on its fd
	// and returns 0 or an errno. Returns once the child reported.
	lock_holder(const std::string &path, int (*take)(int fd), int cpu = -1);
	~lock_holder() { release(); }
	lock_holder(const lock_holder &) = delete;
	lock_holder &operator=(const lock_holder &) = delete;

	int result() const { return result_; } // 0 = lock taken
	pid_t pid() const { return pid_; }

	// Lets the child exit (its locks go with it) and reaps it.
	void release();

private:
	pid_t pid_ = -1;
	int result_ = -1;
	unique_fd channel_; // a socket pair with the child
};

} // namespace fusebpf::test
