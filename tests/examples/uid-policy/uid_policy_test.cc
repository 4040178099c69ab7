// SPDX-License-Identifier: GPL-2.0-or-later
//
// examples/uid-policy through a real mount: `fusebpf mount --filter
// uid-policy.bpf.o -o allow_other,entry_timeout=0`, the policy written with
// `fusebpf map set MOUNTPOINT uid_dir|uid_deny_ops ...`, and non-root
// callers (tests/support/run_as) checked: uid 1001 enters data/app1001
// only, uid 1002 data/app1002 only and may not mkdir anywhere, uid 65534
// (no policy) enters no app directory; everyone reads shared/; root is
// exempt.  Listing data/ shows each uid its own directory only.
#include "tests/support/mounted_fs.h"
#include "tests/support/process.h"
#include "tests/support/run_as.h"
#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace {

using fusebpf::test::cli_path;
using fusebpf::test::credentials;
using fusebpf::test::mounted_fs;
using fusebpf::test::run_as_syscall;
using fusebpf::test::run_command;
using fusebpf::test::sys;
using fusebpf::test::sys_result;

constexpr credentials app1001{1001, 1001};
constexpr credentials app1002{1002, 1002};
constexpr credentials nobody{65534, 65534};

void write_file(const std::string &path, const std::string &text)
{
	std::ofstream(path) << text;
}

// The names in a directory as `who` sees them, sorted and joined by ','.
std::string listing_as(const credentials &who, const std::string &dir)
{
	std::string why;
	auto out = fusebpf::test::run_as(
	    who,
	    [&]() -> std::string {
		    DIR *d = opendir(dir.c_str());
		    if (!d)
			    return std::string("error ") + strerror(errno);
		    std::vector<std::string> names;
		    while (struct dirent *e = readdir(d))
			    if (e->d_name[0] != '.')
				    names.push_back(e->d_name);
		    closedir(d);
		    std::sort(names.begin(), names.end());
		    std::string s;
		    for (const auto &n : names)
			    s += (s.empty() ? "" : ",") + n;
		    return s;
	    },
	    why);
	return out ? *out : "harness failure: " + why;
}

class UidPolicyExample : public ::testing::Test {
protected:
	void SetUp() override
	{
		backing_ = dir_.subdir("backing");
		chmod(dir_.path().c_str(), 0755); // non-root callers walk to the mount
		for (const char *d : {"/data", "/data/app1001", "/data/app1002", "/shared"})
			ASSERT_EQ(mkdir((backing_ + d).c_str(), 0777), 0);
		for (const char *d : {"/data", "/data/app1001", "/data/app1002", "/shared"})
			chmod((backing_ + d).c_str(), 0777);
		write_file(backing_ + "/data/app1001/prefs", "1001\n");
		write_file(backing_ + "/data/app1002/prefs", "1002\n");
		write_file(backing_ + "/shared/readme", "for everyone\n");
		fs_ = std::make_unique<mounted_fs>(
		    backing_, dir_.subdir("mnt", 0755),
		    std::vector<std::string>{"--filter", EXAMPLE_OBJ, "-o",
		                             "allow_other,entry_timeout=0"});
		std::string why;
		ASSERT_TRUE(fs_->start(why)) << why;
		set("uid_dir", "1001", "app1001");
		set("uid_dir", "1002", "app1002");
		set("uid_deny_ops", "1002", "0x400"); // bit 10: FUSEBPF_OP_MKDIR
	}
	void TearDown() override
	{
		if (fs_)
			fs_->stop();
	}
	std::string mnt() const { return fs_->mountpoint(); }

	void set(const std::string &map, const std::string &key, const std::string &value)
	{
		auto r = run_command({cli_path(), "map", "set", mnt(), map, key, value});
		ASSERT_TRUE(r.exited_ok()) << r.describe() << "\n" << r.out << r.err;
	}

	sys_result stat_as(const credentials &who, const std::string &rel)
	{
		std::string path = mnt() + rel, why;
		auto r = run_as_syscall(
		    who,
		    [&] {
			    struct stat st;
			    return sys(stat(path.c_str(), &st));
		    },
		    why);
		EXPECT_TRUE(why.empty()) << why;
		return r;
	}

	sys_result mkdir_as(const credentials &who, const std::string &rel)
	{
		std::string path = mnt() + rel, why;
		auto r = run_as_syscall(
		    who, [&] { return sys(mkdir(path.c_str(), 0755)); }, why);
		EXPECT_TRUE(why.empty()) << why;
		return r;
	}

	fusebpf::test::temp_dir dir_{"example_uid_policy"};
	std::string backing_;
	std::unique_ptr<mounted_fs> fs_;
};

