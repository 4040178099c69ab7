// SPDX-License-Identifier: GPL-2.0-or-later
//
// caller_creds: per-thread fsuid/fsgid/groups switching with raw syscalls,
// and the per-pid supplementary group cache it reads /proc through.
#include "daemon/fuse/caller_creds.h"

#include "daemon/fuse/request.h"

#include <spdlog/spdlog.h>

#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace fusebpf::daemon {
namespace {

// The thread's groups: one small cache per worker thread, so lookups need
// no lock. Entries expire after a second (see the header's limits).
struct group_cache_entry {
	pid_t pid = 0;
	uid_t uid = 0;
	gid_t gid = 0;
	std::chrono::steady_clock::time_point when;
	std::vector<gid_t> groups;
};

constexpr size_t group_cache_size = 16;
constexpr auto group_cache_ttl = std::chrono::seconds(1);
thread_local group_cache_entry group_cache[group_cache_size];
thread_local size_t group_cache_next = 0;

// Reads "Groups:" from /proc/<pid>/status. An exited process gives none.
std::vector<gid_t> read_proc_groups(pid_t pid)
{
	std::vector<gid_t> groups;
	char path[64];
	std::snprintf(path, sizeof(path), "/proc/%d/status", static_cast<int>(pid));
	FILE *f = std::fopen(path, "re");
	if (!f)
		return groups;
	char line[4096];
	while (std::fgets(line, sizeof(line), f)) {
		if (std::strncmp(line, "Groups:", 7) != 0)
			continue;
		char *p = line + 7;
		for (;;) {
			char *end;
			errno = 0;
			unsigned long g = std::strtoul(p, &end, 10);
			if (end == p || errno)
				break;
			groups.push_back(static_cast<gid_t>(g));
			p = end;
		}
		break;
	}
	std::fclose(f);
	return groups;
}

const std::vector<gid_t> &caller_groups(pid_t pid, uid_t uid, gid_t gid)
{
	auto now = std::chrono::steady_clock::now();
	for (auto &e : group_cache)
		if (e.pid == pid && e.uid == uid && e.gid == gid && pid != 0 &&
		    now - e.when < group_cache_ttl)
			return e.groups;
	auto &e = group_cache[group_cache_next++ % group_cache_size];
	e.pid = pid;
	e.uid = uid;
	e.gid = gid;
	e.when = now;
	e.groups = pid > 0 ? read_proc_groups(pid) : std::vector<gid_t>{};
	return e.groups;
}

// The raw syscalls: per thread (see the header). setfsuid/setfsgid return the
// previous value and cannot report errors directly; a second call with an
// invalid id (-1) returns the current one, which tells whether it worked.
bool set_fsuid(uid_t uid)
{
	syscall(SYS_setfsuid, uid);
	return static_cast<uid_t>(syscall(SYS_setfsuid, static_cast<uid_t>(-1))) == uid;
}

bool set_fsgid(gid_t gid)
{
	syscall(SYS_setfsgid, gid);
	return static_cast<gid_t>(syscall(SYS_setfsgid, static_cast<gid_t>(-1))) == gid;
}

int set_thread_groups(const std::vector<gid_t> &groups)
{
	if (syscall(SYS_setgroups, groups.size(), groups.data()) < 0)
		return errno;
	return 0;
}

} // namespace

caller_creds::caller_creds(const request &req)
{
	const auto &h = req.header();
	enter(h.uid, h.gid, static_cast<pid_t>(h.pid), req.ext_groups());
}

caller_creds::caller_creds(uid_t uid, gid_t gid, pid_t pid, std::span<const uint32_t> extra_groups)
{
	enter(uid, gid, pid, extra_groups);
}

void caller_creds::enter(uid_t uid, gid_t gid, pid_t pid, std::span<const uint32_t> extra_groups)
{
	if (uid == 0 && gid == 0)
		return; // the daemon is root already: nothing to switch

	// Groups first, while still privileged (setgroups needs CAP_SETGID,
	// which setfsuid does not drop, but keep the order obvious).
	std::vector<gid_t> groups;
	if (uid != 0) {
		groups = caller_groups(pid, uid, gid);
		for (uint32_t g : extra_groups)
			if (std::find(groups.begin(), groups.end(), g) == groups.end())
				groups.push_back(g);
	}
	if (int err = set_thread_groups(groups)) {
		error_ = err;
		return;
	}
	switched_ = true;
	if (!set_fsgid(gid) || !set_fsuid(uid)) {
		spdlog::error("cannot switch to fsuid {} fsgid {}", uid, gid);
		error_ = EPERM;
	}
}

caller_creds::~caller_creds()
{
	if (!switched_)
		return;
	set_fsuid(0);
	set_fsgid(0);
	static const std::vector<gid_t> none;
	set_thread_groups(none);
}

umask_scope::umask_scope(mode_t mask) : old_(::umask(mask & 07777))
{}

umask_scope::~umask_scope()
{
	::umask(old_);
}

} // namespace fusebpf::daemon
