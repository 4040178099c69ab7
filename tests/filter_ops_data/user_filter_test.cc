// SPDX-License-Identifier: GPL-2.0-or-later
//
// user_filter_test: the data ops of virtual nodes and userspace-served data
// through a real mount with `--ops` (user_ops.bpf.c) and `--user-filter`
// (data_user.cc): a virtual file read with cat, a virtual directory listed
// and its files read, a virtual entry a user postfilter adds to a real
// listing, and a real file whose first block userspace serves while the
// rest comes from the backing file.  ops_data_test.cc covers the BPF
// verdicts without a user filter.
#include "ops_data_fixture.h"
#include "tests/support/process.h"

#include <dirent.h>
#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace fusebpf::ops_data_test {
namespace {

std::vector<std::string> list_dir(const std::string &path)
{
	std::vector<std::string> names;
	DIR *d = opendir(path.c_str());
	EXPECT_NE(d, nullptr) << path << ": " << std::strerror(errno);
	if (!d)
		return names;
	errno = 0;
	while (struct dirent *e = readdir(d)) {
		std::string n = e->d_name;
		if (n != "." && n != "..")
			names.push_back(n);
	}
	EXPECT_EQ(errno, 0) << std::strerror(errno);
	closedir(d);
	std::sort(names.begin(), names.end());
	return names;
}

class OpsDataUserTest : public OpsDataTest {
protected:
	const char *object() const override { return OPS_DATA_USER_OBJ; }
	bool knobs() const override { return false; }

	void mount_with_user_filter()
	{
		mount("attr_timeout=0,entry_timeout=0", {"--user-filter", OPS_DATA_USER_LIB});
	}
};

TEST_F(OpsDataUserTest, CatReadsAVirtualFile)
{
	write_file(back("real"), "real\n");
	mount_with_user_filter();
	auto r = test::run_command({"cat", mnt("virt")});
	EXPECT_EQ(r.describe(), "exit 0") << r.err;
	EXPECT_EQ(r.out, "served by the user filter\n");
	struct stat st;
	ASSERT_EQ(stat(mnt("virt").c_str(), &st), 0);
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ(st.st_size, 26);
	EXPECT_NE(access(back("virt").c_str(), F_OK), 0) << "nothing in the backing tree";
	// Reads at an offset (FOPEN_DIRECT_IO: each read reaches the handler).
	int fd = open(mnt("virt").c_str(), O_RDONLY);
	ASSERT_GE(fd, 0) << std::strerror(errno);
	char buf[16] = {};
	EXPECT_EQ(pread(fd, buf, 6, 7), 6);
	EXPECT_STREQ(buf, "by the");
	EXPECT_EQ(close(fd), 0) << "flush and release of a virtual file succeed";
	// A write: the handler declines it, so it fails with EOPNOTSUPP.
	fd = open(mnt("virt").c_str(), O_WRONLY);
	ASSERT_GE(fd, 0) << std::strerror(errno);
	errno = 0;
	EXPECT_EQ(write(fd, "x", 1), -1);
	EXPECT_EQ(errno, EOPNOTSUPP);
	close(fd);
	EXPECT_EQ(read_text(mnt("real")), "real\n") << "real files are untouched";
	auto s = stats();
	EXPECT_GE(counter(s, "READ", "requests"), 2u) << s.dump();
	EXPECT_GE(s["ops"]["READ"]["user"]["handler"].get<uint64_t>(), 2u) << s.dump();
	EXPECT_EQ(fs_->stop(), "exit 0") << fs_->daemon_log();
}

TEST_F(OpsDataUserTest, AVirtualDirectoryIsListedAndItsFilesRead)
{
	mount_with_user_filter();
	for (int i = 0; i < 2; i++)
		EXPECT_EQ(list_dir(mnt("vdir")), (std::vector<std::string>{"a", "b"}));
	EXPECT_EQ(read_text(mnt("vdir/a")), "A\n");
	EXPECT_EQ(read_text(mnt("vdir/b")), "B\n");
	struct stat st;
	errno = 0;
	EXPECT_NE(stat(mnt("vdir/c").c_str(), &st), 0);
	EXPECT_EQ(errno, ENOENT);
	int dfd = open(mnt("vdir").c_str(), O_RDONLY | O_DIRECTORY);
	ASSERT_GE(dfd, 0);
	EXPECT_EQ(fsync(dfd), 0) << "fsyncdir of a virtual dir succeeds";
	EXPECT_EQ(close(dfd), 0);
	EXPECT_EQ(fs_->stop(), "exit 0") << fs_->daemon_log();
}

TEST_F(OpsDataUserTest, AUserPostfilterAddsAVirtualEntryToARealListing)
{
	write_file(back("one"), "1");
	write_file(back("two"), "2");
	mount_with_user_filter();
	for (int i = 0; i < 3; i++)
		EXPECT_EQ(list_dir(mnt()), (std::vector<std::string>{"one", "two", "virt"}));
	auto r = test::run_command({"cat", mnt("virt")});
	EXPECT_EQ(r.out, "served by the user filter\n") << r.err;
	auto s = stats();
	uint64_t posts = 0;
	for (const char *op : {"READDIR", "READDIRPLUS"})
		if (s["ops"].contains(op) && s["ops"][op].contains("user"))
			posts += s["ops"][op]["user"]["postfilter"].get<uint64_t>();
	EXPECT_GE(posts, 3u) << s.dump();
	EXPECT_EQ(fs_->stop(), "exit 0") << fs_->daemon_log();
}

TEST_F(OpsDataUserTest, UserspaceServesTheFirstBlockAndTheBackingFileTheRest)
{
	write_file(back("partial"), std::string(8192, 'b'));
	write_file(back("whole"), std::string(8192, 'w'));
	mount_with_user_filter();
	// O_DIRECT: the kernel sends exactly these reads (no readahead).
	int fd = open(mnt("partial").c_str(), O_RDONLY | O_DIRECT);
	ASSERT_GE(fd, 0) << std::strerror(errno);
	void *mem = nullptr;
	ASSERT_EQ(posix_memalign(&mem, 4096, 4096), 0);
	std::unique_ptr<char, decltype(&std::free)> buf(static_cast<char *>(mem), &std::free);
	ASSERT_EQ(pread(fd, buf.get(), 4096, 0), 4096);
	EXPECT_EQ(std::string(buf.get(), 4096), std::string(4096, 'U'));
	ASSERT_EQ(pread(fd, buf.get(), 4096, 4096), 4096);
	EXPECT_EQ(std::string(buf.get(), 4096), std::string(4096, 'b'));
	close(fd);
	// Another file: every read declined, all backing data.
	EXPECT_EQ(read_text(mnt("whole")), std::string(8192, 'w'));
	auto s = stats();
	EXPECT_GE(counter(s, "READ", "requests"), 3u) << s.dump();
	EXPECT_EQ(fs_->stop(), "exit 0") << fs_->daemon_log();
}

} // namespace
} // namespace fusebpf::ops_data_test
