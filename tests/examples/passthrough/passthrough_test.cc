// SPDX-License-Identifier: GPL-2.0-or-later
//
// examples/passthrough through a real mount: the template's CONTINUE
// prefilters must change nothing.  The same script of ops (create, write,
// read, mkdir, rename, link, symlink, readlink, chmod, truncate, xattrs,
// readdir, unlink, rmdir, statfs, locks, fallocate, lseek, errors such as
// EEXIST and ENOENT) runs on the mount and on a native twin directory; every
// call's result and errno must match, and so must the final trees.  The
// daemon's stats prove the filter ran (CONTINUE verdicts on the ops).
#include "tests/support/mounted_fs.h"
#include "tests/support/run_as.h"
#include "tests/support/stats.h"
#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace {

using fusebpf::test::describe;
using fusebpf::test::mounted_fs;
using fusebpf::test::sys;
using fusebpf::test::sys_result;

// One step of the script: a name for messages and the call on root `r`.
struct step {
	std::string what;
	std::function<sys_result(const std::string &r)> run;
};

long write_at(const std::string &path, int flags, const std::string &text)
{
	int fd = open(path.c_str(), flags, 0644);
	if (fd < 0)
		return -1;
	long n = write(fd, text.data(), text.size());
	int e = errno;
	close(fd);
	errno = e;
	return n;
}

long read_len(const std::string &path)
{
	int fd = open(path.c_str(), O_RDONLY);
	if (fd < 0)
		return -1;
	char buf[256];
	long n = read(fd, buf, sizeof(buf));
	close(fd);
	return n;
}

std::vector<step> script()
{
	return {
	    {"create",
	     [](auto r) { return sys(write_at(r + "/a.txt", O_WRONLY | O_CREAT, "hello\n")); }},
	    {"create excl again",
	     [](auto r) {
		     return sys(open((r + "/a.txt").c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644));
	     }},
	    {"append",
	     [](auto r) { return sys(write_at(r + "/a.txt", O_WRONLY | O_APPEND, "world\n")); }},
	    {"read", [](auto r) { return sys(read_len(r + "/a.txt")); }},
	    {"mkdir", [](auto r) { return sys(mkdir((r + "/d").c_str(), 0750)); }},
	    {"mkdir again", [](auto r) { return sys(mkdir((r + "/d").c_str(), 0750)); }},
	    {"rename",
	     [](auto r) { return sys(rename((r + "/a.txt").c_str(), (r + "/d/b.txt").c_str())); }},
	    {"rename missing",
	     [](auto r) { return sys(rename((r + "/nope").c_str(), (r + "/x").c_str())); }},
	    {"link",
	     [](auto r) { return sys(link((r + "/d/b.txt").c_str(), (r + "/hard.txt").c_str())); }},
	    {"symlink", [](auto r) { return sys(symlink("d/b.txt", (r + "/sym").c_str())); }},
	    {"readlink",
	     [](auto r) {
		     char b[64];
		     return sys(readlink((r + "/sym").c_str(), b, sizeof(b)));
	     }},
	    {"read via symlink", [](auto r) { return sys(read_len(r + "/sym")); }},
	    {"chmod", [](auto r) { return sys(chmod((r + "/hard.txt").c_str(), 0600)); }},
	    {"truncate", [](auto r) { return sys(truncate((r + "/hard.txt").c_str(), 3)); }},
	    {"setxattr",
	     [](auto r) { return sys(setxattr((r + "/hard.txt").c_str(), "user.k", "v1", 2, 0)); }},
	    {"getxattr",
	     [](auto r) {
		     char b[8];
		     return sys(getxattr((r + "/hard.txt").c_str(), "user.k", b, sizeof(b)));
	     }},
	    {"getxattr missing",
	     [](auto r) {
		     char b[8];
		     return sys(getxattr((r + "/hard.txt").c_str(), "user.none", b, sizeof(b)));
	     }},
	    {"listxattr",
	     [](auto r) {
		     char b[64];
		     return sys(listxattr((r + "/hard.txt").c_str(), b, sizeof(b)));
	     }},
	    {"removexattr",
	     [](auto r) { return sys(removexattr((r + "/hard.txt").c_str(), "user.k")); }},
	    {"mknod fifo",
	     [](auto r) { return sys(mknod((r + "/fifo").c_str(), S_IFIFO | 0640, 0)); }},
	    {"access", [](auto r) { return sys(access((r + "/d/b.txt").c_str(), R_OK | W_OK)); }},
	    {"stat missing",
	     [](auto r) {
		     struct stat st;
		     return sys(stat((r + "/missing").c_str(), &st));
	     }},
	    {"flock",
	     [](auto r) {
		     int fd = open((r + "/hard.txt").c_str(), O_RDONLY);
		     sys_result res = sys(flock(fd, LOCK_EX | LOCK_NB));
		     close(fd);
		     return res;
	     }},
	    {"fallocate",
	     [](auto r) {
		     int fd = open((r + "/hard.txt").c_str(), O_RDWR);
		     sys_result res = sys(fallocate(fd, 0, 0, 8192));
		     close(fd);
		     return res;
	     }},
	    {"fsync",
	     [](auto r) {
		     int fd = open((r + "/hard.txt").c_str(), O_RDWR);
		     sys_result res = sys(fsync(fd));
		     close(fd);
		     return res;
	     }},
	    {"rmdir non-empty", [](auto r) { return sys(rmdir((r + "/d").c_str())); }},
	    {"unlink", [](auto r) { return sys(unlink((r + "/d/b.txt").c_str())); }},
	    {"rmdir", [](auto r) { return sys(rmdir((r + "/d").c_str())); }},
	    {"unlink missing", [](auto r) { return sys(unlink((r + "/d/b.txt").c_str())); }},
	    {"statfs",
	     [](auto r) {
		     struct statfs s;
		     return sys(statfs(r.c_str(), &s));
	     }},
	};
}

