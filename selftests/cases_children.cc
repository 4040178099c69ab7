// SPDX-License-Identifier: GPL-2.0-or-later
//
// Cases 35-38 of fuse_test.c (the newest ACK list): children created through
// the mount inherit their parent's table unless a filter removes it, a
// readahead hint on a backed file, and a bind mount inside the backing tree.
#include "common/unique_fd.h"
#include "selftests/fixture.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace fusebpf::selftest {
namespace {

// errno name of opening `path`, or "0".
std::string open_errno(const std::string &path, int flags)
{
	unique_fd fd(open(path.c_str(), flags | O_CLOEXEC));
	return fd ? "0" : strerrorname_np(errno);
}

TEST_F(fuse_test, bpf_test_create_and_remove_bpf)
{
	ASSERT_TRUE(mount({.filter = PROG_remove_table, .user_filter = USER_remove_table}));
	// "keep_file" keeps the table: its open prefilter fails every open.
	ASSERT_TRUE(write_file(dst("keep_file"), "kept\n")) << daemon_log();
	EXPECT_EQ(open_errno(dst("keep_file"), O_RDONLY), "EIO") << "the child inherited the table";
	// "file" lost it: unfiltered, it opens and reads.
	ASSERT_TRUE(write_file(dst("file"), "removed\n"));
	auto before = stats();
	EXPECT_EQ(read_file(dst("file")), std::optional<std::string>("removed\n"));
	auto after = stats();
	EXPECT_EQ(stat_of(after, "/ops/OPEN/filtered"), stat_of(before, "/ops/OPEN/filtered"))
	    << "an open of the unfiltered child went through a filter\n"
	    << after.dump();
	EXPECT_GE(stat_of(after, "/ops/CREATE/user/postfilter"), 2u) << after.dump();
}

TEST_F(fuse_test, bpf_test_mkdir_and_remove_bpf)
{
	ASSERT_TRUE(mount({.filter = PROG_remove_table, .user_filter = USER_remove_table}));
	ASSERT_EQ(mkdir(dst("keep_dir").c_str(), 0755), 0) << strerror(errno) << "\n"
	                                                   << daemon_log();
	EXPECT_EQ(open_errno(dst("keep_dir"), O_RDONLY | O_DIRECTORY), "EIO")
	    << "the dir inherited the table";
	ASSERT_EQ(mkdir(dst("dir").c_str(), 0755), 0) << strerror(errno);
	auto before = stats();
	// No table below dir: a file created there opens and lists.
	ASSERT_TRUE(write_file(dst("dir/file"), "below\n"));
	EXPECT_EQ(read_file(dst("dir/file")), std::optional<std::string>("below\n"));
	EXPECT_EQ(list_dir(dst("dir")), std::optional(std::vector<std::string>{"file"}));
	auto after = stats();
	EXPECT_EQ(total_bpf_runs(after), total_bpf_runs(before))
	    << "BPF ran below the dir that lost its table\n"
	    << after.dump();
	EXPECT_GE(stat_of(after, "/ops/MKDIR/user/postfilter"), 2u) << after.dump();
}

TEST_F(fuse_test, bpf_test_readahead)
{
	std::string data(1 << 20, '\0');
	for (std::size_t i = 0; i < data.size(); i++)
		data[i] = static_cast<char>('a' + i % 23);
	ASSERT_TRUE(write_file(src("file"), data));
	ASSERT_TRUE(mount({.filter = PROG_trace}));
	unique_fd fd(open(dst("file").c_str(), O_RDONLY | O_CLOEXEC));
	ASSERT_TRUE(fd) << strerror(errno) << "\n" << daemon_log();
	EXPECT_EQ(posix_fadvise(fd.get(), 0, 0, POSIX_FADV_WILLNEED), 0);
	EXPECT_EQ(readahead(fd.get(), 0, data.size()), 0) << strerror(errno);
	EXPECT_EQ(read_file(dst("file")), std::optional(data));
	auto s = stats();
	EXPECT_GE(stat_of(s, "/ops/READ/filtered"), 1u) << s.dump();
}

TEST_F(fuse_test, bpf_test_follow_mounts)
{
	ASSERT_EQ(mkdir(outside("bound").c_str(), 0755), 0);
	ASSERT_TRUE(write_file(outside("bound/file"), "on the bind mount\n"));
	ASSERT_EQ(mkdir(src("mnt").c_str(), 0755), 0);
	ASSERT_TRUE(bind_mount(outside("bound"), src("mnt")));
	ASSERT_TRUE(mount({.filter = PROG_trace}));
	EXPECT_EQ(read_file(dst("mnt/file")), std::optional<std::string>("on the bind mount\n"))
	    << daemon_log();
	EXPECT_EQ(list_dir(dst("mnt")), std::optional(std::vector<std::string>{"file"}));
	ASSERT_TRUE(write_file(dst("mnt/new"), "written through\n"));
	EXPECT_EQ(read_file(outside("bound/new")), std::optional<std::string>("written through\n"));
}

} // namespace
} // namespace fusebpf::selftest
