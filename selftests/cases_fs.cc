// SPDX-License-Identifier: GPL-2.0-or-later
//
// Cases 25-34 of fuse_test.c: mmap, permissions with DAC capabilities
// dropped, inotify, statfs, lseek, readdirplus next to lookup-set backings,
// readdir vs readdirplus, revalidation after a binding changed, a userspace
// lookup postfilter, flock.
#include "common/unique_fd.h"
#include "selftests/fixture.h"
#include "tests/support/run_as.h"

#include <bpf/bpf.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

namespace fusebpf::selftest {
namespace {

// Drops CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the calling process's
// effective and permitted sets (no libcap: two raw syscalls).
bool drop_dac_capabilities()
{
	__user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
	__user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
	if (syscall(SYS_capget, &hdr, data) != 0)
		return false;
	for (int cap : {CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH}) {
		data[CAP_TO_INDEX(cap)].effective &= ~CAP_TO_MASK(cap);
		data[CAP_TO_INDEX(cap)].permitted &= ~CAP_TO_MASK(cap);
	}
	return syscall(SYS_capset, &hdr, data) == 0;
}

std::string opendir_errno(const std::string &path)
{
	DIR *d = opendir(path.c_str());
	if (d) {
		closedir(d);
		return "0";
	}
	return strerrorname_np(errno);
}

// Waits up to timeout_ms for an inotify event named `name` with mask bit
// `what`.
bool wait_inotify(int fd, const std::string &name, uint32_t what, int timeout_ms)
{
	alignas(inotify_event) char buf[4096];
	for (;;) {
		pollfd p{fd, POLLIN, 0};
		if (poll(&p, 1, timeout_ms) <= 0)
			return false;
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			return false;
		for (ssize_t pos = 0; pos < n;) {
			auto *e = reinterpret_cast<const inotify_event *>(buf + pos);
			if ((e->mask & what) && e->len && name == e->name)
				return true;
			pos += static_cast<ssize_t>(sizeof(*e) + e->len);
		}
	}
}

TEST_F(fuse_test, mmap_test)
{
	ASSERT_TRUE(write_file(src("file"), std::string(8192, 'a')));
	ASSERT_TRUE(mount({}));
	unique_fd fd(open(dst("file").c_str(), O_RDWR | O_CLOEXEC));
	ASSERT_TRUE(fd) << strerror(errno) << "\n" << daemon_log();
	void *p = mmap(nullptr, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
	ASSERT_NE(p, MAP_FAILED) << strerror(errno);
	auto *bytes = static_cast<char *>(p);
	EXPECT_EQ(bytes[0], 'a');
	std::memcpy(bytes + 100, "mmap one", 8);
	std::memcpy(bytes + 5000, "mmap two", 8);
	EXPECT_EQ(msync(p, 8192, MS_SYNC), 0) << strerror(errno);
	EXPECT_EQ(munmap(p, 8192), 0);
	EXPECT_EQ(close(fd.release()), 0);
	auto data = read_file(src("file"));
	ASSERT_TRUE(data);
	ASSERT_EQ(data->size(), 8192u);
	EXPECT_EQ(data->substr(100, 8), "mmap one");
	EXPECT_EQ(data->substr(5000, 8), "mmap two");
	EXPECT_EQ(data->substr(0, 100), std::string(100, 'a'));
}

TEST_F(fuse_test, readdir_perms_test)
{
	ASSERT_EQ(mkdir(src("dir").c_str(), 0111), 0);
	ASSERT_EQ(chmod(src("dir").c_str(), 0111), 0);
	ASSERT_TRUE(write_file(src("dir/file"), "x"));
	// default_permissions: the kernel checks modes with the caller's
	// credentials and capabilities, as FUSE-BPF's backing ops did.
	ASSERT_TRUE(mount({.filter = PROG_trace, .options = "allow_other,default_permissions"}));
	// As root with the DAC capabilities dropped.
	std::string why;
	auto root_nodac = test::run_as(
	    {0, 0},
	    [&] {
		    if (!drop_dac_capabilities())
			    return std::string("capset failed: ") + strerror(errno);
		    return "src=" + opendir_errno(src("dir")) + " dst=" + opendir_errno(dst("dir"));
	    },
	    why);
	ASSERT_TRUE(root_nodac) << why;
	EXPECT_EQ(*root_nodac, "src=EACCES dst=EACCES") << daemon_log();
	// As an unprivileged user.
	auto nobody = test::run_as(
	    test::nobody,
	    [&] {
		    return "src=" + opendir_errno(src("dir")) + " dst=" + opendir_errno(dst("dir"));
	    },
	    why);
	ASSERT_TRUE(nobody) << why;
	EXPECT_EQ(*nobody, "src=EACCES dst=EACCES");
	// Root with its capabilities still opens it, natively and on the mount.
	EXPECT_EQ(opendir_errno(src("dir")), "0");
	EXPECT_EQ(opendir_errno(dst("dir")), "0");
}

TEST_F(fuse_test, inotify_test)
{
	ASSERT_TRUE(mount({.filter = PROG_trace}));
	unique_fd in(inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
	ASSERT_TRUE(in) << strerror(errno);
	ASSERT_GE(inotify_add_watch(in.get(), dst().c_str(), IN_CREATE), 0) << strerror(errno);
	// Created through the mount: the kernel's VFS reports it.
	ASSERT_TRUE(write_file(dst("through_mount"), "x")) << daemon_log();
	EXPECT_TRUE(wait_inotify(in.get(), "through_mount", IN_CREATE, 2000));
	// Created directly in the backing dir.
	ASSERT_TRUE(write_file(src("in_backing"), "x"));
	if (!wait_inotify(in.get(), "in_backing", IN_CREATE, 500))
		GTEST_SKIP() << "IN_CREATE for a file created directly in the backing dir: a "
		                "stock kernel's FUSE has no notification that raises fsnotify "
		                "events on the mount (FUSE-BPF's backing inode did). The half "
		                "through the mount passed";
}

TEST_F(fuse_test, bpf_test_statfs)
{
	ASSERT_TRUE(mount({.filter = PROG_trace}));
	struct statfs m, b;
	ASSERT_EQ(statfs(dst().c_str(), &m), 0) << strerror(errno) << "\n" << daemon_log();
	ASSERT_EQ(statfs(src().c_str(), &b), 0);
	EXPECT_EQ(static_cast<unsigned long>(m.f_type), 0x65735546ul) << "FUSE_SUPER_MAGIC";
	EXPECT_EQ(m.f_blocks, b.f_blocks);
	EXPECT_EQ(m.f_files, b.f_files);
	EXPECT_EQ(m.f_bsize, b.f_bsize);
	EXPECT_EQ(m.f_namelen, b.f_namelen);
	auto s = stats();
	EXPECT_GE(stat_of(s, "/ops/STATFS/filtered"), 1u) << s.dump();
}

TEST_F(fuse_test, bpf_test_lseek)
{
	constexpr off_t four_gib = 4LL << 30, data_at = 1 << 20;
	ASSERT_TRUE(write_file(src("file"), "0123456789"));
	{
		unique_fd sparse(open(src("sparse").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644));
		ASSERT_TRUE(sparse);
		ASSERT_EQ(ftruncate(sparse.get(), four_gib), 0) << strerror(errno);
		std::string block(4096, 'd');
		ASSERT_EQ(pwrite(sparse.get(), block.data(), block.size(), data_at), 4096);
	}
	ASSERT_TRUE(mount({.filter = PROG_trace}));
	unique_fd fd(open(dst("file").c_str(), O_RDONLY | O_CLOEXEC));
	ASSERT_TRUE(fd) << strerror(errno) << "\n" << daemon_log();
	char c = 0;
	EXPECT_EQ(lseek(fd.get(), 3, SEEK_SET), 3);
	ASSERT_EQ(read(fd.get(), &c, 1), 1);
	EXPECT_EQ(c, '3');
	EXPECT_EQ(lseek(fd.get(), -2, SEEK_END), 8);
	ASSERT_EQ(read(fd.get(), &c, 1), 1);
	EXPECT_EQ(c, '8');
	EXPECT_EQ(lseek(fd.get(), -3, SEEK_CUR), 6);
	EXPECT_EQ(lseek(fd.get(), 0, SEEK_DATA), 0) << strerror(errno);
	EXPECT_EQ(lseek(fd.get(), 0, SEEK_HOLE), 10) << strerror(errno);

	unique_fd sp(open(dst("sparse").c_str(), O_RDONLY | O_CLOEXEC));
	ASSERT_TRUE(sp) << strerror(errno);
	EXPECT_EQ(lseek(sp.get(), -256, SEEK_END), four_gib - 256);
	EXPECT_EQ(lseek(sp.get(), 0, SEEK_DATA), data_at) << strerror(errno);
	EXPECT_EQ(lseek(sp.get(), data_at, SEEK_HOLE), data_at + 4096) << strerror(errno);
	errno = 0;
	EXPECT_EQ(lseek(sp.get(), data_at + 4096, SEEK_DATA), -1);
	EXPECT_EQ(errno, ENXIO);
	char tail[256];
	ASSERT_EQ(pread(sp.get(), tail, sizeof(tail), four_gib - 256), 256) << strerror(errno);
	EXPECT_EQ(std::string(tail, 256), std::string(256, '\0'));
	auto s = stats();
	EXPECT_GE(stat_of(s, "/ops/LSEEK/filtered"), 1u) << s.dump();
}

// A READDIRPLUS listing never replaces the node a lookup gave a backing.
// folder1's LOOKUP makes it folder2's inode (a backing path from the lookup
// handler) with no table below it. Listing the root then runs a READDIRPLUS
// next to folder1's cached dentry: an entry carrying the plain backing
// folder1's node would make the kernel drop the dentry and instantiate that
// node instead. Listing folder1 runs a READDIRPLUS whose entries do carry
// nodes (no table filters LOOKUP there): they must be folder2's, and the
// kernel must take them (a later open needs no LOOKUP). Long timeouts: the
// kernel keeps what it was told, so only a READDIRPLUS reply changes it.
TEST_F(fuse_test, bpf_test_readdirplus_not_overriding_backing)
{
	ASSERT_EQ(mkdir(src("folder1").c_str(), 0755), 0);
	ASSERT_EQ(mkdir(src("folder2").c_str(), 0755), 0);
	ASSERT_TRUE(write_file(src("folder1/file1"), "folder1's file\n"));
	ASSERT_TRUE(write_file(src("folder2/file2"), "folder2's file\n"));
	struct stat backing2 {};
	ASSERT_EQ(stat(src("folder2").c_str(), &backing2), 0);
	ASSERT_TRUE(mount({.filter = PROG_user_lookup,
	                   .user_filter = USER_set_backing,
	                   .user_arg = "name=folder1,path=folder2,table=-",
	                   .options = "entry_timeout=60,attr_timeout=60"}));
	auto ino_of = [](const std::string &path) -> ino_t {
		struct stat st {};
		return stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
	};
	ASSERT_EQ(ino_of(dst("folder1")), backing2.st_ino) << daemon_log();

	// The root listing: a READDIRPLUS while folder1's dentry is cached.
	uint64_t plus_before = stat_of(stats(), "/ops/READDIRPLUS/requests");
	auto root = list_dir(dst());
	ASSERT_TRUE(root) << strerror(errno);
	EXPECT_EQ(*root, (std::vector<std::string>{"folder1", "folder2"}));
	auto s = stats();
	ASSERT_GT(stat_of(s, "/ops/READDIRPLUS/requests"), plus_before)
	    << "the root listing must be a READDIRPLUS\n"
	    << s.dump();
	EXPECT_EQ(ino_of(dst("folder1")), backing2.st_ino)
	    << "the root listing replaced folder1's node";
	EXPECT_EQ(read_file(dst("folder1/file2")), std::optional<std::string>("folder2's file\n"));

	// folder1's own listing: READDIRPLUS entries with nodes, from folder2.
	ASSERT_EQ(mkdir(src("folder2/sub").c_str(), 0755), 0);
	plus_before = stat_of(stats(), "/ops/READDIRPLUS/requests");
	EXPECT_EQ(list_dir(dst("folder1")),
	          (std::optional(std::vector<std::string>{"file2", "sub"})));
	s = stats();
	ASSERT_GT(stat_of(s, "/ops/READDIRPLUS/requests"), plus_before)
	    << "folder1's listing must be a READDIRPLUS\n"
	    << s.dump();
	uint64_t lookups_before = stat_of(s, "/ops/LOOKUP/requests");
	EXPECT_NE(ino_of(dst("folder1/sub")), 0u) << strerror(errno);
	EXPECT_EQ(stat_of(stats(), "/ops/LOOKUP/requests"), lookups_before)
	    << "folder1/sub's dentry must come from the READDIRPLUS entry";
	EXPECT_EQ(ino_of(dst("folder1")), backing2.st_ino);
	EXPECT_EQ(list_dir(dst("folder1")),
	          (std::optional(std::vector<std::string>{"file2", "sub"})));
}

TEST_F(fuse_test, bpf_test_no_readdirplus_without_nodeid)
{
	ASSERT_EQ(mkdir(src("dir").c_str(), 0755), 0);
	std::vector<std::string> kept;
	for (int i = 0; i < 100; i++) {
		char keep[32], drop[32];
		std::snprintf(keep, sizeof(keep), "keep_%03d", i);
		std::snprintf(drop, sizeof(drop), "drop_%03d", i);
		ASSERT_TRUE(write_file(src("dir/") + keep, ""));
		ASSERT_TRUE(write_file(src("dir/") + drop, ""));
		kept.emplace_back(keep);
	}
	ASSERT_TRUE(mount({.filter = PROG_readdir_drop}));
	// The first READDIR request of a listing is a READDIRPLUS, later ones
	// (no lookups in between) plain READDIRs (FUSE_READDIRPLUS_AUTO): one
	// listing in small buffers sees both, and both must filter.
	auto names = list_dir(dst("dir"), 1024);
	ASSERT_TRUE(names) << strerror(errno) << "\n" << daemon_log();
	EXPECT_EQ(*names, kept);
	auto s = stats();
	EXPECT_GE(stat_of(s, "/ops/READDIRPLUS/filtered"), 1u) << s.dump();
	EXPECT_GE(stat_of(s, "/ops/READDIR/filtered"), 1u) << s.dump();
}

TEST_F(fuse_test, bpf_test_revalidate_handle_backing_fd)
{
	ASSERT_EQ(mkdir(src("store").c_str(), 0755), 0);
	ASSERT_TRUE(write_file(src("file"), "first backing\n"));
	ASSERT_TRUE(write_file(src("store/v2"), "second backing\n"));
	auto table = load_table(PROG_switch_lookup);
	ASSERT_TRUE(table);
	unique_fd mode(bpf_obj_get((table->pin_dir + "/maps/mode").c_str()));
	ASSERT_TRUE(mode) << table->pin_dir << "/maps/mode: " << strerror(errno);
	auto set_mode = [&](uint32_t v) {
		uint32_t key = 0;
		return bpf_map_update_elem(mode.get(), &key, &v, BPF_ANY);
	};
	ASSERT_TRUE(mount({.ops = std::to_string(table->id),
	                   .user_filter = USER_set_backing,
	                   .user_arg = "name=file,path=store/v2",
	                   .options = "entry_timeout=0,attr_timeout=0"}));
	EXPECT_EQ(read_file(dst("file")), std::optional<std::string>("first backing\n"))
	    << daemon_log();
	// The table now hands "file" to the handler, which gives it another
	// backing: the next use revalidates the name and sees the change.
	ASSERT_EQ(set_mode(1), 0) << strerror(errno);
	EXPECT_EQ(read_file(dst("file")), std::optional<std::string>("second backing\n"));
	EXPECT_EQ(read_file(dst("file")), std::optional<std::string>("second backing\n"));
	ASSERT_EQ(set_mode(0), 0) << strerror(errno);
	EXPECT_EQ(read_file(dst("file")), std::optional<std::string>("first backing\n"));
	auto s = stats();
	EXPECT_GE(stat_of(s, "/ops/LOOKUP/user/handler"), 1u) << s.dump();
}

TEST_F(fuse_test, bpf_test_lookup_postfilter)
{
	ASSERT_TRUE(write_file(src("file1"), "1"));
	ASSERT_TRUE(write_file(src("file2"), "2"));
	ASSERT_TRUE(mount({.filter = PROG_lookup_post,
	                   .user_filter = USER_lookup_post,
	                   .options = "entry_timeout=0,attr_timeout=0"}));
	struct stat st;
	errno = 0;
	EXPECT_EQ(stat(dst("file1").c_str(), &st), -1) << "hidden by the user postfilter";
	EXPECT_EQ(errno, ENOENT) << daemon_log();
	EXPECT_EQ(stat(dst("file2").c_str(), &st), 0) << strerror(errno);
	auto before = stats();
	errno = 0;
	EXPECT_EQ(stat(dst("file3").c_str(), &st), -1);
	EXPECT_EQ(errno, ENOENT) << "EBADE: the user postfilter saw another error_in";
	auto after = stats();
	EXPECT_GE(stat_of(after, "/ops/LOOKUP/user/postfilter"),
	          stat_of(before, "/ops/LOOKUP/user/postfilter") + 1)
	    << "the missing file3 reached the user postfilter\n"
	    << after.dump();
}

TEST_F(fuse_test, flock_test)
{
	ASSERT_TRUE(write_file(src("file"), "locked\n"));
	ASSERT_TRUE(mount({.filter = PROG_trace}));
	unique_fd a(open(dst("file").c_str(), O_RDONLY | O_CLOEXEC));
	unique_fd b(open(dst("file").c_str(), O_RDONLY | O_CLOEXEC));
	unique_fd native(open(src("file").c_str(), O_RDONLY | O_CLOEXEC));
	ASSERT_TRUE(a && b && native) << strerror(errno) << "\n" << daemon_log();
	ASSERT_EQ(flock(a.get(), LOCK_EX | LOCK_NB), 0) << strerror(errno);
	errno = 0;
	EXPECT_EQ(flock(b.get(), LOCK_EX | LOCK_NB), -1);
	EXPECT_EQ(errno, EWOULDBLOCK) << "two fds on the mount";
	errno = 0;
	EXPECT_EQ(flock(native.get(), LOCK_EX | LOCK_NB), -1);
	EXPECT_EQ(errno, EWOULDBLOCK) << "the mount's lock holds on the backing file";
	ASSERT_EQ(flock(a.get(), LOCK_UN), 0);
	ASSERT_EQ(flock(native.get(), LOCK_EX | LOCK_NB), 0) << strerror(errno);
	errno = 0;
	EXPECT_EQ(flock(b.get(), LOCK_SH | LOCK_NB), -1);
	EXPECT_EQ(errno, EWOULDBLOCK) << "the backing file's lock holds on the mount";
	ASSERT_EQ(flock(native.get(), LOCK_UN), 0);
	EXPECT_EQ(flock(b.get(), LOCK_SH | LOCK_NB), 0) << strerror(errno);
	auto s = stats();
	EXPECT_GE(stat_of(s, "/ops/SETLK/filtered"), 1u) << s.dump();
}

} // namespace
} // namespace fusebpf::selftest
