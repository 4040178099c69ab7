// SPDX-License-Identifier: GPL-2.0-or-later
//
// The scale test (label `scale`, not timed): with the fd cap at 1,000
// (`-o max_fds=1000`), FUSEBPF_SCALE_FILES files (100,000 in a plain build)
// are created in one directory through the mount, then each is stat'ed,
// renamed and unlinked, all without an error, while the daemon's open fd
// count (/proc/PID/fd) stays under the cap plus a small constant. Entry and
// attribute timeouts are 0, so every stat is a LOOKUP the daemon serves from
// a node whose O_PATH fd was long evicted: it reopens it by handle.
//
// It prints the daemon's RSS growth per inode the kernel knows (after the
// creates, every file is a known inode), the benchmark's "RSS per known
// inode"; sanitizer builds inflate it.
#include "tests/daemon/mount_fixture.h"
#include "tests/support/proc_info.h"

#include "common/unique_fd.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

namespace fusebpf::test {
namespace {

constexpr size_t files = FUSEBPF_SCALE_FILES;
constexpr size_t cap = 1000;
// The daemon's own fds (/dev/fuse clones, control socket, signalfd, root
// and mount fds, BPF objects) plus the fds handlers pin while they run.
constexpr size_t slack = 64;

std::string name_of(size_t i)
{
	char buf[32];
	std::snprintf(buf, sizeof(buf), "file%06zu", i);
	return buf;
}

class ScaleTest : public mount_fixture {
protected:
	std::vector<std::string> mount_args() const override
	{
		return {"-o", "max_fds=" + std::to_string(cap) + ",entry_timeout=0,attr_timeout=0"};
	}

	// Records the fd count; fails once it passes cap + slack.
	void check_fds(const char *phase, size_t i)
	{
		size_t n = open_fds(fs().pid());
		peak_ = std::max(peak_, n);
		ASSERT_LE(n, cap + slack) << phase << " at file " << i;
	}

	size_t peak_ = 0;
};

TEST_F(ScaleTest, ManyFilesInOneDirectoryWithBoundedFds)
{
	ASSERT_EQ(::mkdir(m("big").c_str(), 0755), 0);
	unique_fd dir(open(m("big").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	ASSERT_TRUE(dir);
	unique_fd bdir(open(b("big").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
	ASSERT_TRUE(bdir);
	size_t rss_before = rss_bytes(fs().pid());
	const size_t every = 2000;

	for (size_t i = 0; i < files; i++) {
		int fd = openat(dir.get(), name_of(i).c_str(),
		                O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
		ASSERT_GE(fd, 0) << "create " << name_of(i) << ": " << std::strerror(errno);
		ASSERT_EQ(write(fd, name_of(i).data(), i % 8), static_cast<ssize_t>(i % 8));
		close(fd);
		if (i % every == 0) {
			ASSERT_NO_FATAL_FAILURE(check_fds("create", i));
		}
	}
	size_t rss_after = rss_bytes(fs().pid());
	ASSERT_NO_FATAL_FAILURE(check_fds("after create", files));
	std::printf("RSS per known inode: %zd bytes (%zu files, daemon RSS %zu -> %zu KiB)\n",
	            static_cast<ssize_t>(rss_after - rss_before) / static_cast<ssize_t>(files),
	            files, rss_before / 1024, rss_after / 1024);

	for (size_t i = 0; i < files; i++) {
		struct stat st, bst;
		ASSERT_EQ(fstatat(dir.get(), name_of(i).c_str(), &st, AT_SYMLINK_NOFOLLOW), 0)
		    << "stat " << name_of(i) << ": " << std::strerror(errno);
		ASSERT_EQ(st.st_size, static_cast<off_t>(i % 8)) << name_of(i);
		if (i % 997 == 0) {
			ASSERT_EQ(
			    fstatat(bdir.get(), name_of(i).c_str(), &bst, AT_SYMLINK_NOFOLLOW), 0);
			ASSERT_EQ(st.st_ino, bst.st_ino) << name_of(i);
		}
		if (i % every == 0) {
			ASSERT_NO_FATAL_FAILURE(check_fds("stat", i));
		}
	}

	for (size_t i = 0; i < files; i++) {
		std::string to = "r" + name_of(i);
		ASSERT_EQ(renameat(dir.get(), name_of(i).c_str(), dir.get(), to.c_str()), 0)
		    << "rename " << name_of(i) << ": " << std::strerror(errno);
		if (i % every == 0) {
			ASSERT_NO_FATAL_FAILURE(check_fds("rename", i));
		}
	}

	for (size_t i = 0; i < files; i++) {
		std::string name = "r" + name_of(i);
		ASSERT_EQ(unlinkat(dir.get(), name.c_str(), 0), 0)
		    << "unlink " << name << ": " << std::strerror(errno);
		if (i % every == 0) {
			ASSERT_NO_FATAL_FAILURE(check_fds("unlink", i));
		}
	}
	ASSERT_NO_FATAL_FAILURE(check_fds("end", files));
	std::printf("peak daemon fds: %zu (cap %zu)\n", peak_, cap);

	// The backing directory is empty, as the mount says.
	DIR *d = opendir(b("big").c_str());
	ASSERT_NE(d, nullptr);
	size_t left = 0;
	while (struct dirent *e = readdir(d))
		if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0)
			left++;
	closedir(d);
	EXPECT_EQ(left, 0u);
}

} // namespace
} // namespace fusebpf::test