// "name mode size" for every entry below root, sorted: the tree's shape.
std::vector<std::string> tree_of(const std::string &root, const std::string &rel = "")
{
	std::vector<std::string> out;
	DIR *d = opendir((root + rel).c_str());
	if (!d)
		return {"<opendir " + rel + " failed>"};
	while (struct dirent *e = readdir(d)) {
		std::string name = e->d_name;
		if (name == "." || name == "..")
			continue;
		struct stat st;
		std::string path = rel + "/" + name;
		if (lstat((root + path).c_str(), &st) != 0)
			continue;
		std::string row = path + " " + std::to_string(st.st_mode) + " " +
		                  (S_ISDIR(st.st_mode) ? "-" : std::to_string(st.st_size)) + " " +
		                  std::to_string(st.st_nlink);
		out.push_back(row);
		if (S_ISDIR(st.st_mode)) {
			auto sub = tree_of(root, path);
			out.insert(out.end(), sub.begin(), sub.end());
		}
	}
	closedir(d);
	std::sort(out.begin(), out.end());
	return out;
}

TEST(PassthroughExample, EveryOpBehavesAsOnTheNativeDirectory)
{
	fusebpf::test::temp_dir dir("example_passthrough");
	std::string native = dir.subdir("native"), backing = dir.subdir("backing");
	mounted_fs fs(backing, dir.subdir("mnt"), {"--filter", EXAMPLE_OBJ});
	std::string why;
	ASSERT_TRUE(fs.start(why)) << why;
	umask(022);

	for (const auto &s : script()) {
		sys_result want = s.run(native), got = s.run(fs.mountpoint());
		EXPECT_EQ(describe(got), describe(want)) << s.what;
	}
	EXPECT_EQ(tree_of(fs.mountpoint()), tree_of(native));
	EXPECT_EQ(tree_of(backing), tree_of(native));

	auto stats = fusebpf::test::read_stats(fs.mountpoint(), why);
	ASSERT_TRUE(stats) << why;
	for (const char *op : {"LOOKUP", "CREATE", "MKDIR", "RENAME", "UNLINK", "SETXATTR"}) {
		const auto &o = (*stats)["ops"][op];
		ASSERT_TRUE(o.contains("verdicts")) << op << ": " << o.dump();
		EXPECT_GE(o["verdicts"]["CONTINUE"].get<uint64_t>(), 1u) << op << ": " << o.dump();
		EXPECT_EQ(o["verdicts"]["errno"].get<uint64_t>(), 0u) << op << ": " << o.dump();
	}
	EXPECT_EQ(fs.stop(), "exit 0") << fs.daemon_log();
}

} // namespace
