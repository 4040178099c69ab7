// SPDX-License-Identifier: GPL-2.0-or-later
//
// leftover_check: the last ctest test of the daemon suite (FIXTURES_CLEANUP).
// It fails if any fuse.fusebpf mount of this run (mountpoint under
// /tmp/fusebpf-test.<FUSEBPF_TEST_TAG>.) is still mounted, e.g. because a test
// process crashed or was killed by a timeout. It also cleans up what it finds:
// detaches the mounts, SIGKILLs daemons still serving them, and removes the
// run's temp dirs, so a failed run does not poison the next one.
#include "tests/support/mountinfo.h"
#include "tests/support/temp_dir.h"

#include <csignal>
#include <cstdio>
#include <dirent.h>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/mount.h>
#include <unistd.h>
#include <vector>

using namespace fusebpf::test;

namespace {

// Pids whose command line mentions `needle` (the daemons of leftover mounts).
std::vector<pid_t> pids_mentioning(const std::string &needle)
{
	std::vector<pid_t> pids;
	DIR *proc = ::opendir("/proc");
	if (!proc)
		return pids;
	while (auto *e = ::readdir(proc)) {
		pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
		if (pid <= 0 || pid == ::getpid())
			continue;
		std::ifstream in("/proc/" + std::string(e->d_name) + "/cmdline");
		std::stringstream ss;
		ss << in.rdbuf();
		if (ss.str().find(needle) != std::string::npos)
			pids.push_back(pid);
	}
	::closedir(proc);
	return pids;
}

} // namespace

int main()
{
	std::string prefix = leftover_prefix();
	auto mounts = fusebpf_mounts_under(prefix);
	for (auto &m : mounts) {
		std::printf("LEFTOVER MOUNT: %s (backing %s)\n", m.mount_point.c_str(),
		            m.source.c_str());
		::umount2(m.mount_point.c_str(), MNT_DETACH);
	}
	// daemons of this run that outlived their tests (mounted or not)
	int daemons = 0;
	for (pid_t pid : pids_mentioning(prefix)) {
		std::printf("LEFTOVER PROCESS: pid %d\n", pid);
		::kill(pid, SIGKILL);
		daemons++;
	}
	// temp dirs and logs of this run
	std::string dir = prefix.substr(0, prefix.rfind('/'));
	std::string base = prefix.substr(prefix.rfind('/') + 1);
	int leftovers = 0;
	if (DIR *d = ::opendir(dir.c_str())) {
		std::vector<std::string> names;
		while (auto *e = ::readdir(d))
			if (std::string(e->d_name).rfind(base, 0) == 0)
				names.push_back(e->d_name);
		::closedir(d);
		for (auto &name : names) {
			leftovers++;
			remove_tree(dir + "/" + name);
		}
	}
	std::printf("%zu leftover mounts, %d leftover processes, %d leftover temp entries under "
	            "%s*\n",
	            mounts.size(), daemons, leftovers, prefix.c_str());
	return mounts.empty() && daemons == 0 ? 0 : 1;
}
