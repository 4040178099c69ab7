// SPDX-License-Identifier: GPL-2.0-or-later
//
// system_info: see system_info.h.
#include "bench/daemon/system_info.h"

#include <ctime>
#include <fstream>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <unistd.h>

namespace fusebpf::bench {

namespace {

std::string first_line(const std::string &path)
{
	std::ifstream in(path);
	std::string line;
	if (!std::getline(in, line))
		return "?";
	return line;
}

std::string cpu_model()
{
	std::ifstream in("/proc/cpuinfo");
	std::string line;
	while (std::getline(in, line))
		if (line.starts_with("model name")) {
			auto colon = line.find(':');
			if (colon != std::string::npos)
				return line.substr(line.find_first_not_of(" \t", colon + 1));
		}
	return "?";
}

std::string fs_name(const std::string &dir)
{
	struct statfs st;
	if (::statfs(dir.c_str(), &st) != 0)
		return "?";
	switch (static_cast<unsigned long>(st.f_type)) {
	case 0xEF53:
		return "ext4";
	case 0x01021994:
		return "tmpfs";
	case 0x58465342:
		return "xfs";
	case 0x9123683E:
		return "btrfs";
	case 0x65735546:
		return "fuse";
	case 0x794c7630:
		return "overlayfs";
	default: {
		char buf[32];
		std::snprintf(buf, sizeof(buf), "0x%lx", static_cast<unsigned long>(st.f_type));
		return buf;
	}
	}
}

} // namespace

system_info probe_system(const std::string &backing_dir)
{
	system_info info;
	struct utsname u;
	info.kernel = ::uname(&u) == 0 ? u.release : "?";
	info.cpus_online = static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN));
	info.cpu_model = cpu_model();
	info.backing_fs = fs_name(backing_dir);
	info.fuse_uring = first_line("/sys/module/fuse/parameters/enable_uring");
	info.loadavg = current_loadavg();
	struct rlimit lim;
	if (::getrlimit(RLIMIT_NOFILE, &lim) == 0)
		info.fd_limit = static_cast<unsigned long>(lim.rlim_cur);
	std::time_t now = std::time(nullptr);
	char buf[32];
	std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
	info.started = buf;
	return info;
}

std::string current_loadavg()
{
	std::string line = first_line("/proc/loadavg");
	size_t end = 0;
	for (int field = 0; field < 3 && end != std::string::npos; field++)
		end = line.find(' ', end + (field > 0));
	return line.substr(0, end);
}

nlohmann::json to_json(const system_info &info)
{
	return {{"kernel", info.kernel},
	        {"cpus_online", info.cpus_online},
	        {"cpu_model", info.cpu_model},
	        {"backing_fs", info.backing_fs},
	        {"fuse_enable_uring", info.fuse_uring},
	        {"fd_limit", info.fd_limit},
	        {"loadavg", info.loadavg},
	        {"started", info.started}};
}

} // namespace fusebpf::bench
