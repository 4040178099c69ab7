// SPDX-License-Identifier: GPL-2.0-or-later
//
// mount_locator: see mount_locator.h.
#include "cli/mount_locator.h"

#include "daemon/fuse/mounter.h"

#include <climits>
#include <cstdlib>
#include <cstring>
#include <cerrno>

namespace fusebpf::cli {

std::optional<mount_location> locate_mount(const std::string &path, std::string &error)
{
	char buf[PATH_MAX];
	if (!realpath(path.c_str(), buf)) {
		error = path + ": " + std::strerror(errno);
		return std::nullopt;
	}
	std::string full = buf, dir = full;
	for (;;) {
		std::string fstype;
		if (daemon::find_mount(dir, &fstype)) {
			if (fstype != "fuse.fusebpf") {
				error = full + " is not inside a fusebpf mount (" + dir + " is a " +
				        fstype + " mount)";
				return std::nullopt;
			}
			mount_location loc;
			loc.mountpoint = dir;
			if (full.size() > dir.size())
				loc.inside = full.substr(dir == "/" ? 1 : dir.size() + 1);
			return loc;
		}
		if (dir == "/")
			break;
		size_t slash = dir.rfind('/');
		dir = slash == 0 ? "/" : dir.substr(0, slash);
	}
	error = full + " is not inside a fusebpf mount";
	return std::nullopt;
}

} // namespace fusebpf::cli
