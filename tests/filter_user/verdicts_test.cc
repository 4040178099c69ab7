// SPDX-License-Identifier: GPL-2.0-or-later
//
// verdicts_test: every verdict of LOOKUP and GETATTR through a real mount
// with a real BPF table (verdicts.bpf.c: the name looked up picks the lookup
// verdict, a map picks the getattr one) and no user filter, so USER,
// USER_PREFILTER and USER_POSTFILTER must behave as plain passthrough. Also
// a table whose program the kernel refuses to run (run_failure.bpf.c).
// Differs from tests/filter_mount (one lookup and one getattr filter) and
// tests/filter (the engine without a mount). Each test mounts with
// entry_timeout=0 and attr_timeout=0, so every stat reaches the daemon, and
// unmounts and unloads in TearDown.
#include "tests/support/fs.h"
#include "tests/examples/common/example_table.h"
#include "tests/support/mounted_fs.h"
#include "tests/support/stats.h"
#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>

#include <bpf/bpf.h>
#include <fcntl.h>
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

// Keep in sync with enum getattr_mode in verdicts.bpf.c.
enum getattr_mode : uint32_t {
	GA_CONTINUE = 0,
	GA_ERRNO = 1,
	GA_POST = 2,
	GA_DEFAULT = 3,
	GA_USER = 4,
	GA_UPRE = 5,
	GA_UPOST = 6,
	GA_GARBAGE = 7,
	GA_POST_ERRNO = 8,
};

void write_file(const std::string &path, const std::string &text)
{
	std::ofstream(path) << text;
}

// stat() of path: 0 or the errno it failed with.
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

