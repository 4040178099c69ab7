// SPDX-License-Identifier: GPL-2.0-or-later
//
// File handles through a mount (FUSE_EXPORT_SUPPORT, issue 14): a handle
// taken with name_to_handle_at() through the mount opens with
// open_by_handle_at() on a mount fd of the FUSE mount after the kernel
// dropped the inode (echo 2 > /proc/sys/vm/drop_caches: the daemon gets a
// FORGET, then LOOKUP "." for the handle's nodeid and ".." to reconnect a
// directory), and gives what the same handle gives on the backing dir: the
// same inode, the same data, the same path for a directory, ESTALE once the
// file is deleted. After a remount the handles of the old mount are stale
// (README, known limits).
#include "tests/daemon/fs_util.h"
#include "tests/daemon/mount_fixture.h"

#include "common/unique_fd.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace fusebpf::test {
namespace {

struct handle {
	struct file_handle h;
	unsigned char room[128];
};

// name_to_handle_at() of a path (a symlink is not followed).
bool handle_of(const std::string &path, handle &out, std::string &why)
{
	out.h.handle_bytes = sizeof(out.room);
	int mount_id = 0;
	if (name_to_handle_at(AT_FDCWD, path.c_str(), &out.h, &mount_id, 0) < 0) {
		why = "name_to_handle_at(" + path + "): " + std::strerror(errno);
		return false;
	}
	return true;
}

// open_by_handle_at() relative to a mount fd on `mount_dir`; -errno on failure.
int open_handle(const std::string &mount_dir, handle &h, int flags, unique_fd &out)
{
	unique_fd mnt(open(mount_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	if (!mnt)
		return -errno;
	int fd = open_by_handle_at(mnt.get(), &h.h, flags | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	out.reset(fd);
	return 0;
}

// Makes the kernel drop unused dentries and inodes: the FUSE mount sends
// FORGET for every node nothing holds.
void drop_inodes()
{
	sync();
	unique_fd f(open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC));
	ASSERT_TRUE(f) << std::strerror(errno);
	ASSERT_EQ(write(f.get(), "2\n", 2), 2) << std::strerror(errno);
}

std::string path_of(int fd)
{
	char buf[PATH_MAX];
	ssize_t n = readlink(("/proc/self/fd/" + std::to_string(fd)).c_str(), buf, sizeof(buf));
	return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

struct stat stat_of(int fd)
{
	struct stat st {};
	EXPECT_EQ(fstat(fd, &st), 0) << std::strerror(errno);
	return st;
}

class HandleTest : public mount_fixture {
protected:
	// FORGET and BATCH_FORGET requests the daemon got so far.
	long long forgets()
	{
		auto s = stats();
		long long n = 0;
		for (const char *op : {"FORGET", "BATCH_FORGET"})
			n += static_cast<long long>(op_counter(s, op).value_or(0));
		return n;
	}
};

TEST_F(HandleTest, FileOpensAfterTheDaemonForgotIt)
{
	ASSERT_EQ(::mkdir(m("d").c_str(), 0755), 0);
	ASSERT_TRUE(write_file(m("d/f"), "handle data\n"));
	handle via_mount, via_backing;
	std::string why;
	ASSERT_TRUE(handle_of(m("d/f"), via_mount, why)) << why;
	ASSERT_TRUE(handle_of(b("d/f"), via_backing, why)) << why;

	long long before = forgets();
	drop_inodes();
	EXPECT_GT(forgets(), before) << "the kernel forgot nothing; the test proves nothing";

	unique_fd fm, fb;
	ASSERT_EQ(open_handle(mount_dir(), via_mount, O_RDONLY, fm), 0);
	ASSERT_EQ(open_handle(backing_dir(), via_backing, O_RDONLY, fb), 0);
	EXPECT_EQ(stat_of(fm.get()).st_ino, stat_of(fb.get()).st_ino);
	char buf[64] = {};
	ASSERT_EQ(read(fm.get(), buf, sizeof(buf) - 1), 12) << std::strerror(errno);
	EXPECT_STREQ(buf, "handle data\n");
	// Writes through the reopened file reach the backing file.
	unique_fd w;
	ASSERT_EQ(open_handle(mount_dir(), via_mount, O_WRONLY | O_APPEND, w), 0);
	ASSERT_EQ(write(w.get(), "more\n", 5), 5);
	w.reset();
	EXPECT_EQ(read_file(b("d/f")), "handle data\nmore\n");

	// And again, with the revived node forgotten a second time.
	fm.reset();
	fb.reset();
	drop_inodes();
	ASSERT_EQ(open_handle(mount_dir(), via_mount, O_RDONLY, fm), 0);
	EXPECT_EQ(stat_of(fm.get()).st_size, 17);
}

TEST_F(HandleTest, DirectoryReconnectsToItsPath)
{
	ASSERT_EQ(::mkdir(m("a").c_str(), 0755), 0);
	ASSERT_EQ(::mkdir(m("a/b").c_str(), 0755), 0);
	ASSERT_EQ(::mkdir(m("a/b/c").c_str(), 0755), 0);
	ASSERT_TRUE(write_file(m("a/b/c/inside"), "x"));
	handle via_mount, via_backing;
	std::string why;
	ASSERT_TRUE(handle_of(m("a/b/c"), via_mount, why)) << why;
	ASSERT_TRUE(handle_of(b("a/b/c"), via_backing, why)) << why;
	drop_inodes();

	unique_fd dm, db;
	ASSERT_EQ(open_handle(mount_dir(), via_mount, O_RDONLY | O_DIRECTORY, dm), 0);
	ASSERT_EQ(open_handle(backing_dir(), via_backing, O_RDONLY | O_DIRECTORY, db), 0);
	EXPECT_EQ(stat_of(dm.get()).st_ino, stat_of(db.get()).st_ino);
	// Connected as on the backing fs: the kernel found the path through
	// LOOKUP ".." up to the root.
	EXPECT_EQ(path_of(db.get()), b("a/b/c"));
	EXPECT_EQ(path_of(dm.get()), m("a/b/c"));
	struct stat st;
	EXPECT_EQ(fstatat(dm.get(), "inside", &st, 0), 0) << std::strerror(errno);

	// The mount root's handle too.
	handle root;
	ASSERT_TRUE(handle_of(mount_dir(), root, why)) << why;
	unique_fd r;
	ASSERT_EQ(open_handle(mount_dir(), root, O_RDONLY | O_DIRECTORY, r), 0);
	EXPECT_EQ(path_of(r.get()), mount_dir());
}

TEST_F(HandleTest, RenamedDirectoryIsFoundUnderItsNewName)
{
	ASSERT_EQ(::mkdir(m("old").c_str(), 0755), 0);
	ASSERT_EQ(::mkdir(m("old/sub").c_str(), 0755), 0);
	ASSERT_EQ(::mkdir(m("other").c_str(), 0755), 0);
	handle h;
	std::string why;
	ASSERT_TRUE(handle_of(m("old/sub"), h, why)) << why;
	ASSERT_EQ(::rename(m("old/sub").c_str(), m("other/moved").c_str()), 0);
	drop_inodes();
	unique_fd d;
	ASSERT_EQ(open_handle(mount_dir(), h, O_RDONLY | O_DIRECTORY, d), 0);
	EXPECT_EQ(path_of(d.get()), m("other/moved"));
}

TEST_F(HandleTest, DeletedFileIsStaleAsOnTheBackingFs)
{
	ASSERT_TRUE(write_file(m("gone"), "x"));
	handle via_mount, via_backing;
	std::string why;
	ASSERT_TRUE(handle_of(m("gone"), via_mount, why)) << why;
	ASSERT_TRUE(handle_of(b("gone"), via_backing, why)) << why;
	ASSERT_EQ(::unlink(m("gone").c_str()), 0);
	drop_inodes();
	unique_fd fm, fb;
	EXPECT_EQ(open_handle(backing_dir(), via_backing, O_RDONLY, fb), -ESTALE);
	EXPECT_EQ(open_handle(mount_dir(), via_mount, O_RDONLY, fm), -ESTALE);
}

TEST_F(HandleTest, SymlinkHandleOpensTheLinkItself)
{
	ASSERT_TRUE(write_file(m("target"), "x"));
	ASSERT_EQ(::symlink("target", m("link").c_str()), 0);
	handle h;
	std::string why;
	ASSERT_TRUE(handle_of(m("link"), h, why)) << why;
	drop_inodes();
	unique_fd l;
	ASSERT_EQ(open_handle(mount_dir(), h, O_PATH, l), 0);
	EXPECT_TRUE(S_ISLNK(stat_of(l.get()).st_mode));
	char buf[16] = {};
	EXPECT_EQ(readlinkat(l.get(), "", buf, sizeof(buf) - 1), 6);
	EXPECT_STREQ(buf, "target");
}

// A handle names a nodeid of one daemon's life: a new daemon never issued
// it and answers ESTALE (README, known limits), not EIO, and keeps serving.
TEST_F(HandleTest, HandlesOfAnEarlierMountAreStale)
{
	ASSERT_TRUE(write_file(m("f"), "x"));
	handle h;
	std::string why;
	ASSERT_TRUE(handle_of(m("f"), h, why)) << why;
	remount({});
	unique_fd f;
	EXPECT_EQ(open_handle(mount_dir(), h, O_RDONLY, f), -ESTALE);
	EXPECT_EQ(read_file(m("f")), "x");
}

} // namespace
} // namespace fusebpf::test
