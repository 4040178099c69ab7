// SPDX-License-Identifier: GPL-2.0-or-later
//
// caller_creds: run backing syscalls as the process that made the request.
//
// A FUSE request carries the caller's uid, gid and pid. For the duration of
// a caller_creds scope the calling *thread* gets fsuid = uid, fsgid = gid and
// the caller's supplementary groups (read from /proc/<pid>/status, plus
// FUSE_EXT_GROUPS if the kernel sent it), so:
//   - files, dirs, nodes, symlinks and links are created owned by the caller;
//   - the backing file system makes the permission checks it makes natively
//     (a non-zero fsuid drops CAP_DAC_OVERRIDE, CAP_FOWNER, ... from the
//     thread's effective set; returning to fsuid 0 restores them).
// Leaving the scope restores fsuid/fsgid 0 and an empty group list (the
// daemon's workers run with no supplementary groups).
//
// Per thread, on purpose: the raw syscalls SYS_setfsuid, SYS_setfsgid and
// SYS_setgroups change only the calling thread. glibc's setgroups() would
// change every thread of the daemon (it broadcasts to all threads).
//
// The dispatcher puts every handler inside one of these; handlers don't
// create their own. Requests from uid 0 with gid 0 cost no syscall.
//
// umask_scope: the daemon negotiates FUSE_DONT_MASK, so the kernel sends the
// caller's umask with CREATE/MKNOD/MKDIR instead of applying it. Each worker
// thread has its own fs_struct (unshare(CLONE_FS) at start), so a create
// handler sets the caller's umask for the one syscall and the backing fs
// applies it exactly as natively (ignoring it under a default ACL).
//
// Limits: supplementary groups are cached per pid for 1 s; a caller that
// changes its groups is seen with the new ones at most 1 s later. A caller
// whose /proc entry is gone (it exited) runs with its gid only.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <span>

namespace fusebpf::daemon {

class request;

class caller_creds {
public:
	// Switches the thread to the request's caller (uid, gid, pid in its header).
	explicit caller_creds(const request &req);
	// Same with explicit values (unit tests, internal uses).
	caller_creds(uid_t uid, gid_t gid, pid_t pid, std::span<const uint32_t> extra_groups = {});
	~caller_creds();
	caller_creds(const caller_creds &) = delete;
	caller_creds &operator=(const caller_creds &) = delete;

	// 0 if the switch worked, else the errno the request should fail with
	// (the scope then left the thread unchanged).
	int error() const { return error_; }

private:
	void enter(uid_t uid, gid_t gid, pid_t pid, std::span<const uint32_t> extra_groups);

	bool switched_ = false;
	int error_ = 0;
};

class umask_scope {
public:
	explicit umask_scope(mode_t mask);
	~umask_scope();
	umask_scope(const umask_scope &) = delete;
	umask_scope &operator=(const umask_scope &) = delete;

private:
	mode_t old_;
};

} // namespace fusebpf::daemon
