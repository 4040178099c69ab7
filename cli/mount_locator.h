// SPDX-License-Identifier: GPL-2.0-or-later
//
// mount_locator: from a path the user typed (MOUNTPOINT or
// MOUNTPOINT/SUBDIR) to the fusebpf mount that holds it and the path inside
// it, for the commands that talk to a mount's daemon (attach, detach,
// status, invalidate). The path is resolved with realpath() (through the
// mount, so SUBDIR must be visible there), then its ancestors are searched
// for the nearest fuse.fusebpf mount point in /proc/self/mountinfo.
#pragma once

#include <optional>
#include <string>

namespace fusebpf::cli {

struct mount_location {
	std::string mountpoint; // absolute
	std::string inside;     // relative to the mount root, "" for the root
};

// The location, or nullopt with a one-line `error`.
std::optional<mount_location> locate_mount(const std::string &path, std::string &error);

} // namespace fusebpf::cli
