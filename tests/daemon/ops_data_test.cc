// SPDX-License-Identifier: GPL-2.0-or-later
//
// Data ops through a real mount, checked against the backing dir: open /
// release, opendir / releasedir, read, write (offsets, O_APPEND), flush,
// fsync / fdatasync / fsyncdir, fallocate (plain, KEEP_SIZE, PUNCH_HOLE),
// lseek SEEK_DATA / SEEK_HOLE on a sparse file, copy_file_range, and I/O on a
// file that was unlinked while open. Every test runs twice: with passthrough
// (the default) and with --no-passthrough, where read/write reach the daemon.
#include "tests/daemon/fs_util.h"
#include "tests/daemon/mount_fixture.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <unistd.h>

namespace fusebpf::test {
namespace {

class DataOps : public mount_fixture, public ::testing::WithParamInterface<bool> {
protected:
	std::vector<std::string> mount_args() const override
	{
		if (GetParam())
			return {};
		return {"--no-passthrough"};
	}

	// Polls the stats until ops.<op>.requests > `than` (releases and forgets
	// are sent asynchronously after close()); returns the last value.
	long long wait_requests_above(const std::string &op, long long than)
	{
		long long v = -1;
		for (int i = 0; i < 100; i++) {
			v = requests(stats(), op);
			if (v > than || v < 0)
				break;
			usleep(20000);
		}
		return v;
	}
};

std::string pattern(size_t len, unsigned seed)
{
	std::string s(len, '\0');
	for (size_t i = 0; i < len; i++)
		s[i] = static_cast<char>('a' + (i * 7 + seed) % 26);
	return s;
}

TEST_P(DataOps, OpenReleaseOpendirReleasedir)
{
	ASSERT_TRUE(write_file(m("f"), "hello"));
	auto before = stats();
	int fd = ::open(m("f").c_str(), O_RDONLY);
	ASSERT_GE(fd, 0);
	int fd2 = ::open(m("f").c_str(), O_RDWR);
	ASSERT_GE(fd2, 0);
	EXPECT_EQ(sys(::write(fd, "x", 1)), (sys_result{-1, EBADF}));
	EXPECT_EQ(::close(fd), 0);
	EXPECT_EQ(::close(fd2), 0);
	EXPECT_GE(wait_requests_above("RELEASE", requests(before, "RELEASE") + 1),
	          requests(before, "RELEASE") + 2);
	EXPECT_GE(requests(stats(), "OPEN"), requests(before, "OPEN") + 2);

	DIR *d = ::opendir(m("").c_str());
	ASSERT_NE(d, nullptr);
	EXPECT_EQ(::closedir(d), 0);
	EXPECT_GT(wait_requests_above("RELEASEDIR", requests(before, "RELEASEDIR")),
	          requests(before, "RELEASEDIR"));
	EXPECT_GT(requests(stats(), "OPENDIR"), requests(before, "OPENDIR"));

	EXPECT_EQ(sys(::open(m("missing").c_str(), O_RDONLY)), (sys_result{-1, ENOENT}));
	EXPECT_EQ(sys(::open(m("f").c_str(), O_RDONLY | O_DIRECTORY)), (sys_result{-1, ENOTDIR}));
	EXPECT_EQ(sys(::open(m("").c_str(), O_WRONLY)), (sys_result{-1, EISDIR}));
}

TEST_P(DataOps, ReadWriteAtOffsetsAndAppend)
{
	int fd = ::open(m("f").c_str(), O_CREAT | O_RDWR, 0644);
	ASSERT_GE(fd, 0);
	std::string a = pattern(100000, 1), c = pattern(5000, 2);
	ASSERT_EQ(::pwrite(fd, a.data(), a.size(), 0), static_cast<ssize_t>(a.size()));
	ASSERT_EQ(::pwrite(fd, c.data(), c.size(), 200000), static_cast<ssize_t>(c.size()));
	std::string expect = a + std::string(100000, '\0') + c;
	std::string got(expect.size() + 10, '?');
	EXPECT_EQ(::pread(fd, got.data(), got.size(), 0), static_cast<ssize_t>(expect.size()));
	got.resize(expect.size());
	EXPECT_TRUE(got == expect) << "data read back through the mount differs";
	ASSERT_EQ(::close(fd), 0);
	EXPECT_TRUE(read_file(b("f")) == expect) << "backing file content differs";

	fd = ::open(m("f").c_str(), O_WRONLY | O_APPEND);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(::write(fd, "tail", 4), 4);
	ASSERT_EQ(::pwrite(fd, "more", 4, 0), 4); // O_APPEND: pwrite appends on Linux
	ASSERT_EQ(::close(fd), 0);
	EXPECT_TRUE(read_file(b("f")) == expect + "tailmore");

	char buf[10];
	fd = ::open(m("f").c_str(), O_RDONLY);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(::pread(fd, buf, sizeof buf, 10000000), 0) << "read past EOF";
	EXPECT_EQ(sys(::read(fd, buf, 0)), (sys_result{0, 0}));
	::close(fd);
	auto s = stats();
	if (!GetParam()) {
		EXPECT_GT(requests(s, "READ"), 0);
		EXPECT_GT(requests(s, "WRITE"), 0);
	}
}

TEST_P(DataOps, FlushFsyncFsyncdir)
{
	auto before = stats();
	int fd = ::open(m("f").c_str(), O_CREAT | O_RDWR, 0644);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(::write(fd, "data", 4), 4);
	EXPECT_EQ(::fsync(fd), 0);
	EXPECT_EQ(::fdatasync(fd), 0);
	int dup = ::dup(fd);
	EXPECT_EQ(::close(dup), 0); // a close of a dup flushes too
	EXPECT_EQ(::close(fd), 0);
	int dfd = ::open(m("").c_str(), O_RDONLY | O_DIRECTORY);
	ASSERT_GE(dfd, 0);
	EXPECT_EQ(::fsync(dfd), 0);
	EXPECT_EQ(::fdatasync(dfd), 0);
	::close(dfd);
	auto s = stats();
	EXPECT_GE(requests(s, "FLUSH"), requests(before, "FLUSH") + 2);
	EXPECT_GE(requests(s, "FSYNC"), requests(before, "FSYNC") + 2);
	EXPECT_GE(requests(s, "FSYNCDIR"), requests(before, "FSYNCDIR") + 2);
	EXPECT_EQ(read_file(b("f")).value_or("<error>"), "data");
}

TEST_P(DataOps, FallocateAndPunchHole)
{
	int fd = ::open(m("f").c_str(), O_CREAT | O_RDWR, 0644);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(::fallocate(fd, 0, 0, 1 << 20), 0) << strerror(errno);
	EXPECT_EQ(lattrs(b("f"))->size, 1 << 20);
	ASSERT_EQ(::fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 2 << 20), 0) << strerror(errno);
	EXPECT_EQ(lattrs(b("f"))->size, 1 << 20);
	struct stat st;
	ASSERT_EQ(::stat(b("f").c_str(), &st), 0);
	EXPECT_GE(st.st_blocks * 512, 2 << 20) << "KEEP_SIZE did not allocate";

