// SPDX-License-Identifier: GPL-2.0-or-later
//
// Cases 1-5 of fuse_test.c: a userspace-only virtual file, data through BPF
// tables (real, partial), attributes, a readdir extended by userspace.
// Each case mounts ft-src on ft-dst with its own filters (fixture.h) and
// checks both the effect (data, attributes, listings) and, through the
// daemon's stats, that the filters it names took part.
#include "common/unique_fd.h"
#include "selftests/fixture.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

namespace fusebpf::selftest {
namespace {

// The virtual file user/basic.cc serves.
const std::string hello_data = "hello, world from a userspace filter\n";

TEST_F(fuse_test, basic_test)
{
	ASSERT_TRUE(mount({.user_filter = USER_basic}));
	struct stat st;
	ASSERT_EQ(stat(dst("hello").c_str(), &st), 0) << strerror(errno) << "\n" << daemon_log();
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ(st.st_size, static_cast<off_t>(hello_data.size()));
	// lookup, open, read, flush, release: one by one.
	unique_fd fd(open(dst("hello").c_str(), O_RDONLY | O_CLOEXEC));
	ASSERT_TRUE(fd) << strerror(errno);
	std::string buf(4096, '\0');
	ssize_t n = read(fd.get(), buf.data(), buf.size());
	ASSERT_EQ(n, static_cast<ssize_t>(hello_data.size())) << strerror(errno);
	EXPECT_EQ(buf.substr(0, n), hello_data);
	EXPECT_EQ(read(fd.get(), buf.data(), buf.size()), 0); // EOF
	EXPECT_EQ(close(fd.release()), 0) << strerror(errno); // flush + release
	// The file is the handler's alone.
	EXPECT_NE(access(src("hello").c_str(), F_OK), 0);
	auto s = stats();
	EXPECT_GE(stat_of(s, "/ops/LOOKUP/user/handler"), 1u) << s.dump();
	EXPECT_GE(stat_of(s, "/ops/READ/user/handler"), 1u) << s.dump();
}

TEST_F(fuse_test, bpf_test_real)
{
	const std::string data = "real data, read through the mount\n";
	ASSERT_TRUE(write_file(src("real"), data));
	ASSERT_TRUE(mount({.filter = PROG_trace}));
	auto got = read_file(dst("real"));
	ASSERT_TRUE(got) << strerror(errno) << "\n" << daemon_log();
	EXPECT_EQ(*got, data);
	// The read filter saw the read.
	auto s = stats();
	EXPECT_GE(stat_of(s, "/ops/READ/filtered"), 1u) << s.dump();
	EXPECT_GE(stat_of(s, "/ops/READ/verdicts/CONTINUE"), 1u) << s.dump();
}

TEST_F(fuse_test, bpf_test_partial)
{
	// Two pages: the first is answered by the userspace filter, the second
	// comes from the backing file.
	const std::string backing = std::string(4096, 'a') + std::string(4096, 'b');
	ASSERT_TRUE(write_file(src("partial"), backing));
	ASSERT_TRUE(mount({.filter = PROG_partial, .user_filter = USER_partial}));
	unique_fd fd(open(dst("partial").c_str(), O_RDONLY | O_CLOEXEC));
	ASSERT_TRUE(fd) << strerror(errno) << "\n" << daemon_log();
	std::string buf(4096, '\0');
	ASSERT_EQ(pread(fd.get(), buf.data(), buf.size(), 0), 4096) << strerror(errno);
	EXPECT_EQ(buf, std::string(4096, 'U')) << "the read at offset 0 is the user filter's";
	ASSERT_EQ(pread(fd.get(), buf.data(), buf.size(), 4096), 4096) << strerror(errno);
	EXPECT_EQ(buf, std::string(4096, 'b')) << "the read at 4096 is the backing file's";
	auto s = stats();
	EXPECT_GE(stat_of(s, "/ops/READ/user/handler"), 1u) << s.dump();
	EXPECT_GE(stat_of(s, "/ops/OPEN/user/postfilter"), 1u) << s.dump();
	EXPECT_GE(stat_of(s, "/ops/READ/verdicts/CONTINUE"), 1u) << s.dump();
}

TEST_F(fuse_test, bpf_test_attrs)
{
	ASSERT_TRUE(write_file(src("file"), "attrs\n", 0644));
	ASSERT_TRUE(mount({.filter = PROG_trace}));
	ASSERT_EQ(chmod(dst("file").c_str(), 0600), 0) << strerror(errno) << "\n" << daemon_log();
	ASSERT_EQ(chown(dst("file").c_str(), 1234, 5678), 0) << strerror(errno);
	struct stat b, m;
	ASSERT_EQ(stat(src("file").c_str(), &b), 0);
	EXPECT_EQ(b.st_mode & 07777, 0600u);
	EXPECT_EQ(b.st_uid, 1234u);
	EXPECT_EQ(b.st_gid, 5678u);
	ASSERT_EQ(stat(dst("file").c_str(), &m), 0) << strerror(errno);
	EXPECT_EQ(m.st_mode, b.st_mode);
	EXPECT_EQ(m.st_uid, b.st_uid);
	EXPECT_EQ(m.st_gid, b.st_gid);
	EXPECT_EQ(m.st_size, b.st_size);
	auto s = stats();
	EXPECT_GE(stat_of(s, "/ops/SETATTR/filtered"), 2u) << s.dump();
}

TEST_F(fuse_test, bpf_test_readdir)
{
	ASSERT_TRUE(write_file(src("real"), "r"));
	ASSERT_TRUE(write_file(src("partial"), "p"));
	ASSERT_TRUE(mount({.filter = PROG_readdir_user, .user_filter = USER_readdir}));
	auto names = list_dir_raw(dst(), 32768);
	ASSERT_TRUE(names) << strerror(errno) << "\n" << daemon_log();
	std::sort(names->begin(), names->end());
	EXPECT_EQ(*names, (std::vector<std::string>{".", "..", "fake", "partial", "real"}));
	auto s = stats();
	EXPECT_GE(stat_of(s, "/ops/OPENDIR/user/postfilter"), 1u) << s.dump();
	EXPECT_GE(stat_of(s, "/ops/READDIR/user/postfilter") +
	              stat_of(s, "/ops/READDIRPLUS/user/postfilter"),
	          1u)
	    << s.dump();
}

} // namespace
} // namespace fusebpf::selftest
