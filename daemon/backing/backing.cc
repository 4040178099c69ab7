// SPDX-License-Identifier: GPL-2.0-or-later
//
// backing: stat, attribute conversion, lookups and re-opens on the backing
// tree, all relative to node O_PATH fds (rules in backing.h).
#include "daemon/backing/backing.h"

#include "daemon/backing/passthrough.h"
#include "daemon/backing/backing_tree.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>

namespace fusebpf::daemon {

int stat_node(const inode &node, struct stat &st)
{
	pinned_fd node_fd = node.pin();
	if (!node_fd)
		return node_fd.error();
	if (fstatat(node_fd.get(), "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
		return errno;
	return 0;
}

void fill_attr(const struct stat &st, struct fuse_attr &out)
{
	out = {};
	out.ino = st.st_ino;
	out.size = static_cast<uint64_t>(st.st_size);
	out.blocks = static_cast<uint64_t>(st.st_blocks);
	out.atime = static_cast<uint64_t>(st.st_atim.tv_sec);
	out.mtime = static_cast<uint64_t>(st.st_mtim.tv_sec);
	out.ctime = static_cast<uint64_t>(st.st_ctim.tv_sec);
	out.atimensec = static_cast<uint32_t>(st.st_atim.tv_nsec);
	out.mtimensec = static_cast<uint32_t>(st.st_mtim.tv_nsec);
	out.ctimensec = static_cast<uint32_t>(st.st_ctim.tv_nsec);
	out.mode = st.st_mode;
	out.nlink = static_cast<uint32_t>(st.st_nlink);
	out.uid = st.st_uid;
	out.gid = st.st_gid;
	out.rdev = static_cast<uint32_t>(st.st_rdev);
	out.blksize = static_cast<uint32_t>(st.st_blksize);
}

void fill_attr_out(const backing_tree &s, const struct stat &st, struct fuse_attr_out &out)
{
	out = {};
	out.attr_valid = s.attr_timeout().sec;
	out.attr_valid_nsec = s.attr_timeout().nsec;
	fill_attr(st, out.attr);
}

void fill_entry(const backing_tree &s, const inode &node, const struct stat &st,
                struct fuse_entry_out &out)
{
	out = {};
	out.nodeid = node.nodeid;
	out.generation = node.nodeid >> 32; // the slot generation, stable per nodeid
	out.entry_valid = s.entry_timeout().sec;
	out.entry_valid_nsec = s.entry_timeout().nsec;
	out.attr_valid = s.attr_timeout().sec;
	out.attr_valid_nsec = s.attr_timeout().nsec;
	passthrough_attr_valid(node, out.attr_valid, out.attr_valid_nsec);
	fill_attr(st, out.attr);
}

int lookup_entry(backing_tree &s, const inode &parent, std::string_view name,
                 struct fuse_entry_out &out)
{
	// name is validated (one component, not "." or ".."), NUL-terminated in
	// the request buffer; copy anyway so callers may pass any view.
	std::string n(name);
	pinned_fd parent_fd = parent.pin();
	if (!parent_fd)
		return parent_fd.error();
	int fd = openat(parent_fd.get(), n.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno;
	return enter_node(s, parent, name, unique_fd(fd), out);
}

int enter_node(backing_tree &s, const inode &parent, std::string_view name, unique_fd opath,
               struct fuse_entry_out &out)
{
	struct stat st;
	if (fstatat(opath.get(), "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
		return errno;
	inode_ptr node = s.inodes().add_lookup(std::move(opath), st);
	node->set_kernel_name(parent.nodeid, name);
	fill_entry(s, *node, st, out);
	return 0;
}

int entry_for_node(backing_tree &s, const inode_ptr &node, struct fuse_entry_out &out)
{
	struct stat st;
	if (int err = stat_node(*node, st))
		return err;
	if (!s.inodes().add_ref(node))
		return ESTALE;
	fill_entry(s, *node, st, out);
	return 0;
}

void fill_negative_entry(const backing_tree &s, struct fuse_entry_out &out)
{
	out = {};
	out.entry_valid = s.negative_timeout().sec;
	out.entry_valid_nsec = s.negative_timeout().nsec;
}

std::string proc_fd_path(int fd)
{
	return "/proc/self/fd/" + std::to_string(fd);
}

int reopen_inode(const backing_tree &s, const inode &node, int flags, unique_fd &out)
{
	if (node.is_symlink())
		return ELOOP;
	if (!node.is_reg() && !node.is_dir())
		return EINVAL;
	flags &= ~(O_CREAT | O_EXCL | O_NOCTTY | O_NOFOLLOW | O_PATH);
	flags |= O_CLOEXEC;
	char name[32];
	pinned_fd node_fd = node.pin();
	if (!node_fd)
		return node_fd.error();
	std::snprintf(name, sizeof(name), "%d", node_fd.get());
	int fd = openat(s.proc_self_fd(), name, flags);
	if (fd < 0)
		return errno;
	out.reset(fd);
	return 0;
}

int sync_fd(int fd, uint32_t fsync_flags)
{
	int rc = (fsync_flags & FUSE_FSYNC_FDATASYNC) ? fdatasync(fd) : fsync(fd);
	return rc < 0 ? errno : 0;
}

} // namespace fusebpf::daemon