	std::string ones(1 << 20, '1');
	ASSERT_EQ(::pwrite(fd, ones.data(), ones.size(), 0), static_cast<ssize_t>(ones.size()));
	ASSERT_EQ(::fsync(fd), 0);
	ASSERT_EQ(::fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 65536, 131072), 0)
	    << strerror(errno);
	EXPECT_EQ(lattrs(b("f"))->size, 1 << 20);
	std::string expect = ones;
	std::fill(expect.begin() + 65536, expect.begin() + 65536 + 131072, '\0');
	std::string got(expect.size(), '?');
	ASSERT_EQ(::pread(fd, got.data(), got.size(), 0), static_cast<ssize_t>(got.size()));
	EXPECT_TRUE(got == expect) << "punched range does not read as zeros through the mount";
	EXPECT_TRUE(read_file(b("f")) == expect) << "punched range is not zero in the backing file";
	// the hole is real in the backing file
	int bfd = ::open(b("f").c_str(), O_RDONLY);
	ASSERT_GE(bfd, 0);
	EXPECT_EQ(::lseek(bfd, 0, SEEK_HOLE), 65536);
	::close(bfd);
	EXPECT_EQ(sys(::fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 4096)), (sys_result{-1, EOPNOTSUPP}))
	    << "PUNCH_HOLE without KEEP_SIZE must be refused as natively";
	::close(fd);
	EXPECT_GT(requests(stats(), "FALLOCATE"), 0);
}

