// SPDX-License-Identifier: GPL-2.0-or-later
//
// Cases 17-24 of fuse_test.c: lookup handlers that set a child's backing
// path and table (set_backing, its refusal outside the root, a backing
// folder, remove_backing), renames, and errors altered by a BPF and by a
// userspace postfilter.
//
// How the originals map: FUSE-BPF's lookup reply carried a backing fd (by
// ioctl) and a BPF program id; fusebpf's userspace handler answers with a
// backing path beneath the backing root and a table name (user_filter.h,
// child_decision). The kernel's refusal of a backing fd sent with plain
// write() becomes the daemon's refusal of a path that leaves the root.
#include "common/unique_fd.h"
#include "selftests/fixture.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace fusebpf::selftest {
namespace {

TEST_F(fuse_test, bpf_test_set_backing)
{
	const std::string data = "data of the backing file a handler chose\n";
	ASSERT_EQ(mkdir(src("store").c_str(), 0755), 0);
	ASSERT_TRUE(write_file(src("store/data"), data));
	// The child's table: OPEN and READ filtered (the mount's table has
	// neither), loaded under a name the handler gives the child.
	auto child_table = load_table(PROG_read_trace);
	ASSERT_TRUE(child_table);
	ASSERT_TRUE(mount({.filter = PROG_user_lookup,
	                   .user_filter = USER_set_backing,
	                   .user_arg = "name=file,path=store/data,table=" + child_table->name}));
	EXPECT_NE(access(src("file").c_str(), F_OK), 0) << "no 'file' in the backing root";
	struct stat st;
	ASSERT_EQ(stat(dst("file").c_str(), &st), 0) << strerror(errno) << "\n" << daemon_log();
	EXPECT_EQ(st.st_size, static_cast<off_t>(data.size()));
	EXPECT_EQ(read_file(dst("file")), std::optional(data));
	auto s = stats();
	EXPECT_GE(stat_of(s, "/ops/LOOKUP/user/handler"), 1u) << s.dump();
	EXPECT_GE(stat_of(s, "/ops/OPEN/filtered"), 1u) << "the child's table\n" << s.dump();
	EXPECT_GE(stat_of(s, "/ops/READ/filtered"), 1u) << "the child's table\n" << s.dump();
}

TEST_F(fuse_test, bpf_test_set_backing_no_ioctl)
{
	ASSERT_TRUE(write_file(outside("data"), "outside the backing root\n"));
	ASSERT_TRUE(mount({.filter = PROG_user_lookup,
	                   .user_filter = USER_set_backing,
	                   .user_arg = "name=file,path=../outside/data"}));
	struct stat st;
	errno = 0;
	EXPECT_EQ(stat(dst("file").c_str(), &st), -1);
	EXPECT_EQ(errno, EPERM) << strerror(errno);
	errno = 0;
	unique_fd fd(open(dst("file").c_str(), O_RDONLY | O_CLOEXEC));
	EXPECT_FALSE(fd);
	EXPECT_EQ(errno, EPERM) << strerror(errno);
	// The daemon refused this one lookup and serves the rest.
	ASSERT_TRUE(write_file(src("other"), "other\n"));
	EXPECT_EQ(read_file(dst("other")), std::optional<std::string>("other\n"));
}

TEST_F(fuse_test, bpf_test_set_backing_folder)
{
	ASSERT_EQ(mkdir(src("store").c_str(), 0755), 0);
	ASSERT_EQ(mkdir(src("store/dir").c_str(), 0755), 0);
	for (const char *n : {"a", "b", "c"})
		ASSERT_TRUE(write_file(src("store/dir/") + n, std::string("content ") + n));
	ASSERT_TRUE(mount({.filter = PROG_user_lookup,
	                   .user_filter = USER_set_backing,
	                   .user_arg = "name=folder,path=store/dir"}));
	struct stat st;
	ASSERT_EQ(stat(dst("folder").c_str(), &st), 0) << strerror(errno) << "\n" << daemon_log();
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	auto names = list_dir(dst("folder"));
	ASSERT_TRUE(names) << strerror(errno);
	EXPECT_EQ(*names, (std::vector<std::string>{"a", "b", "c"}));
	EXPECT_EQ(read_file(dst("folder/b")), std::optional<std::string>("content b"));
}

TEST_F(fuse_test, bpf_test_remove_backing)
{
	ASSERT_EQ(mkdir(src("folder1").c_str(), 0755), 0);
	ASSERT_EQ(mkdir(src("folder2").c_str(), 0755), 0);
	ASSERT_TRUE(write_file(src("folder1/file"), "folder1's file\n"));
	ASSERT_TRUE(write_file(src("folder2/file"), "folder2's file\n"));
	// Names stay cached for the whole case, so the only lookups of the
	// root are the ones the case makes.
	ASSERT_TRUE(mount({.filter = PROG_lookup_post,
	                   .user_filter = USER_set_backing,
	                   .user_arg = "name=folder1,path=folder2,table=-",
	                   .options = "entry_timeout=60,attr_timeout=60"}));
	struct stat st;
	ASSERT_EQ(stat(dst("folder1").c_str(), &st), 0) << strerror(errno) << "\n" << daemon_log();
	auto before = stats();
	EXPECT_GE(stat_of(before, "/ops/LOOKUP/user/postfilter"), 1u) << before.dump();
	EXPECT_EQ(read_file(dst("folder1/file")), std::optional<std::string>("folder2's file\n"));
	auto after = stats();
	EXPECT_EQ(total_bpf_runs(after), total_bpf_runs(before))
	    << "no BPF below folder1\nbefore: " << before.dump() << "\nafter: " << after.dump();
	EXPECT_GT(stat_of(after, "/ops/LOOKUP/requests"), stat_of(before, "/ops/LOOKUP/requests"))
	    << "folder1/file was looked up";
}

TEST_F(fuse_test, bpf_test_dir_rename)
{
	ASSERT_EQ(mkdir(src("dir").c_str(), 0755), 0);
	ASSERT_TRUE(write_file(src("dir/file"), "moved\n"));
	ASSERT_TRUE(mount({.filter = PROG_trace}));
	ASSERT_EQ(rename(dst("dir").c_str(), dst("dir2").c_str()), 0) << strerror(errno) << "\n"
	                                                              << daemon_log();
	EXPECT_NE(access(src("dir").c_str(), F_OK), 0);
	EXPECT_EQ(read_file(src("dir2/file")), std::optional<std::string>("moved\n"));
	EXPECT_EQ(read_file(dst("dir2/file")), std::optional<std::string>("moved\n"));
	EXPECT_NE(access(dst("dir/file").c_str(), F_OK), 0);
	auto s = stats();
	EXPECT_GE(stat_of(s, "/ops/RENAME/filtered") + stat_of(s, "/ops/RENAME2/filtered"), 1u)
	    << s.dump();
}

TEST_F(fuse_test, bpf_test_file_rename)
{
	ASSERT_EQ(mkdir(src("dir").c_str(), 0755), 0);
	ASSERT_TRUE(write_file(src("dir/file1"), "renamed\n"));
	ASSERT_TRUE(mount({.filter = PROG_trace}));
	ASSERT_EQ(rename(dst("dir/file1").c_str(), dst("dir/file2").c_str()), 0)
	    << strerror(errno) << "\n"
	    << daemon_log();
	EXPECT_NE(access(src("dir/file1").c_str(), F_OK), 0);
	EXPECT_EQ(read_file(src("dir/file2")), std::optional<std::string>("renamed\n"));
	EXPECT_EQ(read_file(dst("dir/file2")), std::optional<std::string>("renamed\n"));
	auto s = stats();
	EXPECT_GE(stat_of(s, "/ops/RENAME/filtered") + stat_of(s, "/ops/RENAME2/filtered"), 1u)
	    << s.dump();
}

TEST_F(fuse_test, bpf_test_alter_errcode_bpf)
{
	ASSERT_TRUE(mount({.filter = PROG_error}));
	ASSERT_EQ(mkdir(dst("dir").c_str(), 0755), 0) << strerror(errno) << "\n" << daemon_log();
	errno = 0;
	EXPECT_EQ(mkdir(dst("dir").c_str(), 0755), -1);
	EXPECT_EQ(errno, EPERM) << "the postfilter turns EEXIST into EPERM; got "
	                        << strerror(errno);
	auto s = stats();
	EXPECT_GE(stat_of(s, "/ops/MKDIR/verdicts/errno"), 1u) << s.dump();
}

TEST_F(fuse_test, bpf_test_alter_errcode_userspace)
{
	ASSERT_TRUE(mount({.filter = PROG_error, .user_filter = USER_lookup_post}));
	errno = 0;
	EXPECT_EQ(unlink(dst("doesnotexist").c_str()), -1);
	EXPECT_EQ(errno, ENOMEM) << strerror(errno) << "\n" << daemon_log();
	auto s = stats();
	EXPECT_GE(stat_of(s, "/ops/LOOKUP/user/postfilter"), 1u) << s.dump();
}

} // namespace
} // namespace fusebpf::selftest