const sys_result ok{0, 0};
const sys_result eacces{-1, EACCES};

TEST_F(UidPolicyExample, EachUidEntersOnlyItsOwnDataDirectory)
{
	EXPECT_EQ(stat_as(app1001, "/data/app1001/prefs"), ok);
	EXPECT_EQ(stat_as(app1001, "/data/app1002/prefs"), eacces);
	EXPECT_EQ(stat_as(app1001, "/data/app1002"), eacces);
	EXPECT_EQ(stat_as(app1002, "/data/app1002/prefs"), ok);
	EXPECT_EQ(stat_as(app1002, "/data/app1001"), eacces);
	// No policy: no app directory, but the rest of the tree.
	EXPECT_EQ(stat_as(nobody, "/data/app1001"), eacces);
	EXPECT_EQ(stat_as(nobody, "/data/app1002"), eacces);
	EXPECT_EQ(stat_as(nobody, "/shared/readme"), ok);
	EXPECT_EQ(stat_as(nobody, "/data"), ok);
	// Root is exempt.
	struct stat st;
	EXPECT_EQ(stat((mnt() + "/data/app1001/prefs").c_str(), &st), 0);
	EXPECT_EQ(stat((mnt() + "/data/app1002/prefs").c_str(), &st), 0);
}

TEST_F(UidPolicyExample, ListingDataShowsOnlyTheCallersDirectory)
{
	EXPECT_EQ(listing_as(app1001, mnt() + "/data"), "app1001");
	EXPECT_EQ(listing_as(app1002, mnt() + "/data"), "app1002");
	EXPECT_EQ(listing_as(nobody, mnt() + "/data"), "");
	EXPECT_EQ(listing_as(nobody, mnt() + "/shared"), "readme");
}

TEST_F(UidPolicyExample, DeniedOpsFailWithEaccesForThatUidOnly)
{
	EXPECT_EQ(mkdir_as(app1002, "/shared/by1002"), eacces);
	EXPECT_EQ(mkdir_as(app1002, "/data/app1002/sub"), eacces);
	EXPECT_EQ(mkdir_as(app1001, "/shared/by1001"), ok);
	EXPECT_EQ(mkdir_as(app1001, "/data/app1001/sub"), ok);
	struct stat st;
	EXPECT_EQ(stat((backing_ + "/shared/by1001").c_str(), &st), 0);
	EXPECT_EQ(st.st_uid, 1001u); // created as the caller
	EXPECT_NE(stat((backing_ + "/shared/by1002").c_str(), &st), 0);
}

TEST_F(UidPolicyExample, PolicyChangesApplyToTheNextLookup)
{
	EXPECT_EQ(stat_as(nobody, "/data/app1001/prefs"), eacces);
	set("uid_dir", "65534", "app1001");
	EXPECT_EQ(stat_as(nobody, "/data/app1001/prefs"), ok);
	auto r = run_command({cli_path(), "map", "delete", mnt(), "uid_dir", "65534"});
	ASSERT_TRUE(r.exited_ok()) << r.describe() << r.err;
	EXPECT_EQ(stat_as(nobody, "/data/app1001/prefs"), eacces);
}

// `map dump` names a value at its type's limit (U32_MAX, U64_MAX: what
// `map set` also takes) and leaves other numbers as they are; --json keeps
// the numbers (cli/readable.h).
TEST_F(UidPolicyExample, MapDumpNamesTypeLimitsAndJsonKeepsNumbers)
{
	set("uid_deny_ops", "U32_MAX", "18446744073709551615");
	auto text = run_command({cli_path(), "map", "dump", mnt(), "uid_deny_ops"});
	ASSERT_TRUE(text.exited_ok()) << text.describe() << text.err;
	std::vector<std::string> rows;
	std::istringstream lines(text.out);
	for (std::string line; std::getline(lines, line);) {
		std::istringstream cells(line);
		std::string key, value;
		cells >> key >> value;
		rows.push_back(key + " " + value);
	}
	std::sort(rows.begin(), rows.end());
	EXPECT_EQ(rows, (std::vector<std::string>{"1002 1024", "KEY VALUE", "U32_MAX U64_MAX"}))
	    << text.out;
	auto json = run_command({cli_path(), "map", "dump", mnt(), "uid_deny_ops", "--json"});
	ASSERT_TRUE(json.exited_ok()) << json.describe() << json.err;
	EXPECT_NE(json.out.find(R"({"key":"4294967295","value":"18446744073709551615"})"),
	          std::string::npos)
	    << json.out;
	auto del = run_command({cli_path(), "map", "delete", mnt(), "uid_deny_ops", "4294967295"});
	EXPECT_TRUE(del.exited_ok()) << del.describe() << del.err;
}

} // namespace
