// SPDX-License-Identifier: GPL-2.0-or-later
//
// Metadata ops through a real mount, checked against the backing dir: lookup,
// forget (after dropping the kernel's caches), getattr, setattr (chmod, chown,
// truncate, utimensat with UTIME_NOW / UTIME_OMIT), access and statfs.
// Namespace ops are in ops_namespace_test.cc, data ops in ops_data_test.cc.
#include "tests/daemon/fs_util.h"
#include "tests/daemon/mount_fixture.h"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <unistd.h>

namespace fusebpf::test {
namespace {

class MetaOps : public mount_fixture {
protected:
	void prepare_backing() override
	{
		ASSERT_TRUE(write_file(b("file"), "0123456789", 0640));
		ASSERT_EQ(::mkdir(b("dir").c_str(), 0751), 0);
		ASSERT_TRUE(write_file(b("dir/inner"), "inner"));
		ASSERT_EQ(::symlink("dir/inner", b("link").c_str()), 0);
		ASSERT_EQ(::chown(b("dir/inner").c_str(), 1234, 5678), 0);
	}
};

TEST_F(MetaOps, LookupSeesBackingEntries)
{
	for (const char *rel : {"file", "dir", "dir/inner", "link"}) {
		auto via_mount = lattrs(m(rel));
		ASSERT_TRUE(via_mount) << rel << ": " << strerror(errno);
		EXPECT_EQ(*via_mount, *lattrs(b(rel))) << rel;
	}
	struct stat st;
	EXPECT_EQ(sys(::lstat(m("missing").c_str(), &st)), (sys_result{-1, ENOENT}));
	EXPECT_EQ(sys(::lstat(m("file/x").c_str(), &st)), (sys_result{-1, ENOTDIR}));
	EXPECT_EQ(sys(::lstat(m("dir/missing/x").c_str(), &st)), (sys_result{-1, ENOENT}));
	EXPECT_EQ(read_file(m("link")).value_or("<error>"), "inner");
}

TEST_F(MetaOps, ForgetThenLookupAgain)
{
	// Enough inodes that the kernel sends FORGET / BATCH_FORGET when its
	// caches are dropped; then every name must still resolve and read.
	ASSERT_EQ(::mkdir(m("many").c_str(), 0755), 0);
	for (int i = 0; i < 200; i++)
		ASSERT_TRUE(write_file(m("many/f" + std::to_string(i)), std::to_string(i)));
	for (int i = 0; i < 200; i++)
		ASSERT_TRUE(lattrs(m("many/f" + std::to_string(i))));
	auto before = stats();
	long long forgets_before = requests(before, "FORGET") + requests(before, "BATCH_FORGET");

	::sync();
	ASSERT_TRUE(write_file("/proc/sys/vm/drop_caches", "2\n")) << strerror(errno);
	long long forgets = 0;
	for (int tries = 0; tries < 100 && forgets <= forgets_before; tries++) {
		usleep(20000); // forgets are queued and sent asynchronously
		auto s = stats();
		forgets = requests(s, "FORGET") + requests(s, "BATCH_FORGET");
	}
	EXPECT_GT(forgets, forgets_before) << "no FORGET/BATCH_FORGET reached the daemon";

	for (int i = 0; i < 200; i++)
		EXPECT_EQ(read_file(m("many/f" + std::to_string(i))).value_or("<error>"),
		          std::to_string(i));
	EXPECT_EQ(list_dir(m("many")).size(), 200u);
	EXPECT_EQ(read_file(m("dir/inner")).value_or("<error>"), "inner");
}

TEST_F(MetaOps, GetattrMatchesBackingAfterChanges)
{
	int fd = ::open(m("file").c_str(), O_RDWR);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(::pwrite(fd, "abcdef", 6, 20), 6);
	struct stat via_fd, backing;
	ASSERT_EQ(::fstat(fd, &via_fd), 0);
	ASSERT_EQ(::lstat(b("file").c_str(), &backing), 0);
	EXPECT_EQ(to_attrs(via_fd), to_attrs(backing));
	EXPECT_EQ(via_fd.st_size, 26);
	EXPECT_EQ(via_fd.st_mtim.tv_sec, backing.st_mtim.tv_sec);
	EXPECT_EQ(via_fd.st_mtim.tv_nsec, backing.st_mtim.tv_nsec);
	EXPECT_EQ(via_fd.st_blocks, backing.st_blocks);
	ASSERT_EQ(::close(fd), 0);
	EXPECT_GT(requests(stats(), "GETATTR"), 0);
}

TEST_F(MetaOps, SetattrChmodChownTruncate)
{
	ASSERT_EQ(::chmod(m("file").c_str(), 04711), 0);
	EXPECT_EQ(lattrs(b("file"))->mode, S_IFREG | 04711);
	EXPECT_EQ(lattrs(m("file"))->mode, S_IFREG | 04711);

	ASSERT_EQ(::chown(m("file").c_str(), 4321, 8765), 0);
	auto after = lattrs(b("file"));
	EXPECT_EQ(after->uid, 4321u);
	EXPECT_EQ(after->gid, 8765u);
	EXPECT_EQ(*lattrs(m("file")), *after);
	// chown clears set-user-ID, as on the backing file system
	EXPECT_EQ(after->mode & 07777, 0711u);

	ASSERT_EQ(::lchown(m("link").c_str(), 42, 43), 0);
	EXPECT_EQ(lattrs(b("link"))->uid, 42u);
	EXPECT_EQ(lattrs(b("dir/inner"))->uid, 1234u) << "lchown followed the symlink";

	ASSERT_EQ(::truncate(m("file").c_str(), 4), 0);
	EXPECT_EQ(read_file(b("file")).value_or("<error>"), "0123");
	ASSERT_EQ(::truncate(m("file").c_str(), 8), 0);
	EXPECT_EQ(read_file(b("file")).value_or("<error>"), std::string("0123\0\0\0\0", 8));
	int fd = ::open(m("file").c_str(), O_RDWR);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(::ftruncate(fd, 2), 0);
	::close(fd);
	EXPECT_EQ(read_file(b("file")).value_or("<error>"), "01");
	EXPECT_EQ(lattrs(m("file"))->size, 2);
	EXPECT_EQ(sys(::truncate(m("dir").c_str(), 0)), (sys_result{-1, EISDIR}));
	EXPECT_EQ(sys(::chmod(m("missing").c_str(), 0)), (sys_result{-1, ENOENT}));
	EXPECT_GT(requests(stats(), "SETATTR"), 0);
}

TEST_F(MetaOps, SetattrUtimensNowAndOmit)
{
	struct timespec set[2] = {{1000000000, 111}, {1200000000, 222}};
	ASSERT_EQ(::utimensat(AT_FDCWD, m("file").c_str(), set, 0), 0);
	struct stat st;
	ASSERT_EQ(::lstat(b("file").c_str(), &st), 0);
	EXPECT_EQ(st.st_atim.tv_sec, 1000000000);
	EXPECT_EQ(st.st_atim.tv_nsec, 111);
	EXPECT_EQ(st.st_mtim.tv_sec, 1200000000);
	EXPECT_EQ(st.st_mtim.tv_nsec, 222);

	// atime = now, mtime untouched
	struct timespec now_omit[2] = {{0, UTIME_NOW}, {0, UTIME_OMIT}};
	struct timespec t0;
	clock_gettime(CLOCK_REALTIME, &t0);
	ASSERT_EQ(::utimensat(AT_FDCWD, m("file").c_str(), now_omit, 0), 0);
	ASSERT_EQ(::lstat(b("file").c_str(), &st), 0);
	EXPECT_GE(st.st_atim.tv_sec, t0.tv_sec - 1);
	EXPECT_LE(st.st_atim.tv_sec, t0.tv_sec + 5);
	EXPECT_EQ(st.st_mtim.tv_sec, 1200000000);
	EXPECT_EQ(st.st_mtim.tv_nsec, 222);

	// atime untouched, mtime = now
	struct timespec omit_now[2] = {{0, UTIME_OMIT}, {0, UTIME_NOW}};
	ASSERT_EQ(::utimensat(AT_FDCWD, m("file").c_str(), omit_now, 0), 0);
	struct stat st2;
	ASSERT_EQ(::lstat(b("file").c_str(), &st2), 0);
	EXPECT_EQ(st2.st_atim.tv_sec, st.st_atim.tv_sec);
	EXPECT_EQ(st2.st_atim.tv_nsec, st.st_atim.tv_nsec);
	EXPECT_GE(st2.st_mtim.tv_sec, t0.tv_sec - 1);

	// through the mount the same times show
	struct stat via_mount;
	ASSERT_EQ(::lstat(m("file").c_str(), &via_mount), 0);
	EXPECT_EQ(via_mount.st_mtim.tv_sec, st2.st_mtim.tv_sec);
	EXPECT_EQ(via_mount.st_mtim.tv_nsec, st2.st_mtim.tv_nsec);

	// on a symlink itself (AT_SYMLINK_NOFOLLOW)
	ASSERT_EQ(::utimensat(AT_FDCWD, m("link").c_str(), set, AT_SYMLINK_NOFOLLOW), 0);
	ASSERT_EQ(::lstat(b("link").c_str(), &st), 0);
	EXPECT_EQ(st.st_mtim.tv_sec, 1200000000);
	ASSERT_EQ(::lstat(b("dir/inner").c_str(), &st), 0);
	EXPECT_NE(st.st_mtim.tv_sec, 1200000000) << "utimensat NOFOLLOW changed the target";
}

TEST_F(MetaOps, AccessMatchesBacking)
{
	struct probe {
		const char *rel;
		int mode;
	};
	for (auto p : {probe{"file", F_OK}, probe{"file", R_OK | W_OK}, probe{"file", X_OK},
	               probe{"dir", X_OK}, probe{"dir/inner", X_OK}, probe{"missing", F_OK},
	               probe{"link", R_OK}}) {
		sys_result native = sys(::access(b(p.rel).c_str(), p.mode));
		sys_result mounted = sys(::access(m(p.rel).c_str(), p.mode));
		EXPECT_EQ(mounted, native) << "access(" << p.rel << ", " << p.mode << "): mount "
		                           << describe(mounted) << ", backing " << describe(native);
	}
	// root and a file with no x bit at all: X_OK is refused
	EXPECT_EQ(sys(::access(m("dir/inner").c_str(), X_OK)), (sys_result{-1, EACCES}));
}

TEST_F(MetaOps, StatfsMatchesBacking)
{
	struct statvfs via_mount, backing;
	ASSERT_EQ(::statvfs(m("").c_str(), &via_mount), 0);
	ASSERT_EQ(::statvfs(b("").c_str(), &backing), 0);
	EXPECT_EQ(via_mount.f_bsize, backing.f_bsize);
	EXPECT_EQ(via_mount.f_frsize, backing.f_frsize);
	EXPECT_EQ(via_mount.f_blocks, backing.f_blocks);
	EXPECT_EQ(via_mount.f_files, backing.f_files);
	EXPECT_EQ(via_mount.f_namemax, backing.f_namemax);
	// free space moves with other activity on the disk; allow 1%
	EXPECT_NEAR(static_cast<double>(via_mount.f_bfree), static_cast<double>(backing.f_bfree),
	            backing.f_blocks / 100.0);
	EXPECT_GT(requests(stats(), "STATFS"), 0);
}

} // namespace
} // namespace fusebpf::test
