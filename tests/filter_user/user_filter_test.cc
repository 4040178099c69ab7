// SPDX-License-Identifier: GPL-2.0-or-later
//
// user_filter_test: a userspace filter library (user_filter_lib.cc, loaded
// with `fusebpf mount --user-filter`) behind a real BPF table
// (user_table.bpf.c) through a real mount: USER answered by handle_lookup
// with a virtual file, error remapping in post_lookup, child decisions of a
// lookup handler (backing path inside and outside the root, table remove,
// table replace by name) and a handler that throws. Differs from
// verdicts_test.cc (BPF only, no user filter). Unmounts and unloads both
// tables in TearDown.
#include "tests/support/fs.h"
#include "tests/examples/common/example_table.h"
#include "tests/support/mounted_fs.h"
#include "tests/support/stats.h"
#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>

#include <bpf/bpf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace {

using fusebpf::test::read_text;

using fusebpf::test::mounted_fs;

void write_file(const std::string &path, const std::string &text)
{
	std::ofstream(path) << text;
}

int stat_errno(const std::string &path, struct stat *st = nullptr)
{
	struct stat local;
	return ::stat(path.c_str(), st ? st : &local) == 0 ? 0 : errno;
}

uint64_t counter(const nlohmann::json &stats, const char *op, const char *group, const char *key)
{
	auto &o = stats["ops"][op];
	if (!o.contains(group) || !o[group].contains(key))
		return 0;
	return o[group][key].get<uint64_t>();
}

class UserFilter : public ::testing::Test {
protected:
	void SetUp() override
	{
		ASSERT_EQ(table_.load(USER_TABLE_OBJ, "fuu"), "");
		ASSERT_EQ(replacement_.load(HIDE_BELOW_OBJ, "fuu_hide"), "");
		backing_ = dir_.subdir("backing");
		// outside/ is next to the backing dir: what "../outside" would reach.
		write_file(dir_.path() + "/outside", "outside the root\n");
		write_file(backing_ + "/enomem", "exists\n");
		write_file(backing_ + "/plain", "plain\n");
		write_file(backing_ + "/negative", "hidden by a negative entry\n");
		for (const char *d : {"other", "notable", "replaced", "control"}) {
			ASSERT_EQ(::mkdir((backing_ + "/" + d).c_str(), 0755), 0) << d;
			write_file(backing_ + "/" + d + "/inner",
			           std::string("inner of ") + d + "\n");
			write_file(backing_ + "/" + d + "/hidden_below", "hidden?\n");
		}
		write_file(backing_ + "/other/real", "the real data\n");
		fs_ = std::make_unique<mounted_fs>(
		    backing_, dir_.subdir("mnt"),
		    std::vector<std::string>{"--ops", std::to_string(table_.id()), "--user-filter",
		                             USER_FILTER_SO, "--user-filter-arg",
		                             replacement_.name(), "-o",
		                             "entry_timeout=0,attr_timeout=0,negative_timeout=0"});
		std::string why;
		ASSERT_TRUE(fs_->start(why)) << why;
	}
	void TearDown() override
	{
		if (fs_) {
			EXPECT_EQ(fs_->stop(), "exit 0") << fs_->daemon_log();
		}
		EXPECT_EQ(table_.unload(), "");
		EXPECT_EQ(replacement_.unload(), "");
	}
	std::string mnt(const std::string &name = "") const
	{
		return name.empty() ? fs_->mountpoint() : fs_->mountpoint() + "/" + name;
	}
	nlohmann::json stats()
	{
		std::string why;
		auto s = fusebpf::test::read_stats(fs_->mountpoint(), why);
		EXPECT_TRUE(s) << why;
		return s ? *s : nlohmann::json::object();
	}
	// lookup_calls[key] of the mount's table (0: every run, 1: runs for "inner").
	uint64_t lookup_calls(uint32_t key)
	{
		fusebpf::unique_fd map = table_.map_fd("lookup_calls");
		EXPECT_TRUE(map) << std::strerror(errno);
		uint64_t n = 0;
		EXPECT_EQ(bpf_map_lookup_elem(map.get(), &key, &n), 0) << std::strerror(errno);
		return n;
	}

	fusebpf::test::temp_dir dir_{"filter_user"};
	fusebpf::test::example_table table_, replacement_;
	std::string backing_;
	std::unique_ptr<mounted_fs> fs_;
};

