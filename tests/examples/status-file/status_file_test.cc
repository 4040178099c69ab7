// SPDX-License-Identifier: GPL-2.0-or-later
//
// status_file_test: examples/status-file through a real mount.  The virtual
// file MNT/.fusebpf-status exists only in the mount (not in the backing
// directory), is a read-only regular file, and its text shows op counters
// that grow as the mount is used.  Cleans up (unmount, unload) in the
// fixture.
#include "tests/support/fs.h"
#include "tests/examples/common/example_table.h"
#include "tests/support/mounted_fs.h"
#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

namespace {

using fusebpf::test::read_text;

// The number after "key " at the start of a line of text, or -1.
long long counter(const std::string &text, const std::string &key)
{
	std::istringstream in(text);
	for (std::string line; std::getline(in, line);)
		if (line.rfind(key + " ", 0) == 0)
			return std::stoll(line.substr(key.size() + 1));
	return -1;
}

class StatusFile : public ::testing::Test {
protected:
	void SetUp() override
	{
		ASSERT_EQ(table_.load(FILTER_OBJ, "ex_status"), "");
		backing_ = dir_.subdir("backing");
		std::ofstream(backing_ + "/data.txt") << "data\n";
		fs_ = std::make_unique<fusebpf::test::mounted_fs>(
		    backing_, dir_.subdir("mnt"),
		    std::vector<std::string>{"--ops", std::to_string(table_.id()), "--user-filter",
		                             USER_FILTER_SO});
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

	fusebpf::test::temp_dir dir_{"ex_status_file"};
	fusebpf::test::example_table table_;
	std::string backing_;
	std::unique_ptr<fusebpf::test::mounted_fs> fs_;
};

TEST_F(StatusFile, VirtualFileShowsCountersThatGrow)
{
	struct stat st;
	ASSERT_EQ(stat(mnt(".fusebpf-status").c_str(), &st), 0) << strerror(errno);
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ(st.st_mode & 0777, 0444u);
	errno = 0;
	EXPECT_EQ(stat((backing_ + "/.fusebpf-status").c_str(), &st), -1);
	EXPECT_EQ(errno, ENOENT);

	std::string first = read_text(mnt(".fusebpf-status"));
	ASSERT_NE(counter(first, "ops_total"), -1) << first;
	long long total = counter(first, "ops_total");

	// Use the mount: lookups, getattrs, an open and reads of a real file.
	for (int i = 0; i < 5; i++) {
		ASSERT_EQ(stat(mnt("data.txt").c_str(), &st), 0);
		EXPECT_EQ(read_text(mnt("data.txt")), "data\n");
	}
	errno = 0;
	EXPECT_EQ(stat(mnt("missing").c_str(), &st), -1);

	std::string second = read_text(mnt(".fusebpf-status"));
	EXPECT_GT(counter(second, "ops_total"), total) << first << "---\n" << second;
	EXPECT_GE(counter(second, "lookup"), 1) << second;
	EXPECT_GE(counter(second, "open"), 1) << second;
	EXPECT_NE(counter(second, "uptime_seconds"), -1) << second;

	// Read-only: opening it for writing fails, the text stays.
	errno = 0;
	EXPECT_EQ(open(mnt(".fusebpf-status").c_str(), O_WRONLY), -1);
	EXPECT_EQ(errno, EACCES);
	EXPECT_EQ(fs_->stop(), "exit 0") << fs_->daemon_log();
}

} // namespace
