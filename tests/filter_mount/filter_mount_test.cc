// SPDX-License-Identifier: GPL-2.0-or-later
//
// filter_mount_test: LOOKUP and GETATTR filtered through a real mount.  A
// real BPF table (hide_and_chmod.bpf.c) is loaded with the loader, bound to
// the mount root with `fusebpf mount --ops ID`, and observed through
// syscalls on the mountpoint and `fusebpf stats --json`.  Differs from
// tests/filter (the engine alone, no mount).  Teardown unmounts
// (mounted_fs) and unloads the table.
#include "loader/load.h"
#include "loader/tables.h"
#include "tests/support/mounted_fs.h"
#include "tests/support/stats.h"
#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace {

using fusebpf::test::mounted_fs;

void write_file(const std::string &path, const std::string &text)
{
	std::ofstream(path) << text;
}

class FilterMount : public ::testing::Test {
protected:
	void SetUp() override
	{
		name_ = "fmt_" + std::to_string(getpid());
		fusebpf::loader::load_options o;
		o.name = name_;
		auto info = fusebpf::loader::load_filter(FILTER_OBJ, o);
		ASSERT_TRUE(info) << info.message();
		loaded_ = true;
		backing_ = dir_.subdir("backing");
		write_file(backing_ + "/hidden", "there\n");
		write_file(backing_ + "/visible", "hello, world\n");
		write_file(backing_ + "/private", "secret\n"); // 7 bytes: 0600 via the filter
		chmod((backing_ + "/private").c_str(), 0644);
		fs_ = std::make_unique<mounted_fs>(
		    backing_, dir_.subdir("mnt"),
		    std::vector<std::string>{"--ops", std::to_string(info->id), "-o",
		                             "attr_timeout=0,entry_timeout=0"});
		std::string why;
		ASSERT_TRUE(fs_->start(why)) << why;
	}
	void TearDown() override
	{
		if (fs_)
			fs_->stop();
		if (loaded_) {
			auto r =
			    fusebpf::loader::unload_table(fusebpf::loader::default_pin_root, name_);
			EXPECT_TRUE(r) << r.message();
		}
	}
	std::string mnt() const { return fs_->mountpoint(); }

	fusebpf::test::temp_dir dir_{"filter_mount"};
	std::string name_, backing_;
	bool loaded_ = false;
	std::unique_ptr<mounted_fs> fs_;
};

TEST_F(FilterMount, LookupPrefilterHidesOneNameGetattrPostfilterRewritesMode)
{
	struct stat st;
	// The hidden name exists in the backing dir but not through the mount.
	ASSERT_EQ(stat((backing_ + "/hidden").c_str(), &st), 0);
	errno = 0;
	EXPECT_EQ(stat((mnt() + "/hidden").c_str(), &st), -1);
	EXPECT_EQ(errno, ENOENT);
	// Other names work, with their real attributes.
	ASSERT_EQ(stat((mnt() + "/visible").c_str(), &st), 0);
	EXPECT_EQ(st.st_size, 13);
	EXPECT_EQ(st.st_mode & 07777, 0644u);
	std::ifstream in(mnt() + "/visible");
	std::string line;
	std::getline(in, line);
	EXPECT_EQ(line, "hello, world");
	// The getattr postfilter's rewrite is what stat() sees.
	ASSERT_EQ(stat((mnt() + "/private").c_str(), &st), 0);
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ(st.st_mode & 07777, 0600u);
	ASSERT_EQ(stat((backing_ + "/private").c_str(), &st), 0);
	EXPECT_EQ(st.st_mode & 07777, 0644u);

	std::string why;
	auto stats = fusebpf::test::read_stats(mnt(), why);
	ASSERT_TRUE(stats) << why;
	const auto &lookup = (*stats)["ops"]["LOOKUP"];
	ASSERT_TRUE(lookup.contains("verdicts")) << stats->dump();
	EXPECT_GE(lookup["verdicts"]["errno"].get<uint64_t>(), 1u) << stats->dump();
	EXPECT_GE(lookup["verdicts"]["CONTINUE"].get<uint64_t>(), 2u) << stats->dump();
	const auto &getattr = (*stats)["ops"]["GETATTR"];
	ASSERT_TRUE(getattr.contains("filtered")) << stats->dump();
	EXPECT_GE(getattr["filtered"].get<uint64_t>(), 1u) << stats->dump();
	EXPECT_GE(getattr["verdicts"]["POSTFILTER"].get<uint64_t>(), 1u) << stats->dump();
	EXPECT_EQ(fs_->stop(), "exit 0");
}

} // namespace
