// SPDX-License-Identifier: GPL-2.0-or-later
//
// mounter: pre-mount checks with one-line errors, mount(2), mountinfo reads.
#include "daemon/fuse/mounter.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace fusebpf::daemon {
namespace {

std::string errstr(int err)
{
	return std::strerror(err);
}

// realpath() that reports the errno.
bool resolve(const std::string &path, std::string &out, int &err)
{
	char buf[PATH_MAX];
	if (!realpath(path.c_str(), buf)) {
		err = errno;
		return false;
	}
	out = buf;
	return true;
}

// a == b or a is below b.
bool is_inside(const std::string &a, const std::string &b)
{
	if (a == b)
		return true;
	if (b == "/")
		return true;
	return a.size() > b.size() && a.compare(0, b.size(), b) == 0 && a[b.size()] == '/';
}

// Undoes the octal escapes of /proc/self/mountinfo (\040 for a blank, ...).
std::string unescape_mountinfo(const std::string &s)
{
	std::string out;
	for (size_t i = 0; i < s.size(); i++) {
		if (s[i] == '\\' && i + 3 < s.size()) {
			int v = 0;
			bool ok = true;
			for (int k = 1; k <= 3; k++) {
				char c = s[i + k];
				if (c < '0' || c > '7') {
					ok = false;
					break;
				}
				v = v * 8 + (c - '0');
			}
			if (ok) {
				out.push_back(static_cast<char>(v));
				i += 3;
				continue;
			}
		}
		out.push_back(s[i]);
	}
	return out;
}

} // namespace

std::optional<std::string> check_mount_request(const std::string &backing_dir,
                                               const std::string &mountpoint, daemon_config &cfg)
{
	if (geteuid() != 0)
		return "fusebpf mount must run as root (mount(2) and kernel passthrough need "
		       "CAP_SYS_ADMIN)";
	if (access("/dev/fuse", R_OK | W_OK) != 0)
		return "no usable /dev/fuse (" + errstr(errno) +
		       "): load the fuse module (modprobe fuse)";

	int err = 0;
	std::string backing, mnt;
	if (!resolve(backing_dir, backing, err))
		return "backing dir " + backing_dir + ": " + errstr(err);
	struct stat st;
	if (stat(backing.c_str(), &st) < 0)
		return "backing dir " + backing_dir + ": " + errstr(errno);
	if (!S_ISDIR(st.st_mode))
		return "backing dir " + backing_dir + " is not a directory";

	if (!resolve(mountpoint, mnt, err))
		return "mountpoint " + mountpoint + ": " + errstr(err);
	if (stat(mnt.c_str(), &st) < 0)
		return "mountpoint " + mountpoint + ": " + errstr(errno);
	if (!S_ISDIR(st.st_mode))
		return "mountpoint " + mountpoint + " is not a directory";
	if (find_mount(mnt))
		return "mountpoint " + mnt + " is already a mount point (unmount it first)";

	if (is_inside(backing, mnt))
		return "backing dir " + backing + " is inside the mountpoint " + mnt +
		       ": the mount would serve itself";
	if (is_inside(mnt, backing))
		return "mountpoint " + mnt + " is inside the backing dir " + backing +
		       ": the tree would contain itself";

	cfg.backing_dir = backing;
	cfg.mountpoint = mnt;
	return std::nullopt;
}

std::optional<std::string> open_backing_root(const daemon_config &cfg, unique_fd &fd,
                                             struct stat &st)
{
	fd.reset(::open(cfg.backing_dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
	if (!fd)
		return "backing dir " + cfg.backing_dir + ": " + errstr(errno);
	if (fstat(fd.get(), &st) < 0)
		return "backing dir " + cfg.backing_dir + ": " + errstr(errno);
	return std::nullopt;
}

std::optional<std::string> open_dev_fuse(unique_fd &fd)
{
	fd.reset(::open("/dev/fuse", O_RDWR | O_CLOEXEC));
	if (!fd)
		return "cannot open /dev/fuse: " + errstr(errno) + " (modprobe fuse?)";
	return std::nullopt;
}

mount_guard &mount_guard::operator=(mount_guard &&o) noexcept
{
	if (this != &o) {
		unmount();
		mountpoint_ = std::move(o.mountpoint_);
		o.mountpoint_.clear();
	}
	return *this;
}

int mount_guard::unmount()
{
	if (mountpoint_.empty())
		return 0;
	int rc = umount2(mountpoint_.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW);
	int err = rc < 0 ? errno : 0;
	mountpoint_.clear();
	return err == EINVAL ? 0 : err; // EINVAL: no longer mounted
}

std::optional<std::string> mount_fuse(const daemon_config &cfg, int dev_fd, mode_t root_mode,
                                      mount_guard &guard)
{
	std::string data = "fd=" + std::to_string(dev_fd);
	char mode[32];
	std::snprintf(mode, sizeof(mode), "%o", root_mode & S_IFMT);
	data += ",rootmode=" + std::string(mode) + ",user_id=0,group_id=0";
	if (cfg.opts.allow_other)
		data += ",allow_other";
	if (cfg.opts.default_permissions)
		data += ",default_permissions";
	unsigned long flags = cfg.opts.mount_flags;
	if (cfg.opts.read_only)
		flags |= MS_RDONLY;
	const std::string &source = cfg.opts.fsname.empty() ? cfg.backing_dir : cfg.opts.fsname;
	if (mount(source.c_str(), cfg.mountpoint.c_str(), "fuse.fusebpf", flags, data.c_str()) <
	    0) {
		int err = errno;
		if (err == ENODEV)
			return "the kernel has no FUSE file system type (modprobe fuse)";
		return "mount " + cfg.mountpoint + ": " + errstr(err);
	}
	guard = mount_guard(cfg.mountpoint);
	return std::nullopt;
}

std::vector<mount_entry> read_mountinfo()
{
	std::vector<mount_entry> mounts;
	std::ifstream in("/proc/self/mountinfo");
	std::string line;
	while (std::getline(in, line)) {
		// id parent major:minor root mountpoint opts [optional...] - fstype source
		// superopts
		std::istringstream ls(line);
		std::string id, parent, devno, root, mnt;
		if (!(ls >> id >> parent >> devno >> root >> mnt))
			continue;
		mount_entry e;
		if (std::sscanf(devno.c_str(), "%u:%u", &e.major, &e.minor) != 2)
			continue;
		e.mountpoint = unescape_mountinfo(mnt);
		std::string word;
		while (ls >> word && word != "-") {
		}
		std::string src;
		ls >> e.fstype >> src;
		e.source = unescape_mountinfo(src);
		mounts.push_back(std::move(e));
	}
	return mounts;
}

bool find_mount(const std::string &path, std::string *fstype, std::string *source)
{
	bool found = false;
	for (const mount_entry &m : read_mountinfo()) {
		if (m.mountpoint != path)
			continue;
		found = true; // the last matching line is the top of the mount stack
		if (fstype)
			*fstype = m.fstype;
		if (source)
			*source = m.source;
	}
	return found;
}

} // namespace fusebpf::daemon