TEST_P(DataOps, LseekDataHoleOnSparseFile)
{
	const off_t mib = 1 << 20;
	int fd = ::open(m("sparse").c_str(), O_CREAT | O_RDWR, 0644);
	ASSERT_GE(fd, 0);
	std::string blk(4096, 'd');
	ASSERT_EQ(::pwrite(fd, blk.data(), blk.size(), 0), 4096);
	ASSERT_EQ(::pwrite(fd, blk.data(), blk.size(), mib), 4096);
	ASSERT_EQ(::ftruncate(fd, 3 * mib), 0);
	ASSERT_EQ(::fsync(fd), 0);
	int bfd = ::open(b("sparse").c_str(), O_RDONLY);
	ASSERT_GE(bfd, 0);
	struct probe {
		off_t off;
		int whence;
	};
	for (auto p :
	     {probe{0, SEEK_DATA}, probe{0, SEEK_HOLE}, probe{4096, SEEK_DATA},
	      probe{100000, SEEK_DATA}, probe{mib, SEEK_HOLE}, probe{mib + 4096, SEEK_DATA},
	      probe{2 * mib, SEEK_HOLE}, probe{3 * mib, SEEK_DATA}, probe{4 * mib, SEEK_HOLE},
	      probe{10, SEEK_SET}, probe{5, SEEK_END}}) {
		sys_result mounted = sys(::lseek(fd, p.off, p.whence));
		sys_result native = sys(::lseek(bfd, p.off, p.whence));
		EXPECT_EQ(mounted, native) << "lseek(" << p.off << ", " << p.whence << "): mount "
		                           << describe(mounted) << ", backing " << describe(native);
	}
	EXPECT_EQ(::lseek(fd, 4096, SEEK_DATA), mib);
	EXPECT_EQ(sys(::lseek(fd, 3 * mib, SEEK_DATA)), (sys_result{-1, ENXIO}));
	::close(bfd);
	::close(fd);
}

TEST_P(DataOps, CopyFileRange)
{
	std::string src = pattern(300000, 5);
	ASSERT_TRUE(write_file(m("src"), src));
	int in = ::open(m("src").c_str(), O_RDONLY);
	int out = ::open(m("dst").c_str(), O_CREAT | O_WRONLY, 0644);
	ASSERT_GE(in, 0);
	ASSERT_GE(out, 0);
	loff_t in_off = 1000, out_off = 50;
	size_t want = 200000, done = 0;
	while (done < want) {
		ssize_t n = ::copy_file_range(in, &in_off, out, &out_off, want - done, 0);
		ASSERT_GT(n, 0) << strerror(errno);
		done += static_cast<size_t>(n);
	}
	::close(in);
	::close(out);
	std::string expect = std::string(50, '\0') + src.substr(1000, 200000);
	EXPECT_TRUE(read_file(b("dst")) == expect) << "copy_file_range result differs in backing";
	EXPECT_TRUE(read_file(m("dst")) == expect) << "copy_file_range result differs via mount";
	if (!GetParam()) {
		EXPECT_GT(requests(stats(), "COPY_FILE_RANGE"), 0);
	}
}

TEST_P(DataOps, UnlinkWhileOpen)
{
	int fd = ::open(m("f").c_str(), O_CREAT | O_RDWR, 0644);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(::write(fd, "before", 6), 6);
	ASSERT_EQ(::unlink(m("f").c_str()), 0);
	EXPECT_FALSE(lattrs(b("f"))) << "the name is still in the backing dir";
	EXPECT_FALSE(lattrs(m("f")));
	struct stat st;
	ASSERT_EQ(::fstat(fd, &st), 0);
	EXPECT_EQ(st.st_nlink, 0u);
	ASSERT_EQ(::pwrite(fd, "AFTER", 5, 6), 5);
	char buf[32] = {};
	ASSERT_EQ(::pread(fd, buf, sizeof buf, 0), 11);
	EXPECT_STREQ(buf, "beforeAFTER");
	ASSERT_EQ(::ftruncate(fd, 3), 0);
	ASSERT_EQ(::fstat(fd, &st), 0);
	EXPECT_EQ(st.st_size, 3);
	EXPECT_EQ(::close(fd), 0);
	// a new file of the same name is a different file
	ASSERT_TRUE(write_file(m("f"), "new"));
	EXPECT_EQ(read_file(b("f")).value_or("<error>"), "new");
}

INSTANTIATE_TEST_SUITE_P(Passthrough, DataOps, ::testing::Values(true, false),
                         [](const auto &p) { return p.param ? "on" : "off"; });

} // namespace
} // namespace fusebpf::test
