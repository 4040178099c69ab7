// SPDX-License-Identifier: GPL-2.0-or-later
//
// redirect_test: examples/redirect through a real mount.  An alias put into
// the pinned `aliases` map makes `MNT/ALIAS` read and stat as its target;
// the alias does not show in a listing; with case folding switched on in
// `redirect_options`, any spelling of a lower-case backing name works.
// Cleans up (unmount, unload) in the fixture.
#include "tests/support/fs.h"
#include "tests/examples/common/example_table.h"
#include "tests/support/mounted_fs.h"
#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>

#include <bpf/bpf.h>
#include <dirent.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <sys/stat.h>

namespace {

using fusebpf::test::read_text;

struct name64 {
	char name[64] = {};
	explicit name64(const std::string &s) { std::strncpy(name, s.c_str(), sizeof(name) - 1); }
};

std::set<std::string> list_dir(const std::string &path)
{
	std::set<std::string> names;
	if (DIR *d = opendir(path.c_str())) {
		while (dirent *e = readdir(d))
			names.insert(e->d_name);
		closedir(d);
	}
	return names;
}

class Redirect : public ::testing::Test {
protected:
	void SetUp() override
	{
		ASSERT_EQ(table_.load(FILTER_OBJ, "ex_redirect"), "");
		backing_ = dir_.subdir("backing");
		std::ofstream(backing_ + "/target.txt") << "the target\n";
		std::ofstream(backing_ + "/other.txt") << "another file\n";
		fs_ = std::make_unique<fusebpf::test::mounted_fs>(
		    backing_, dir_.subdir("mnt"),
		    std::vector<std::string>{"--ops", std::to_string(table_.id()), "-o",
		                             "entry_timeout=0,attr_timeout=0"});
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

	void set_alias(const std::string &alias, const std::string &target)
	{
		auto fd = table_.map_fd("aliases");
		ASSERT_TRUE(fd) << strerror(errno);
		name64 k(alias), v(target);
		ASSERT_EQ(bpf_map_update_elem(fd.get(), &k, &v, BPF_ANY), 0) << strerror(errno);
	}
	void set_fold_case(bool on)
	{
		auto fd = table_.map_fd("redirect_options");
		ASSERT_TRUE(fd) << strerror(errno);
		uint32_t key = 0, value = on ? 1 : 0;
		ASSERT_EQ(bpf_map_update_elem(fd.get(), &key, &value, BPF_ANY), 0)
		    << strerror(errno);
	}

	fusebpf::test::temp_dir dir_{"ex_redirect"};
	fusebpf::test::example_table table_;
	std::string backing_;
	std::unique_ptr<fusebpf::test::mounted_fs> fs_;
};

TEST_F(Redirect, AliasReadsItsTarget)
{
	struct stat st, target;
	errno = 0;
	EXPECT_EQ(stat(mnt("latest").c_str(), &st), -1);
	EXPECT_EQ(errno, ENOENT);

	set_alias("latest", "target.txt");
	EXPECT_EQ(read_text(mnt("latest")), "the target\n");
	ASSERT_EQ(stat(mnt("latest").c_str(), &st), 0) << strerror(errno);
	ASSERT_EQ(stat((backing_ + "/target.txt").c_str(), &target), 0);
	EXPECT_EQ(st.st_ino, target.st_ino);
	EXPECT_EQ(st.st_size, target.st_size);
	// Only lookups are rewritten: the listing shows the backing names.
	auto names = list_dir(fs_->mountpoint());
	EXPECT_TRUE(names.count("target.txt"));
	EXPECT_FALSE(names.count("latest"));

	// Pointing the alias elsewhere takes effect at the next lookup.
	set_alias("latest", "other.txt");
	EXPECT_EQ(read_text(mnt("latest")), "another file\n");
	// Other names are untouched.
	EXPECT_EQ(read_text(mnt("target.txt")), "the target\n");
	EXPECT_EQ(fs_->stop(), "exit 0") << fs_->daemon_log();
}

TEST_F(Redirect, FoldCaseFindsLowerCaseBackingNames)
{
	struct stat st;
	errno = 0;
	EXPECT_EQ(stat(mnt("TARGET.TXT").c_str(), &st), -1);
	EXPECT_EQ(errno, ENOENT);
	set_fold_case(true);
	EXPECT_EQ(read_text(mnt("TARGET.TXT")), "the target\n");
	EXPECT_EQ(read_text(mnt("Other.Txt")), "another file\n");
	set_fold_case(false);
	errno = 0;
	EXPECT_EQ(stat(mnt("Target.txt").c_str(), &st), -1);
	EXPECT_EQ(errno, ENOENT);
	EXPECT_EQ(fs_->stop(), "exit 0") << fs_->daemon_log();
}

} // namespace
