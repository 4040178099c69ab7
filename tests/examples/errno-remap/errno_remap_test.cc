// SPDX-License-Identifier: GPL-2.0-or-later
//
// errno_remap_test: examples/errno-remap through a real mount.  A mkdir
// of a hidden name that exists in the backing dir fails with EPERM instead
// of EEXIST; a missing "private-*"
// name fails with EACCES instead of ENOENT; other names keep their errors
// and existing names work.  Cleans up (unmount, unload) in the fixture.
#include "tests/examples/common/example_table.h"
#include "tests/support/mounted_fs.h"
#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

namespace {

class ErrnoRemap : public ::testing::Test {
protected:
	void SetUp() override
	{
		ASSERT_EQ(table_.load(FILTER_OBJ, "ex_errno"), "");
		backing_ = dir_.subdir("backing");
		std::ofstream(backing_ + "/private-present") << "here\n";
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

	fusebpf::test::temp_dir dir_{"ex_errno_remap"};
	fusebpf::test::example_table table_;
	std::string backing_;
	std::unique_ptr<fusebpf::test::mounted_fs> fs_;
};

// errno of a call that must fail, 0 if it succeeded.
int fails_with(int rc)
{
	return rc == 0 ? 0 : errno;
}

// The kernel answers EEXIST itself for a name its lookup found, so MKDIR
// reaches the daemon with an existing name when the lookup hides it: a
// "hidden-*" name the backing dir has. The backing EEXIST would tell the
// caller the hidden name exists; the postfilter makes it EPERM.
TEST_F(ErrnoRemap, MkdirOfAHiddenExistingNameFailsWithEperm)
{
	struct stat st;
	ASSERT_EQ(mkdir((backing_ + "/hidden-dir").c_str(), 0755), 0);
	EXPECT_EQ(fails_with(stat(mnt("hidden-dir").c_str(), &st)), ENOENT);
	EXPECT_EQ(fails_with(mkdir(mnt("hidden-dir").c_str(), 0755)), EPERM);
	// The backing fs itself says EEXIST: the remapping is the filter's.
	EXPECT_EQ(fails_with(mkdir((backing_ + "/hidden-dir").c_str(), 0755)), EEXIST);
	// A fresh name works, a hidden fresh one too; other mkdir errors pass unchanged.
	EXPECT_EQ(fails_with(mkdir(mnt("new").c_str(), 0755)), 0);
	EXPECT_EQ(fails_with(mkdir(mnt("hidden-new").c_str(), 0755)), 0);
	EXPECT_EQ(stat((backing_ + "/hidden-new").c_str(), &st), 0);
	EXPECT_EQ(fails_with(mkdir(mnt("nodir/sub").c_str(), 0755)), ENOENT);
	EXPECT_EQ(fs_->stop(), "exit 0") << fs_->daemon_log();
}

TEST_F(ErrnoRemap, MissingPrivateNamesFailWithEaccesOthersWithEnoent)
{
	struct stat st;
	EXPECT_EQ(fails_with(stat(mnt("private-missing").c_str(), &st)), EACCES);
	EXPECT_EQ(fails_with(open(mnt("private-missing").c_str(), O_RDONLY)), EACCES);
	EXPECT_EQ(fails_with(unlink(mnt("private-missing").c_str())), EACCES);
	EXPECT_EQ(fails_with(stat(mnt("public-missing").c_str(), &st)), ENOENT);
	// An existing private name is served as usual.
	ASSERT_EQ(stat(mnt("private-present").c_str(), &st), 0) << strerror(errno);
	std::ifstream in(mnt("private-present"));
	std::string line;
	std::getline(in, line);
	EXPECT_EQ(line, "here");
	EXPECT_EQ(fs_->stop(), "exit 0") << fs_->daemon_log();
}

} // namespace
