// SPDX-License-Identifier: GPL-2.0-or-later
//
// mounter: checking the mount request, mounting a /dev/fuse fd, unmounting.
//
// We call mount(2) ourselves rather than libfuse's helpers: libfuse 3.14's
// public mount API (fuse_session_mount) needs a libfuse session that would
// then own the /dev/fuse fd and its INIT handling, which is exactly what our
// own protocol engine replaces; and the daemon must be root anyway
// (FUSE_DEV_IOC_BACKING_OPEN needs CAP_SYS_ADMIN), so fusermount3's setuid
// path buys nothing. The mount options are the kernel's own
// ("fd=N,rootmode=...,user_id=0,group_id=0[,allow_other][,default_permissions]").
//
// Errors are returned as one line meant for the user, never printed here.
#pragma once

#include "common/unique_fd.h"
#include "daemon/options.h"

#include <sys/stat.h>

#include <optional>
#include <string>
#include <vector>

namespace fusebpf::daemon {

// Turns BACKING_DIR and MOUNTPOINT into absolute, symlink-free paths and
// checks everything that can be checked before mounting: root, /dev/fuse,
// both are existing directories, the mountpoint is not already a mount
// point, and neither contains the other (a backing dir inside the mount
// would serve the mount from itself; a mountpoint inside the backing dir
// would make the tree contain itself, so `find` never ends). Fills
// cfg.backing_dir / cfg.mountpoint on success; else returns the error.
std::optional<std::string> check_mount_request(const std::string &backing_dir,
                                               const std::string &mountpoint, daemon_config &cfg);

// Opens the backing root (O_PATH|O_DIRECTORY) and stats it.
std::optional<std::string> open_backing_root(const daemon_config &cfg, unique_fd &fd,
                                             struct stat &st);

// Opens /dev/fuse.
std::optional<std::string> open_dev_fuse(unique_fd &fd);

// An active mount; unmounts (MNT_DETACH) on destruction unless released.
class mount_guard {
public:
	mount_guard() = default;
	explicit mount_guard(std::string mountpoint) : mountpoint_(std::move(mountpoint)) {}
	mount_guard(mount_guard &&o) noexcept : mountpoint_(std::move(o.mountpoint_))
	{
		o.mountpoint_.clear();
	}
	mount_guard &operator=(mount_guard &&o) noexcept;
	mount_guard(const mount_guard &) = delete;
	mount_guard &operator=(const mount_guard &) = delete;
	~mount_guard() { unmount(); }

	// Lazily unmounts now (idempotent). Returns 0 or an errno.
	int unmount();
	// Forget the mount without unmounting (it was unmounted from outside).
	void release() { mountpoint_.clear(); }
	bool active() const { return !mountpoint_.empty(); }

private:
	std::string mountpoint_;
};

// Mounts the FUSE connection of dev_fd on cfg.mountpoint (type fuse.fusebpf,
// source = the fsname or the backing dir). root_mode: st_mode of the
// backing root.
std::optional<std::string> mount_fuse(const daemon_config &cfg, int dev_fd, mode_t root_mode,
                                      mount_guard &guard);

// One line of /proc/self/mountinfo, paths unescaped.
struct mount_entry {
	unsigned major = 0, minor = 0; // st_dev of the mount (minor: a FUSE connection)
	std::string mountpoint;
	std::string fstype; // "fuse.fusebpf", "ext4", ...
	std::string source;
};

// Every mount this process sees, in mountinfo order (the last entry for a
// path is the top of its mount stack).
std::vector<mount_entry> read_mountinfo();

// Whether `path` is the root of a mount, and its type ("fuse.fusebpf") from
// /proc/self/mountinfo. Returns false if it is not a mount point.
bool find_mount(const std::string &path, std::string *fstype = nullptr,
                std::string *source = nullptr);

} // namespace fusebpf::daemon
