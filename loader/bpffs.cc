// SPDX-License-Identifier: GPL-2.0-or-later
//
// bpffs mount and pin directory handling; see bpffs.h.
#include "loader/bpffs.h"

#include <fusebpf/filter_abi.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

namespace fusebpf::loader {

namespace {

std::string errno_text(int e)
{
	return std::strerror(e);
}

bool is_bpffs(const std::string &path)
{
	struct statfs st {};
	return ::statfs(path.c_str(), &st) == 0 && st.f_type == BPF_FS_MAGIC;
}

status make_dir(const std::string &path, mode_t mode)
{
	if (::mkdir(path.c_str(), mode) == 0 || errno == EEXIST)
		return done{};
	int e = errno;
	return error{"cannot create " + path + ": " + errno_text(e), e};
}

// Removes the files (pins) in dir, then dir itself.
status remove_pins_in(const std::string &dir)
{
	DIR *d = ::opendir(dir.c_str());
	if (!d) {
		if (errno == ENOENT)
			return done{};
		int e = errno;
		return error{"cannot read " + dir + ": " + errno_text(e), e};
	}
	status st = done{};
	while (struct dirent *ent = ::readdir(d)) {
		std::string_view n = ent->d_name;
		if (n == "." || n == "..")
			continue;
		std::string path = dir + "/" + ent->d_name;
		if (ent->d_type == DT_DIR) {
			status sub = remove_pins_in(path);
			if (!sub && st)
				st = sub;
		} else if (::unlink(path.c_str()) != 0 && errno != ENOENT && st) {
			int e = errno;
			st = error{"cannot unpin " + path + ": " + errno_text(e), e};
		}
	}
	::closedir(d);
	if (::rmdir(dir.c_str()) != 0 && errno != ENOENT && st) {
		int e = errno;
		st = error{"cannot remove " + dir + ": " + errno_text(e), e};
	}
	return st;
}

} // namespace

std::string table_dir(std::string_view pin_root, std::string_view name)
{
	return std::string(pin_root) + "/" + std::string(name);
}

std::string table_pin(std::string_view pin_root, std::string_view name)
{
	return table_dir(pin_root, name) + "/table";
}

status ensure_pin_root(std::string_view pin_root)
{
	std::string root(pin_root);
	std::string mnt(bpffs_mount_point);
	if (root.starts_with(mnt + "/") && !is_bpffs(mnt)) {
		if (status st = make_dir(mnt, 0755); !st)
			return st;
		if (::mount("bpf", mnt.c_str(), "bpf", 0, "mode=0700") != 0) {
			int e = errno;
			return error{"no bpffs is mounted at " + mnt +
			                 " and mounting one failed: " + errno_text(e) +
			                 (e == EPERM ? " (loading filters needs root: "
			                               "CAP_SYS_ADMIN and CAP_BPF)"
			                             : ""),
			             e};
		}
	}
	if (status st = make_dir(root, 0700); !st)
		return st;
	if (!is_bpffs(root))
		return error{root +
		                 " is not on a bpffs: pins need a BPF file system "
		                 "(mount -t bpf bpf " +
		                 mnt + ")",
		             EINVAL};
	return done{};
}

status check_table_name(std::string_view name)
{
	bool ok = !name.empty() && name.size() < FUSEBPF_TABLE_NAME_MAX;
	for (char c : name)
		ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		            (c >= '0' && c <= '9') || c == '_' || c == '-');
	bool digits_only = true;
	for (char c : name)
		digits_only = digits_only && c >= '0' && c <= '9';
	if (!ok || digits_only)
		return error{"invalid table name '" + std::string(name) +
		                 "': use 1 to 63 letters, digits, '_' or '-' (bpffs reserves "
		                 "'.'), not only digits (those mean a map ID)",
		             EINVAL};
	return done{};
}

status remove_table_dir(const std::string &dir)
{
	return remove_pins_in(dir);
}

std::string pin_file_name(std::string_view object_name)
{
	std::string name(object_name);
	std::replace(name.begin(), name.end(), '.', '_');
	return name;
}

} // namespace fusebpf::loader
