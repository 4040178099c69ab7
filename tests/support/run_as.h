// SPDX-License-Identifier: GPL-2.0-or-later
//
// run_as: run a function in a forked child that has dropped to another user
// (setgroups(0) + setresgid + setresuid, in that order), and bring its result
// back over a pipe. Tests use it to act as uid/gid 65534 on a mount served by
// a root daemon; the parent stays root for setting up and checking.
//
// Results: the child's function returns a std::string (any serialisation the
// caller likes), or with run_as_syscall() one sys_result (return value and
// errno of a single call). Nothing here depends on gtest; failures to fork or
// to change credentials, and a child that crashes, come back as errors.
//
// Limits: the function runs after fork() in a possibly multi-threaded process,
// so it must not rely on locks other threads held; plain syscalls and simple
// C++ are fine. It must not throw out of the child (that is caught and
// reported). Default timeout 60 s, then the child is killed.
#pragma once

#include <cerrno>
#include <functional>
#include <optional>
#include <string>
#include <sys/types.h>

namespace fusebpf::test {

struct credentials {
	uid_t uid = 65534;
	gid_t gid = 65534;
};

inline constexpr credentials nobody{65534, 65534};

// A syscall's outcome: ret is its return value, err its errno (0 if ret >= 0).
struct sys_result {
	long ret = 0;
	int err = 0;

	bool operator==(const sys_result &) const = default;
};

// Captures errno right after a call: sys(::mkdir(p, 0755)).
inline sys_result sys(long ret)
{
	return {ret, ret < 0 ? errno : 0};
}

// "0", "-1 EACCES (Permission denied)".
std::string describe(const sys_result &r);

// Runs fn() as `who` in a child. Returns fn's string, or nullopt with `why`.
std::optional<std::string> run_as(const credentials &who, const std::function<std::string()> &fn,
                                  std::string &why, int timeout_ms = 60000);

// Runs one call as `who`; a harness failure is reported as ret -1 with
// err = -1 and the reason in `why`.
sys_result run_as_syscall(const credentials &who, const std::function<sys_result()> &fn,
                          std::string &why, int timeout_ms = 60000);

} // namespace fusebpf::test