// A mount of a fresh backing dir with one table bound to its root.
class TableMount : public ::testing::Test {
protected:
	void mount_with(const char *object, const char *prefix)
	{
		std::string err = table_.load(object, prefix);
		ASSERT_EQ(err, "");
		backing_ = dir_.subdir("backing");
		for (const char *name :
		     {"plain", "l_continue", "l_errno", "l_post", "l_remap_present", "l_hide_after",
		      "l_default", "l_user", "l_upre", "l_upost", "l_garbage", "l_post_garbage"})
			write_file(backing_ + "/" + name, std::string("data of ") + name + "\n");
		write_file(backing_ + "/target", "target data\n");
		fs_ = std::make_unique<mounted_fs>(
		    backing_, dir_.subdir("mnt"),
		    std::vector<std::string>{"--ops", std::to_string(table_.id()), "-o",
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

	fusebpf::test::temp_dir dir_{"filter_user_verdicts"};
	fusebpf::test::example_table table_;
	std::string backing_;
	std::unique_ptr<mounted_fs> fs_;
};

class Verdicts : public TableMount {
protected:
	void SetUp() override { mount_with(VERDICTS_OBJ, "fuv"); }
	void set_getattr_mode(getattr_mode m)
	{
		fusebpf::unique_fd map = table_.map_fd("getattr_mode");
		ASSERT_TRUE(map) << std::strerror(errno);
		uint32_t key = 0, value = m;
		ASSERT_EQ(bpf_map_update_elem(map.get(), &key, &value, BPF_ANY), 0)
		    << std::strerror(errno);
	}
};

TEST_F(Verdicts, LookupContinueAndNegativeErrno)
{
	struct stat st;
	ASSERT_EQ(stat_errno(mnt("l_continue"), &st), 0);
	EXPECT_EQ(st.st_size, 19);
	EXPECT_EQ(read_text(mnt("l_continue")), "data of l_continue\n");
	EXPECT_EQ(stat_errno(mnt("l_errno")), EACCES);
	ASSERT_EQ(stat_errno(backing_ + "/l_errno"), 0); // it is there, only filtered
	auto s = stats();
	EXPECT_GE(counter(s, "LOOKUP", "verdicts", "errno"), 1u) << s.dump();
	EXPECT_GE(counter(s, "LOOKUP", "verdicts", "CONTINUE"), 1u) << s.dump();
}

TEST_F(Verdicts, LookupPostfilterRewritesEntryAttr)
{
	// AT_STATX_DONT_SYNC: the attributes the LOOKUP reply gave, not a
	// GETATTR's (attr_timeout=0 would send one for a plain stat).
	struct statx stx;
	ASSERT_EQ(
	    statx(AT_FDCWD, mnt("l_post").c_str(), AT_STATX_DONT_SYNC, STATX_BASIC_STATS, &stx), 0)
	    << std::strerror(errno);
	EXPECT_TRUE(S_ISREG(stx.stx_mode));
	EXPECT_EQ(stx.stx_mode & 07777, 0604u);
	EXPECT_EQ(stx.stx_uid, 4242u);
	EXPECT_EQ(stx.stx_gid, 4343u);
	EXPECT_EQ(stx.stx_size, 15u); // untouched: "data of l_post\n"
	struct stat st;
	ASSERT_EQ(stat_errno(backing_ + "/l_post", &st), 0);
	EXPECT_EQ(st.st_mode & 07777, 0644u);
	EXPECT_EQ(st.st_uid, 0u);
	// The entry is still the backing file: its data reads through.
	EXPECT_EQ(read_text(mnt("l_post")), "data of l_post\n");
	auto s = stats();
	EXPECT_GE(counter(s, "LOOKUP", "verdicts", "POSTFILTER"), 1u) << s.dump();
}

TEST_F(Verdicts, LookupPostfilterRemapsErrorIn)
{
	// Missing in the backing dir: error_in -ENOENT becomes EPERM.
	EXPECT_EQ(stat_errno(mnt("l_remap_missing")), EPERM);
	// Present: error_in 0 stays.
	EXPECT_EQ(stat_errno(mnt("l_remap_present")), 0);
	// A postfilter may also fail a lookup that succeeded; the daemon gives
	// the reference back and goes on.
	EXPECT_EQ(stat_errno(mnt("l_hide_after")), ENOENT);
	EXPECT_EQ(stat_errno(mnt("l_hide_after")), ENOENT);
	EXPECT_EQ(stat_errno(mnt("plain")), 0);
}

TEST_F(Verdicts, LookupCallDefaultRunsDefaultFilter)
{
	EXPECT_EQ(stat_errno(mnt("l_default")), ENOLINK);
	auto s = stats();
	EXPECT_GE(counter(s, "LOOKUP", "verdicts", "CALL_DEFAULT"), 1u) << s.dump();
}

TEST_F(Verdicts, LookupPrefilterRenameLooksUpAnotherBackingEntry)
{
	// "l_alias" does not exist; the prefilter renames it to "target".
	ASSERT_NE(stat_errno(backing_ + "/l_alias"), 0);
	struct stat alias, target;
	ASSERT_EQ(stat_errno(mnt("l_alias"), &alias), 0);
	ASSERT_EQ(stat_errno(mnt("target"), &target), 0);
	EXPECT_EQ(alias.st_ino, target.st_ino);
	EXPECT_EQ(alias.st_size, 12);
	EXPECT_EQ(read_text(mnt("l_alias")), "target data\n");
}

TEST_F(Verdicts, LookupUserVerdictsWithoutUserFilterArePassthrough)
{
	for (const char *name : {"l_user", "l_upre", "l_upost"}) {
		struct stat st;
		ASSERT_EQ(stat_errno(mnt(name), &st), 0) << name;
		EXPECT_EQ(st.st_size, static_cast<off_t>(std::strlen(name) + 9)) << name;
		EXPECT_EQ(st.st_mode & 07777, 0644u) << name;
		EXPECT_EQ(read_text(mnt(name)), std::string("data of ") + name + "\n");
	}
	auto s = stats();
	EXPECT_GE(counter(s, "LOOKUP", "verdicts", "USER"), 1u) << s.dump();
	EXPECT_GE(counter(s, "LOOKUP", "verdicts", "USER_PREFILTER"), 1u) << s.dump();
	EXPECT_GE(counter(s, "LOOKUP", "verdicts", "USER_POSTFILTER"), 1u) << s.dump();
}

TEST_F(Verdicts, LookupGarbageVerdictIsEioAndTheDaemonGoesOn)
{
	EXPECT_EQ(stat_errno(mnt("l_garbage")), EIO);
	EXPECT_EQ(stat_errno(mnt("plain")), 0);
	EXPECT_EQ(stat_errno(mnt("l_post_garbage")), EIO);
	EXPECT_EQ(read_text(mnt("plain")), "data of plain\n");
	auto s = stats();
	EXPECT_GE(counter(s, "LOOKUP", "filter_errors", "invalid_verdict"), 2u) << s.dump();
}

TEST_F(Verdicts, GetattrEveryVerdict)
{
	const std::string path = mnt("plain");
	struct stat st;
	set_getattr_mode(GA_CONTINUE);
	ASSERT_EQ(stat_errno(path, &st), 0);
	EXPECT_EQ(st.st_mode & 07777, 0644u);
	EXPECT_EQ(st.st_uid, 0u);

	set_getattr_mode(GA_ERRNO);
	EXPECT_EQ(stat_errno(path), EDQUOT);

	set_getattr_mode(GA_POST);
	ASSERT_EQ(stat_errno(path, &st), 0);
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ(st.st_mode & 07777, 0640u);
	EXPECT_EQ(st.st_uid, 4242u);
	EXPECT_EQ(st.st_size, 14);

	set_getattr_mode(GA_POST_ERRNO);
	EXPECT_EQ(stat_errno(path), EPERM);

	set_getattr_mode(GA_DEFAULT);
	EXPECT_EQ(stat_errno(path), ENOLINK);

	for (getattr_mode m : {GA_USER, GA_UPRE, GA_UPOST}) {
		set_getattr_mode(m);
		ASSERT_EQ(stat_errno(path, &st), 0) << m;
		EXPECT_EQ(st.st_mode & 07777, 0644u) << m;
		EXPECT_EQ(st.st_uid, 0u) << m;
		EXPECT_EQ(st.st_size, 14) << m;
	}

	set_getattr_mode(GA_GARBAGE);
	EXPECT_EQ(stat_errno(path), EIO);
	set_getattr_mode(GA_CONTINUE);
	ASSERT_EQ(stat_errno(path, &st), 0);
	EXPECT_EQ(st.st_mode & 07777, 0644u);

	auto s = stats();
	for (const char *v : {"CONTINUE", "errno", "POSTFILTER", "CALL_DEFAULT", "USER",
	                      "USER_PREFILTER", "USER_POSTFILTER"})
		EXPECT_GE(counter(s, "GETATTR", "verdicts", v), 1u) << v << " " << s.dump();
	EXPECT_GE(counter(s, "GETATTR", "filter_errors", "invalid_verdict"), 1u) << s.dump();
}

class RunFailure : public TableMount {
protected:
	void SetUp() override { mount_with(RUN_FAILURE_OBJ, "fuf"); }
};

TEST_F(RunFailure, AProgramTheKernelRefusesToRunFailsTheOpWithEio)
{
	EXPECT_EQ(stat_errno(mnt("plain")), EIO);
	// The daemon goes on: the root (no lookup) answers, and so do the
	// next lookups, with the same error.
	struct stat st;
	EXPECT_EQ(stat_errno(mnt(), &st), 0);
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	EXPECT_EQ(stat_errno(mnt("target")), EIO);
	auto s = stats();
	EXPECT_GE(counter(s, "LOOKUP", "filter_errors", "run_failure"), 2u) << s.dump();
}

} // namespace
