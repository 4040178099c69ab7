// SPDX-License-Identifier: GPL-2.0-or-later
//
// mountinfo: reads /proc/self/mountinfo. Tests use it to wait for a fusebpf
// mount to appear, to check it is gone, and to find mounts a crashed run left
// behind. Octal escapes (\040 for a space, ...) in paths are decoded.
#pragma once

#include <string>
#include <vector>

namespace fusebpf::test {

struct mount_entry {
	std::string mount_point;   // decoded absolute path
	unsigned dev_major = 0;    // st_dev of the mount root (field 3);
	unsigned dev_minor = 0;    // for FUSE the minor is the connection number
	std::string fstype;        // e.g. "fuse.fusebpf"
	std::string source;        // e.g. the absolute backing dir
	std::string options;       // per-mount options, e.g. "rw,nosuid,nodev,relatime"
	std::string super_options; // per-superblock options, e.g. "rw,user_id=0,..."
};

// All mounts of this process's mount namespace, in mountinfo order. Empty on a
// read error (there is always at least "/" otherwise).
std::vector<mount_entry> read_mountinfo();

// The topmost mount at `mount_point` (exact path match), if any.
bool find_mount(const std::string &mount_point, mount_entry *out = nullptr);

// The fstype fusebpf mounts carry.
inline constexpr const char *fusebpf_fstype = "fuse.fusebpf";

// fusebpf mounts whose mount point starts with `prefix`.
std::vector<mount_entry> fusebpf_mounts_under(const std::string &prefix);

} // namespace fusebpf::test
