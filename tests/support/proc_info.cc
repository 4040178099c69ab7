// SPDX-License-Identifier: GPL-2.0-or-later
//
// proc_info: see proc_info.h.
#include "tests/support/proc_info.h"

#include <dirent.h>

#include <fstream>
#include <string>

namespace fusebpf::test {

std::size_t open_fds(pid_t pid)
{
	std::size_t n = 0;
	DIR *d = opendir(("/proc/" + std::to_string(pid) + "/fd").c_str());
	if (!d)
		return 0;
	while (struct dirent *e = readdir(d))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

std::size_t rss_bytes(pid_t pid)
{
	std::ifstream status("/proc/" + std::to_string(pid) + "/status");
	std::string line;
	while (std::getline(status, line))
		if (line.rfind("VmRSS:", 0) == 0)
			return std::stoull(line.substr(6)) * 1024;
	return 0;
}

} // namespace fusebpf::test
