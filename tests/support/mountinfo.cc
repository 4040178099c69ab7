// SPDX-License-Identifier: GPL-2.0-or-later
//
// mountinfo parser: fields are "id parent maj:min root mountpoint options
// [optional fields...] - fstype source superoptions" (proc(5)).
#include "tests/support/mountinfo.h"

#include <cstdio>
#include <fstream>
#include <sstream>

namespace fusebpf::test {

namespace {

std::string unescape(const std::string &s)
{
	std::string out;
	for (size_t i = 0; i < s.size(); i++) {
		if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '3') {
			out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 +
			                         (s[i + 3] - '0'));
			i += 3;
		} else {
			out += s[i];
		}
	}
	return out;
}

} // namespace

std::vector<mount_entry> read_mountinfo()
{
	std::vector<mount_entry> mounts;
	std::ifstream in("/proc/self/mountinfo");
	std::string line;
	while (std::getline(in, line)) {
		std::istringstream fields(line);
		std::string id, parent, dev, root, mnt, opts, word;
		if (!(fields >> id >> parent >> dev >> root >> mnt >> opts))
			continue;
		while (fields >> word && word != "-") {
		}
		mount_entry e;
		e.mount_point = unescape(mnt);
		std::sscanf(dev.c_str(), "%u:%u", &e.dev_major, &e.dev_minor);
		e.options = opts;
		fields >> e.fstype >> e.source >> e.super_options;
		e.source = unescape(e.source);
		mounts.push_back(std::move(e));
	}
	return mounts;
}

bool find_mount(const std::string &mount_point, mount_entry *out)
{
	bool found = false;
	for (auto &e : read_mountinfo()) {
		if (e.mount_point == mount_point) {
			found = true; // keep going: the last one is the topmost
			if (out)
				*out = e;
		}
	}
	return found;
}

std::vector<mount_entry> fusebpf_mounts_under(const std::string &prefix)
{
	std::vector<mount_entry> found;
	for (auto &e : read_mountinfo())
		if (e.fstype == fusebpf_fstype &&
		    e.mount_point.compare(0, prefix.size(), prefix) == 0)
			found.push_back(e);
	return found;
}

} // namespace fusebpf::test