TEST_F(UserFilter, HandleLookupAnswersAVirtualFileWithItsAttrs)
{
	ASSERT_NE(stat_errno(backing_ + "/virt"), 0); // not in the backing tree
	struct stat st;
	ASSERT_EQ(stat_errno(mnt("virt"), &st), 0);
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ(st.st_mode & 07777, 0444u);
	EXPECT_EQ(st.st_size, 22);
	EXPECT_EQ(st.st_nlink, 1u);
	// A second stat: LOOKUP again (entry_timeout=0) and GETATTR on the
	// virtual node, answered by handle_getattr.
	ASSERT_EQ(stat_errno(mnt("virt"), &st), 0);
	EXPECT_EQ(st.st_size, 22);
	auto s = stats();
	EXPECT_GE(counter(s, "LOOKUP", "verdicts", "USER"), 2u) << s.dump();
	EXPECT_GE(counter(s, "LOOKUP", "user", "handler"), 2u) << s.dump();
}

// OPEN and READ of a virtual node are the handler's (engine::serve_virtual).
TEST_F(UserFilter, VirtualFileReadsComeFromTheHandler)
{
	EXPECT_EQ(read_text(mnt("virt")), "virtual file contents\n");
}

TEST_F(UserFilter, PostLookupRemapsAnErrorInUserspace)
{
	ASSERT_EQ(stat_errno(backing_ + "/enomem"), 0);
	EXPECT_EQ(stat_errno(mnt("enomem")), ENOMEM);
	EXPECT_EQ(stat_errno(mnt("plain")), 0);
	auto s = stats();
	EXPECT_GE(counter(s, "LOOKUP", "user", "postfilter"), 1u) << s.dump();
}

// user_filter.h / docs/filters.md §3: a handle_lookup() that returns 0
// without a virtual key (and with out.entry.nodeid 0) answers a negative
// entry; the name is then missing, whatever the backing dir holds.
TEST_F(UserFilter, HandleLookupWithoutANodeAnswersANegativeEntry)
{
	ASSERT_EQ(stat_errno(backing_ + "/negative"), 0);
	EXPECT_EQ(stat_errno(mnt("negative")), ENOENT);
	EXPECT_EQ(stat_errno(mnt("plain")), 0);
}

TEST_F(UserFilter, BackingPathInsideTheRootServesAnotherEntry)
{
	struct stat via, real;
	ASSERT_EQ(stat_errno(mnt("elsewhere"), &via), 0);
	ASSERT_EQ(stat_errno(mnt("other/real"), &real), 0);
	EXPECT_EQ(via.st_ino, real.st_ino);
	EXPECT_EQ(via.st_size, 14);
	EXPECT_EQ(read_text(mnt("elsewhere")), "the real data\n");
}

TEST_F(UserFilter, BackingPathLeavingTheRootFailsWithEperm)
{
	EXPECT_EQ(stat_errno(mnt("escape")), EPERM);
	EXPECT_EQ(stat_errno(mnt("plain")), 0);
}

TEST_F(UserFilter, TableRemoveStopsBpfBelowTheChild)
{
	// Control: under a directory that inherits the table, BPF sees "inner".
	uint64_t before = lookup_calls(1);
	EXPECT_EQ(read_text(mnt("control/inner")), "inner of control\n");
	EXPECT_GT(lookup_calls(1), before);

	// notable/: post_lookup removes the table; lookups below run no BPF.
	before = lookup_calls(1);
	uint64_t all_before = lookup_calls(0);
	EXPECT_EQ(read_text(mnt("notable/inner")), "inner of notable\n");
	struct stat st;
	EXPECT_EQ(stat_errno(mnt("notable/inner"), &st), 0);
	EXPECT_EQ(stat_errno(mnt("notable/hidden_below"), &st), 0);
	EXPECT_EQ(lookup_calls(1), before);
	// Only the lookups of "notable" itself ran the prefilter.
	EXPECT_GE(lookup_calls(0), all_before + 1);
}

TEST_F(UserFilter, TableReplaceByNameAppliesTheOtherTableBelowTheChild)
{
	// The mount's table lets hidden_below through ...
	EXPECT_EQ(stat_errno(mnt("control/hidden_below")), 0);
	// ... the replacement, named by the handler, hides it below replaced/.
	EXPECT_EQ(stat_errno(mnt("replaced/hidden_below")), ENOENT);
	EXPECT_EQ(read_text(mnt("replaced/inner")), "inner of replaced\n");
	// The mount's table no longer runs below replaced/.
	uint64_t before = lookup_calls(1);
	EXPECT_EQ(stat_errno(mnt("replaced/inner")), 0);
	EXPECT_EQ(lookup_calls(1), before);
}

TEST_F(UserFilter, AHandlerThatThrowsFailsTheOpWithEioAndTheDaemonLives)
{
	EXPECT_EQ(stat_errno(mnt("throw")), EIO);
	EXPECT_EQ(read_text(mnt("plain")), "plain\n");
	EXPECT_EQ(stat_errno(mnt("throw")), EIO);
	auto s = stats();
	EXPECT_GE(counter(s, "LOOKUP", "filter_errors", "user_exception"), 2u) << s.dump();
}

} // namespace
