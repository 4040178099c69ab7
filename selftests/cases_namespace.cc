// SPDX-License-Identifier: GPL-2.0-or-later
//
// Cases 6-16 of fuse_test.c: names through the mount (create, hide, mkdir,
// unlink early and late, mknod, a large directory, links, symlinks, xattrs)
// and a readdir redacted by userspace. Every op must reach the backing dir
// as it would natively, and the stats must show the filters ran.
#include "common/unique_fd.h"
#include "selftests/fixture.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>
#include <string>

namespace fusebpf::selftest {
namespace {

// Restores the umask when a case that set one ends.
class umask_guard {
public:
	explicit umask_guard(mode_t m) : old_(umask(m)) {}
	~umask_guard() { umask(old_); }
	umask_guard(const umask_guard &) = delete;
	umask_guard &operator=(const umask_guard &) = delete;

private:
	mode_t old_;
};

std::uint64_t readdir_count(const nlohmann::json &s, const std::string &field)
{
	return stat_of(s, "/ops/READDIR/" + field) + stat_of(s, "/ops/READDIRPLUS/" + field);
}

TEST_F(fuse_test, bpf_test_creat)
{
	ASSERT_EQ(mkdir(src("dir").c_str(), 0755), 0);
	ASSERT_TRUE(mount({.filter = PROG_create_user, .user_filter = USER_create}));
	umask_guard um(0);
	// lookup dir, negative lookup of file, CREATE, flush, release.
	unique_fd fd(open(dst("dir/file").c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0666));
	ASSERT_TRUE(fd) << strerror(errno) << "\n" << daemon_log();
	ASSERT_EQ(write(fd.get(), "created\n", 8), 8) << strerror(errno);
	ASSERT_EQ(close(fd.release()), 0) << strerror(errno);
	struct stat st;
	ASSERT_EQ(stat(src("dir/file").c_str(), &st), 0) << "created in the backing dir";
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ(st.st_mode & 07777, 0600u) << "the userspace prefilter's mode, not 0666";
	EXPECT_EQ(read_file(src("dir/file")), std::optional<std::string>("created\n"));
	auto s = stats();
	EXPECT_GE(stat_of(s, "/ops/CREATE/user/prefilter"), 1u) << s.dump();
	EXPECT_GE(stat_of(s, "/ops/CREATE/user/postfilter"), 1u) << s.dump();
}

TEST_F(fuse_test, bpf_test_hidden_entries)
{
	ASSERT_TRUE(write_file(src("hide"), "hidden\n"));
	ASSERT_EQ(mkdir(src("show").c_str(), 0755), 0);
	ASSERT_TRUE(mount({.filter = PROG_hidden}));
	struct stat st;
	errno = 0;
	EXPECT_EQ(stat(dst("hide").c_str(), &st), -1);
	EXPECT_EQ(errno, ENOENT);
	ASSERT_EQ(stat(dst("show").c_str(), &st), 0) << strerror(errno) << "\n" << daemon_log();
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	// create, fallocate and write inside show/.
	unique_fd fd(open(dst("show/file").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644));
	ASSERT_TRUE(fd) << strerror(errno);
	ASSERT_EQ(fallocate(fd.get(), 0, 0, 4096), 0) << strerror(errno);
	ASSERT_EQ(pwrite(fd.get(), "hello", 5, 0), 5) << strerror(errno);
	ASSERT_EQ(close(fd.release()), 0);
	ASSERT_EQ(stat(src("show/file").c_str(), &st), 0);
	EXPECT_EQ(st.st_size, 4096);
	auto data = read_file(src("show/file"));
	ASSERT_TRUE(data);
	EXPECT_EQ(data->substr(0, 5), "hello");
	auto s = stats();
	EXPECT_GE(stat_of(s, "/ops/LOOKUP/verdicts/errno"), 1u) << s.dump();
	EXPECT_GE(stat_of(s, "/ops/CREATE/filtered"), 1u) << s.dump();
	EXPECT_GE(stat_of(s, "/ops/FALLOCATE/filtered"), 1u) << s.dump();
	EXPECT_GE(stat_of(s, "/ops/WRITE/filtered"), 1u) << s.dump();
}

TEST_F(fuse_test, bpf_test_dir)
{
	ASSERT_TRUE(mount({.filter = PROG_trace}));
	ASSERT_EQ(mkdir(dst("dir").c_str(), 0755), 0) << strerror(errno) << "\n" << daemon_log();
	struct stat st;
	ASSERT_EQ(stat(src("dir").c_str(), &st), 0);
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	ASSERT_EQ(rmdir(dst("dir").c_str()), 0) << strerror(errno);
	EXPECT_EQ(stat(src("dir").c_str(), &st), -1);
	auto s = stats();
	EXPECT_GE(stat_of(s, "/ops/MKDIR/filtered"), 1u) << s.dump();
	EXPECT_GE(stat_of(s, "/ops/RMDIR/filtered"), 1u) << s.dump();
}

TEST_F(fuse_test, bpf_test_file_early_close)
{
	ASSERT_TRUE(mount({.filter = PROG_trace}));
	unique_fd fd(open(dst("file").c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
	ASSERT_TRUE(fd) << strerror(errno) << "\n" << daemon_log();
	ASSERT_EQ(write(fd.get(), "early", 5), 5);
	ASSERT_EQ(close(fd.release()), 0);
	EXPECT_EQ(read_file(src("file")), std::optional<std::string>("early"));
	ASSERT_EQ(unlink(dst("file").c_str()), 0) << strerror(errno);
	EXPECT_NE(access(src("file").c_str(), F_OK), 0);
	auto s = stats();
	EXPECT_GE(stat_of(s, "/ops/CREATE/filtered"), 1u) << s.dump();
	EXPECT_GE(stat_of(s, "/ops/UNLINK/filtered"), 1u) << s.dump();
}

TEST_F(fuse_test, bpf_test_file_late_close)
{
	ASSERT_TRUE(mount({.filter = PROG_trace}));
	unique_fd fd(open(dst("file").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644));
	ASSERT_TRUE(fd) << strerror(errno) << "\n" << daemon_log();
	ASSERT_EQ(write(fd.get(), "late", 4), 4);
	ASSERT_EQ(unlink(dst("file").c_str()), 0) << strerror(errno);
	EXPECT_NE(access(src("file").c_str(), F_OK), 0) << "unlinked in the backing dir";
	EXPECT_NE(access(dst("file").c_str(), F_OK), 0);
	// The open file still works after the unlink.
	ASSERT_EQ(pwrite(fd.get(), " close", 6, 4), 6) << strerror(errno);
	char buf[16] = {};
	ASSERT_EQ(pread(fd.get(), buf, sizeof(buf), 0), 10) << strerror(errno);
	EXPECT_EQ(std::string(buf, 10), "late close");
	EXPECT_EQ(close(fd.release()), 0) << strerror(errno);
	auto s = stats();
	EXPECT_GE(stat_of(s, "/ops/UNLINK/filtered"), 1u) << s.dump();
	EXPECT_GE(stat_of(s, "/ops/RELEASE/filtered"), 1u) << s.dump();
}

TEST_F(fuse_test, bpf_test_mknod)
{
	ASSERT_TRUE(mount({.filter = PROG_trace}));
	ASSERT_EQ(mkfifo(dst("fifo").c_str(), 0644), 0) << strerror(errno) << "\n" << daemon_log();
	struct stat st;
	ASSERT_EQ(lstat(src("fifo").c_str(), &st), 0);
	EXPECT_TRUE(S_ISFIFO(st.st_mode));
	ASSERT_EQ(lstat(dst("fifo").c_str(), &st), 0);
	EXPECT_TRUE(S_ISFIFO(st.st_mode));
	ASSERT_EQ(unlink(dst("fifo").c_str()), 0) << strerror(errno);
	EXPECT_NE(access(src("fifo").c_str(), F_OK), 0);
	auto s = stats();
	EXPECT_GE(stat_of(s, "/ops/MKNOD/filtered"), 1u) << s.dump();
}

TEST_F(fuse_test, bpf_test_largedir)
{
	constexpr int files = 1000;
	ASSERT_TRUE(mount({.filter = PROG_trace}));
	ASSERT_EQ(mkdir(dst("show").c_str(), 0755), 0) << strerror(errno) << "\n" << daemon_log();
	std::vector<std::string> expected;
	for (int i = 0; i < files; i++) {
		char name[32];
		std::snprintf(name, sizeof(name), "file_%04d", i);
		expected.emplace_back(name);
		unique_fd fd(open(dst("show/" + expected.back()).c_str(),
		                  O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
		ASSERT_TRUE(fd) << expected.back() << ": " << strerror(errno);
	}
	auto names = list_dir(dst("show"), 4096);
	ASSERT_TRUE(names) << strerror(errno);
	EXPECT_EQ(*names, expected);
	EXPECT_EQ(list_dir(src("show")), std::optional(expected));
	auto s = stats();
	EXPECT_GE(stat_of(s, "/ops/CREATE/filtered"), static_cast<std::uint64_t>(files))
	    << s.dump();
	EXPECT_GE(readdir_count(s, "filtered"), 2u) << s.dump();
}

TEST_F(fuse_test, bpf_test_link)
{
	ASSERT_TRUE(write_file(src("file"), "linked\n"));
	ASSERT_TRUE(mount({.filter = PROG_trace}));
	ASSERT_EQ(link(dst("file").c_str(), dst("link").c_str()), 0) << strerror(errno) << "\n"
	                                                             << daemon_log();
	struct stat f, l;
	ASSERT_EQ(stat(src("file").c_str(), &f), 0);
	ASSERT_EQ(stat(src("link").c_str(), &l), 0) << "the link is in the backing dir";
	EXPECT_EQ(f.st_ino, l.st_ino);
	EXPECT_EQ(l.st_nlink, 2u);
	ASSERT_EQ(stat(dst("link").c_str(), &l), 0);
	EXPECT_EQ(l.st_nlink, 2u);
	EXPECT_EQ(read_file(dst("link")), std::optional<std::string>("linked\n"));
	ASSERT_EQ(unlink(dst("link").c_str()), 0) << strerror(errno);
	EXPECT_NE(access(src("link").c_str(), F_OK), 0);
	ASSERT_EQ(stat(src("file").c_str(), &f), 0);
	EXPECT_EQ(f.st_nlink, 1u);
	auto s = stats();
	EXPECT_GE(stat_of(s, "/ops/LINK/filtered"), 1u) << s.dump();
}

TEST_F(fuse_test, bpf_test_symlink)
{
	ASSERT_TRUE(write_file(src("target"), "through the link\n"));
	ASSERT_TRUE(mount({.filter = PROG_trace}));
	ASSERT_EQ(symlink("target", dst("link").c_str()), 0) << strerror(errno) << "\n"
	                                                     << daemon_log();
	char buf[256];
	ssize_t n = readlink(src("link").c_str(), buf, sizeof(buf));
	ASSERT_EQ(n, 6) << "a symlink in the backing dir";
	EXPECT_EQ(std::string(buf, n), "target");
	n = readlink(dst("link").c_str(), buf, sizeof(buf));
	ASSERT_EQ(n, 6) << strerror(errno);
	EXPECT_EQ(std::string(buf, n), "target");
	EXPECT_EQ(read_file(dst("link")), std::optional<std::string>("through the link\n"));
	auto s = stats();
	EXPECT_GE(stat_of(s, "/ops/SYMLINK/filtered"), 1u) << s.dump();
	EXPECT_GE(stat_of(s, "/ops/READLINK/filtered"), 1u) << s.dump();
}

TEST_F(fuse_test, bpf_test_xattr)
{
	const char *name = "user.selftest";
	ASSERT_TRUE(write_file(src("file"), "x"));
	ASSERT_TRUE(mount({.filter = PROG_trace}));
	std::string f = dst("file");
	char buf[1024];
	errno = 0;
	EXPECT_EQ(getxattr(f.c_str(), name, buf, sizeof(buf)), -1);
	EXPECT_EQ(errno, ENODATA);
	// The list is the backing file's (empty of user.* names).
	ssize_t native = listxattr(src("file").c_str(), buf, sizeof(buf));
	ASSERT_GE(native, 0);
	std::string native_list(buf, native);
	ssize_t n = listxattr(f.c_str(), buf, sizeof(buf));
	ASSERT_GE(n, 0) << strerror(errno);
	EXPECT_EQ(std::string(buf, n), native_list);
	ASSERT_EQ(setxattr(f.c_str(), name, "value", 5, 0), 0) << strerror(errno);
	n = getxattr(src("file").c_str(), name, buf, sizeof(buf));
	ASSERT_EQ(n, 5) << "set on the backing file";
	EXPECT_EQ(std::string(buf, n), "value");
	n = listxattr(f.c_str(), buf, sizeof(buf));
	ASSERT_GE(n, 0) << strerror(errno);
	EXPECT_EQ(std::string(buf, n), native_list + name + std::string(1, '\0'));
	n = getxattr(f.c_str(), name, buf, sizeof(buf));
	ASSERT_EQ(n, 5) << strerror(errno);
	EXPECT_EQ(std::string(buf, n), "value");
	ASSERT_EQ(removexattr(f.c_str(), name), 0) << strerror(errno);
	errno = 0;
	EXPECT_EQ(getxattr(src("file").c_str(), name, buf, sizeof(buf)), -1);
	EXPECT_EQ(errno, ENODATA);
	auto s = stats();
	for (const char *op : {"GETXATTR", "SETXATTR", "LISTXATTR", "REMOVEXATTR"})
		EXPECT_GE(stat_of(s, std::string("/ops/") + op + "/filtered"), 1u)
		    << op << s.dump();
}

TEST_F(fuse_test, bpf_test_redact_readdir)
{
	constexpr int files = 300;
	std::vector<std::string> kept{".", ".."};
	for (int i = 0; i < files; i++) {
		char name[16];
		std::snprintf(name, sizeof(name), "f%03d", i);
		ASSERT_TRUE(write_file(src(name), ""));
		if (i % 2 == 0)
			kept.emplace_back(name);
	}
	ASSERT_TRUE(mount({.filter = PROG_readdir_user, .user_filter = USER_redact}));
	// Small getdents buffers: the listing takes many READDIR calls, each
	// resuming at the offset the previous reply ended with.
	auto names = list_dir_raw(dst(), 1024);
	ASSERT_TRUE(names) << strerror(errno) << "\n" << daemon_log();
	std::set<std::string> unique(names->begin(), names->end());
	EXPECT_EQ(unique.size(), names->size()) << "an entry came twice";
	std::sort(names->begin(), names->end());
	std::sort(kept.begin(), kept.end());
	EXPECT_EQ(*names, kept);
	auto s = stats();
	EXPECT_GE(readdir_count(s, "requests"), 3u) << s.dump();
	EXPECT_GE(readdir_count(s, "user/postfilter"), 3u) << s.dump();
}

} // namespace
} // namespace fusebpf::selftest
