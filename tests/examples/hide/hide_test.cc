// SPDX-License-Identifier: GPL-2.0-or-later
//
// examples/hide through a real mount: `fusebpf mount --filter hide.bpf.o`,
// the deny list changed live with `fusebpf map set/delete MOUNTPOINT
// deny_list NAME`, and the effect checked with stat() (LOOKUP) and
// readdir() (READDIR postfilter) right after each change.  The mount keeps
// the default cache timeouts and every name is looked up and listed before
// each change (warm dentry and attribute caches), so what is seen at once
// comes from the invalidation `fusebpf map` asks for, not from expiry.
#include "tests/support/mounted_fs.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>

#include <dirent.h>
#include <sys/stat.h>

#include <cerrno>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace {

using fusebpf::test::cli_path;
using fusebpf::test::mounted_fs;
using fusebpf::test::run_command;

void write_file(const std::string &path, const std::string &text)
{
	std::ofstream(path) << text;
}

std::set<std::string> names_in(const std::string &dir)
{
	std::set<std::string> names;
	DIR *d = opendir(dir.c_str());
	if (!d)
		return {"<opendir failed: " + std::string(strerror(errno)) + ">"};
	while (struct dirent *e = readdir(d))
		if (std::string(e->d_name) != "." && std::string(e->d_name) != "..")
			names.insert(e->d_name);
	closedir(d);
	return names;
}

// 0 or the errno of stat().
int stat_errno(const std::string &path)
{
	struct stat st;
	return stat(path.c_str(), &st) == 0 ? 0 : errno;
}

class HideExample : public ::testing::Test {
protected:
	void SetUp() override
	{
		backing_ = dir_.subdir("backing");
		write_file(backing_ + "/visible.txt", "hello\n");
		write_file(backing_ + "/secret.txt", "top secret\n");
		ASSERT_EQ(mkdir((backing_ + "/docs").c_str(), 0755), 0);
		write_file(backing_ + "/docs/secret.txt", "also secret\n");
		write_file(backing_ + "/docs/notes.md", "notes\n");
		fs_ =
		    std::make_unique<mounted_fs>(backing_, dir_.subdir("mnt"),
		                                 std::vector<std::string>{"--filter", EXAMPLE_OBJ});
		std::string why;
		ASSERT_TRUE(fs_->start(why)) << why;
	}
	void TearDown() override
	{
		if (fs_)
			fs_->stop();
	}
	std::string mnt() const { return fs_->mountpoint(); }

	// `fusebpf map VERB MOUNTPOINT deny_list NAME`, asserting exit 0.
	void map_command(const std::string &verb, const std::string &name)
	{
		auto r = run_command({cli_path(), "map", verb, mnt(), "deny_list", name});
		ASSERT_TRUE(r.exited_ok()) << r.describe() << "\n" << r.out << r.err;
	}

	// Looks up and lists everything, so the kernel caches all of it.
	void warm_caches()
	{
		for (const char *p :
		     {"/visible.txt", "/secret.txt", "/docs", "/docs/secret.txt", "/docs/notes.md"})
			stat_errno(mnt() + p);
		names_in(mnt());
		names_in(mnt() + "/docs");
	}

	fusebpf::test::temp_dir dir_{"example_hide"};
	std::string backing_;
	std::unique_ptr<mounted_fs> fs_;
};

TEST_F(HideExample, EmptyListHidesNothing)
{
	EXPECT_EQ(stat_errno(mnt() + "/secret.txt"), 0);
	EXPECT_EQ(names_in(mnt()), (std::set<std::string>{"docs", "secret.txt", "visible.txt"}));
	EXPECT_EQ(names_in(mnt() + "/docs"), (std::set<std::string>{"notes.md", "secret.txt"}));
}

TEST_F(HideExample, MapSetHidesAtOnceAndMapDeleteBringsBack)
{
	warm_caches();
	ASSERT_EQ(stat_errno(mnt() + "/secret.txt"), 0);

	map_command("set", "secret.txt");
	// Gone from lookup (stat, open) and from the listing, in every directory.
	EXPECT_EQ(stat_errno(mnt() + "/secret.txt"), ENOENT);
	EXPECT_EQ(stat_errno(mnt() + "/docs/secret.txt"), ENOENT);
	EXPECT_FALSE(std::ifstream(mnt() + "/secret.txt").is_open());
	EXPECT_EQ(names_in(mnt()), (std::set<std::string>{"docs", "visible.txt"}));
	EXPECT_EQ(names_in(mnt() + "/docs"), (std::set<std::string>{"notes.md"}));
	// Still there in the backing directory; other names unaffected.
	EXPECT_EQ(stat_errno(backing_ + "/secret.txt"), 0);
	EXPECT_EQ(stat_errno(mnt() + "/visible.txt"), 0);

	// The list as `fusebpf map dump` shows it.
	auto dump = run_command({cli_path(), "map", "dump", "--json", mnt(), "deny_list"});
	ASSERT_TRUE(dump.exited_ok()) << dump.describe() << dump.err;
	EXPECT_NE(dump.out.find("\"key\":\"secret.txt\""), std::string::npos) << dump.out;

	map_command("delete", "secret.txt");
	EXPECT_EQ(stat_errno(mnt() + "/secret.txt"), 0);
	EXPECT_EQ(stat_errno(mnt() + "/docs/secret.txt"), 0);
	EXPECT_EQ(names_in(mnt()), (std::set<std::string>{"docs", "secret.txt", "visible.txt"}));
	std::ifstream in(mnt() + "/secret.txt");
	std::string line;
	std::getline(in, line);
	EXPECT_EQ(line, "top secret");
}

TEST_F(HideExample, HidingADirectoryHidesItsSubtree)
{
	warm_caches();
	map_command("set", "docs");
	EXPECT_EQ(stat_errno(mnt() + "/docs"), ENOENT);
	EXPECT_EQ(stat_errno(mnt() + "/docs/notes.md"), ENOENT);
	EXPECT_EQ(names_in(mnt()), (std::set<std::string>{"secret.txt", "visible.txt"}));
}

TEST_F(HideExample, BadKeysAreRefusedWithOneLine)
{
	std::string too_long(64, 'x');
	auto r = run_command({cli_path(), "map", "set", mnt(), "deny_list", too_long});
	EXPECT_EQ(r.exit_code(), 2) << r.describe();
	EXPECT_NE(r.err.find("at most 63"), std::string::npos) << r.err;
	r = run_command({cli_path(), "map", "set", mnt(), "no_such_map", "x"});
	EXPECT_EQ(r.exit_code(), 1) << r.describe();
	EXPECT_NE(r.err.find("deny_list"), std::string::npos) << r.err; // lists the real maps
}

} // namespace
