// SPDX-License-Identifier: GPL-2.0-or-later
//
// quota_test: examples/quota through a real mount.  With a 64 KiB budget put
// into the pinned `quota` map: writes under the budget succeed, a write or
// fallocate past it fails with EDQUOT (and leaves the backing file as it
// was), statfs reports the budget and what is left of it, and truncate and
// unlink give bytes back.  Cleans up (unmount, unload) in the fixture.
#include "tests/examples/common/example_table.h"
#include "tests/support/mounted_fs.h"
#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>

#include <bpf/bpf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

namespace {

constexpr uint64_t budget = 64 * 1024;
constexpr uint64_t block = 4096;

class Quota : public ::testing::Test {
protected:
	void SetUp() override
	{
		ASSERT_EQ(table_.load(FILTER_OBJ, "ex_quota"), "");
		auto fd = table_.map_fd("quota");
		ASSERT_TRUE(fd) << strerror(errno);
		uint32_t key = 0;
		ASSERT_EQ(bpf_map_update_elem(fd.get(), &key, &budget, BPF_ANY), 0);
		backing_ = dir_.subdir("backing");
		fs_ = std::make_unique<fusebpf::test::mounted_fs>(
		    backing_, dir_.subdir("mnt"),
		    std::vector<std::string>{"--ops", std::to_string(table_.id())});
		std::string why;
		ASSERT_TRUE(fs_->start(why)) << why;
	}
	void TearDown() override
	{
		if (fs_)
			fs_->stop();
		EXPECT_EQ(table_.unload(), "");
	}
	std::string mnt(const std::string &rel) const { return fs_->mountpoint() + "/" + rel; }

	// Writes n bytes at offset with one pwrite; returns 0 or errno.
	static int write_at(const std::string &path, uint64_t offset, size_t n)
	{
		int fd = open(path.c_str(), O_WRONLY | O_CREAT, 0644);
		if (fd < 0)
			return errno;
		std::string data(n, 'q');
		ssize_t w = pwrite(fd, data.data(), n, static_cast<off_t>(offset));
		int err = w < 0 ? errno : (static_cast<size_t>(w) == n ? 0 : EIO);
		close(fd);
		return err;
	}
	uint64_t used() const
	{
		auto fd = table_.map_fd("quota");
		uint32_t key = 1;
		uint64_t value = ~0ull;
		bpf_map_lookup_elem(fd.get(), &key, &value);
		return value;
	}
	off_t backing_size(const std::string &rel) const
	{
		struct stat st;
		return stat((backing_ + "/" + rel).c_str(), &st) == 0 ? st.st_size : -1;
	}

	fusebpf::test::temp_dir dir_{"ex_quota"};
	fusebpf::test::example_table table_;
	std::string backing_;
	std::unique_ptr<fusebpf::test::mounted_fs> fs_;
};

TEST_F(Quota, WritesUnderTheBudgetWorkPastItFailWithEdquot)
{
	ASSERT_EQ(write_at(mnt("a"), 0, 32 * 1024), 0);
	EXPECT_EQ(used(), 32 * 1024u);
	// Rewriting bytes that exist does not grow the file: no charge.
	ASSERT_EQ(write_at(mnt("a"), 0, 16 * 1024), 0);
	EXPECT_EQ(used(), 32 * 1024u);
	ASSERT_EQ(write_at(mnt("b"), 0, 24 * 1024), 0);
	EXPECT_EQ(used(), 56 * 1024u);
	// 56 KiB used of 64: another 16 KiB does not fit.
	EXPECT_EQ(write_at(mnt("c"), 0, 16 * 1024), EDQUOT);
	EXPECT_EQ(backing_size("c"), 0);
	EXPECT_EQ(write_at(mnt("a"), 32 * 1024, 16 * 1024), EDQUOT);
	EXPECT_EQ(backing_size("a"), 32 * 1024);
	EXPECT_EQ(used(), 56 * 1024u);
	// 8 KiB still fit.
	EXPECT_EQ(write_at(mnt("c"), 0, 8 * 1024), 0);
	EXPECT_EQ(used(), budget);
	EXPECT_EQ(fs_->stop(), "exit 0") << fs_->daemon_log();
}

TEST_F(Quota, FallocatePastTheBudgetFailsKeepSizeDoesNotCount)
{
	int fd = open(mnt("f").c_str(), O_RDWR | O_CREAT, 0644);
	ASSERT_GE(fd, 0) << strerror(errno);
	EXPECT_EQ(fallocate(fd, 0, 0, 40 * 1024), 0) << strerror(errno);
	EXPECT_EQ(used(), 40 * 1024u);
	errno = 0;
	EXPECT_EQ(fallocate(fd, 0, 0, 80 * 1024), -1);
	EXPECT_EQ(errno, EDQUOT);
	EXPECT_EQ(backing_size("f"), 40 * 1024);
	close(fd);
	EXPECT_EQ(fs_->stop(), "exit 0") << fs_->daemon_log();
}

TEST_F(Quota, StatfsReportsTheBudgetTruncateAndUnlinkGiveBack)
{
	struct statvfs sv;
	ASSERT_EQ(statvfs(fs_->mountpoint().c_str(), &sv), 0) << strerror(errno);
	EXPECT_EQ(sv.f_frsize, block);
	EXPECT_EQ(sv.f_blocks, budget / block);
	EXPECT_EQ(sv.f_bfree, budget / block);
	EXPECT_EQ(sv.f_bavail, budget / block);

	ASSERT_EQ(write_at(mnt("big"), 0, 48 * 1024), 0);
	ASSERT_EQ(statvfs(fs_->mountpoint().c_str(), &sv), 0);
	EXPECT_EQ(sv.f_blocks, budget / block);
	EXPECT_EQ(sv.f_bfree, (budget - 48 * 1024) / block);

	ASSERT_EQ(truncate(mnt("big").c_str(), 16 * 1024), 0) << strerror(errno);
	EXPECT_EQ(used(), 16 * 1024u);
	ASSERT_EQ(statvfs(fs_->mountpoint().c_str(), &sv), 0);
	EXPECT_EQ(sv.f_bfree, (budget - 16 * 1024) / block);

	ASSERT_EQ(unlink(mnt("big").c_str()), 0) << strerror(errno);
	EXPECT_EQ(used(), 0u);
	// The budget is free again: a 60 KiB file fits.
	EXPECT_EQ(write_at(mnt("again"), 0, 60 * 1024), 0);
	EXPECT_EQ(fs_->stop(), "exit 0") << fs_->daemon_log();
}

} // namespace
