// SPDX-License-Identifier: GPL-2.0-or-later
//
// The corners where a stacked file system most easily differs from its
// backing fs (issue 14), through a real mount with
// `-o allow_other,default_permissions`, each compared with a native twin
// directory on the same file system, as root and as uid/gid 65534:
//   - exec of an execute-only (0711, root-owned) program, and what must
//     still fail (0700, no x bit, reading it, a noexec backing mount, the
//     caller's missing x bit without default_permissions);
//   - set-user-ID / set-group-ID bits after write, O_DIRECT write,
//     truncate, open(O_TRUNC), fallocate and chown by the file's non-root owner,
//     by root, by root without CAP_FSETID, and while root holds the file
//     open; file capabilities
//     (security.capability) after a write and a fallocate by the owner;
//   - mtime/ctime after a write through a shared mapping + msync;
//   - atime under relatime: the first read after a modification moves it,
//     the next read does not.
// Every case runs with kernel passthrough, with --no-passthrough, and with a
// table bound whose prefilters CONTINUE (the knob-driven test filter of
// tests/support with its knobs untouched: files take the classic data
// path, every op goes through the filter engine). A fourth mount binds the
// same filter with its OPEN knob set to refuse execve() opens.
#include "tests/daemon/fs_util.h"
#include "tests/daemon/mount_fixture.h"
#include "tests/support/knobs_table.h"

#include "common/unique_fd.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace fusebpf::test {
namespace {

struct corner_mode {
	const char *name;
	std::vector<std::string> extra;
};

const corner_mode modes[] = {
    {"passthrough", {}},
    {"no_passthrough", {"--no-passthrough"}},
    {"filter", {"--filter", KNOBS_NODEFAULT_OBJ}},
};

constexpr credentials root_user{0, 0};

// Runs `path` (no arguments) as `who`: "exit N", or "errno E" when execve
// failed, or the harness's error.
std::string exec_as(const credentials &who, const std::string &path)
{
	std::string why;
	auto out = run_as(
	    who,
	    [&]() -> std::string {
		    int pipefd[2];
		    if (::pipe2(pipefd, O_CLOEXEC) < 0)
			    return "pipe failed";
		    pid_t pid = ::fork();
		    if (pid < 0)
			    return "fork failed";
		    if (pid == 0) {
			    char *argv[] = {const_cast<char *>(path.c_str()), nullptr};
			    char *envp[] = {nullptr};
			    ::execve(path.c_str(), argv, envp);
			    int e = errno;
			    (void)!::write(pipefd[1], &e, sizeof(e));
			    ::_exit(127);
		    }
		    ::close(pipefd[1]);
		    int e = 0;
		    ssize_t n = ::read(pipefd[0], &e, sizeof(e));
		    ::close(pipefd[0]);
		    int status = 0;
		    ::waitpid(pid, &status, 0);
		    if (n == sizeof(e))
			    return "errno " + std::string(strerrorname_np(e));
		    return "exit " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	    },
	    why);
	return out ? *out : "harness: " + why;
}

std::optional<struct stat> stat_of(const std::string &path)
{
	struct stat st;
	if (::stat(path.c_str(), &st) < 0)
		return std::nullopt;
	return st;
}

mode_t mode_of(const std::string &path)
{
	auto st = stat_of(path);
	return st ? st->st_mode & 07777 : 0177777;
}

bool copy_file(const std::string &from, const std::string &to, mode_t mode)
{
	auto data = read_file(from);
	if (!data || !write_file(to, *data, mode))
		return false;
	return ::chmod(to.c_str(), mode) == 0;
}

// A vfs_cap_data (revision 2) granting cap_net_raw, effective: what
// `setcap cap_net_raw+ep FILE` writes.
std::string net_raw_caps()
{
	vfs_cap_data caps{};
	caps.magic_etc = VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE;
	caps.data[0].permitted = 1u << CAP_NET_RAW;
	return {reinterpret_cast<const char *>(&caps), sizeof(caps)};
}

bool has_caps(const std::string &path)
{
	return ::getxattr(path.c_str(), "security.capability", nullptr, 0) > 0;
}

// Drops `cap` from the effective and permitted sets of this process (a
// run_as child): a root caller without it.
bool drop_capability(int cap)
{
	__user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
	__user_cap_data_struct data[2]{};
	if (::syscall(SYS_capget, &header, data) < 0)
		return false;
	data[cap / 32].effective &= ~(1u << (cap % 32));
	data[cap / 32].permitted &= ~(1u << (cap % 32));
	return ::syscall(SYS_capset, &header, data) == 0;
}

// One modification of a file by its owner, as a syscall result.
sys_result modify(const std::string &op, const std::string &path)
{
	if (op == "truncate")
		return sys(::truncate(path.c_str(), 10));
	if (op == "chown") // to the owner it has: the mode rules still apply
		return sys(::chown(path.c_str(), 65534, 65534));
	int flags = O_WRONLY | O_CLOEXEC;
	if (op == "dwrite")
		flags |= O_DIRECT;
	if (op == "otrunc")
		flags |= O_TRUNC;
	unique_fd fd(::open(path.c_str(), flags));
	if (!fd)
		return sys(-1);
	if (op == "otrunc")
		return {0, 0};
	if (op == "fallocate")
		return sys(::fallocate(fd.get(), 0, 0, 65536));
	void *buf = nullptr;
	if (::posix_memalign(&buf, 4096, 4096) != 0)
		return {-1, ENOMEM};
	std::memset(buf, 'x', 4096);
	sys_result r = sys(::pwrite(fd.get(), buf, 4096, 0));
	std::free(buf);
	return r;
}

class Corners : public mount_fixture, public ::testing::WithParamInterface<corner_mode> {
protected:
	std::vector<std::string> mount_args() const override
	{
		std::vector<std::string> a{"-o", "allow_other,default_permissions"};
		a.insert(a.end(), GetParam().extra.begin(), GetParam().extra.end());
		return a;
	}

	// The same file in the native twin and (through the backing dir, before
	// the kernel caches anything) in the mount: content, owner, mode.
	void make_both(const std::string &rel, const std::string &data, uid_t uid, mode_t mode)
	{
		for (const std::string &p : {n(rel), b(rel)}) {
			ASSERT_TRUE(write_file(p, data, 0600)) << p;
			ASSERT_EQ(::chown(p.c_str(), uid, uid), 0) << p;
			ASSERT_EQ(::chmod(p.c_str(), mode), 0) << p;
		}
	}
};

TEST_P(Corners, ExecOnlyProgramRunsAsOnTheBackingFs)
{
	ASSERT_TRUE(copy_file("/bin/true", n("x0711"), 0711));
	ASSERT_TRUE(copy_file("/bin/true", b("x0711"), 0711));
	ASSERT_TRUE(copy_file("/bin/true", n("x0700"), 0700));
	ASSERT_TRUE(copy_file("/bin/true", b("x0700"), 0700));
	ASSERT_TRUE(copy_file("/bin/true", n("x0644"), 0644));
	ASSERT_TRUE(copy_file("/bin/true", b("x0644"), 0644));
	for (const credentials &who : {nobody, root_user}) {
		SCOPED_TRACE("uid " + std::to_string(who.uid));
		for (const char *f : {"x0711", "x0700", "x0644"}) {
			std::string native = exec_as(who, n(f));
			EXPECT_EQ(exec_as(who, m(f)), native) << f;
		}
	}
	// What the natives give, so the comparison above cannot pass vacuously.
	EXPECT_EQ(exec_as(nobody, n("x0711")), "exit 0");
	EXPECT_EQ(exec_as(nobody, n("x0700")), "errno EACCES");
	EXPECT_EQ(exec_as(root_user, n("x0644")), "errno EACCES");
	// Running it does not make it readable.
	std::string why;
	auto read_native = run_as_syscall(
	    nobody, [&] { return sys(::open(n("x0711").c_str(), O_RDONLY)); }, why);
	auto read_mount = run_as_syscall(
	    nobody, [&] { return sys(::open(m("x0711").c_str(), O_RDONLY)); }, why);
	EXPECT_EQ(read_native, (sys_result{-1, EACCES}));
	EXPECT_EQ(read_mount, read_native);
	// A program the mount ran is byte for byte the backing one.
	EXPECT_EQ(read_file(m("x0711")), read_file(b("x0711")));
}

TEST_P(Corners, SetIdBitsAfterWriteTruncateFallocate)
{
	const char *ops[] = {"write", "dwrite", "truncate", "otrunc", "fallocate", "chown"};
	struct who_case {
		const char *name;
		credentials who;
		bool root_holds_open;
		bool drop_fsetid;
	};
	const who_case cases[] = {{"owner", nobody, false, false},
	                          {"root", root_user, false, false},
	                          {"root_no_fsetid", root_user, false, true},
	                          {"owner_root_holds", nobody, true, false}};
	for (mode_t mode : {mode_t{06775}, mode_t{06744}, mode_t{02755}}) {
		for (const who_case &c : cases) {
			for (const char *op : ops) {
				std::string rel = std::string(op) + "_" + c.name + "_" +
				                  std::to_string(static_cast<unsigned>(mode));
				SCOPED_TRACE(rel);
				make_both(rel, "hello", 65534, mode);
				if (HasFatalFailure())
					return;
				// Cached attributes in the kernel, as a shell would have them.
				ASSERT_EQ(mode_of(m(rel)), mode);
				unique_fd held_n, held_m;
				if (c.root_holds_open) {
					held_n.reset(::open(n(rel).c_str(), O_RDONLY | O_CLOEXEC));
					held_m.reset(::open(m(rel).c_str(), O_RDONLY | O_CLOEXEC));
					ASSERT_TRUE(held_n && held_m);
				}
				std::string why;
				auto run = [&](const std::string &path) {
					return run_as_syscall(
					    c.who,
					    [&] {
						    if (c.drop_fsetid &&
						        !drop_capability(CAP_FSETID))
							    return sys_result{-1, -1};
						    return modify(op, path);
					    },
					    why);
				};
				sys_result rn = run(n(rel));
				sys_result rm = run(m(rel));
				EXPECT_EQ(rm, rn) << why;
				mode_t native = mode_of(n(rel));
				if (c.drop_fsetid || c.who.uid != 0) {
					EXPECT_EQ(native & S_ISUID, 0u) << "native kept S_ISUID?";
				}
				if (c.drop_fsetid && std::string_view(op) == "fallocate") {
					// README known limits: FALLOCATE carries no kill flag, so
					// a root caller without CAP_FSETID keeps the bits.
					EXPECT_EQ(mode_of(m(rel)), mode);
					continue;
				}
				if (c.drop_fsetid && std::string_view(op) == "chown" &&
				    (mode & (S_ISGID | S_IXGRP)) == S_ISGID) {
					// README known limits: the kernel flags every chown, so
					// S_ISGID without group execute stays for such a caller.
					EXPECT_EQ(mode_of(m(rel)), native | S_ISGID);
					continue;
				}
				EXPECT_EQ(mode_of(m(rel)), native) << "through the mount";
				EXPECT_EQ(mode_of(b(rel)), native) << "in the backing dir";
			}
		}
	}
}

TEST_P(Corners, FileCapabilitiesDroppedByWriteAndFallocate)
{
	const std::string caps = net_raw_caps();
	for (const char *op : {"write", "fallocate", "truncate"}) {
		std::string rel = std::string("caps_") + op;
		SCOPED_TRACE(rel);
		make_both(rel, "hello", 65534, 0755);
		if (HasFatalFailure())
			return;
		for (const std::string &p : {n(rel), b(rel)})
			ASSERT_EQ(::setxattr(p.c_str(), "security.capability", caps.data(),
			                     caps.size(), 0),
			          0)
			    << p << ": " << std::strerror(errno);
		ASSERT_TRUE(has_caps(m(rel)));
		std::string why;
		sys_result rn = run_as_syscall(
		    nobody, [&] { return modify(op, n(rel)); }, why);
		sys_result rm = run_as_syscall(
		    nobody, [&] { return modify(op, m(rel)); }, why);
		EXPECT_EQ(rn.err, 0);
		EXPECT_EQ(rm, rn) << why;
		EXPECT_FALSE(has_caps(n(rel)));
		EXPECT_EQ(has_caps(m(rel)), has_caps(n(rel)));
		EXPECT_EQ(has_caps(b(rel)), has_caps(n(rel)));
		// A user still cannot remove them directly.
		ASSERT_EQ(
		    ::setxattr(m(rel).c_str(), "security.capability", caps.data(), caps.size(), 0),
		    0);
		sys_result un = run_as_syscall(
		    nobody,
		    [&] { return sys(::removexattr(m(rel).c_str(), "security.capability")); }, why);
		EXPECT_EQ(un, (sys_result{-1, EPERM}));
		EXPECT_TRUE(has_caps(b(rel)));
	}
}

// Writes one byte through a shared mapping and msyncs; returns the stat
// before (taken through `path` after mmap(), which itself makes the kernel
// refetch attributes, so the mount's cache is fresh and warm) and after.
std::string mapped_write(const std::string &path, struct stat &before, struct stat &after)
{
	unique_fd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
	if (!fd)
		return std::string("open: ") + std::strerror(errno);
	void *p = ::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
	if (p == MAP_FAILED)
		return std::string("mmap: ") + std::strerror(errno);
	if (::stat(path.c_str(), &before) < 0) {
		::munmap(p, 4096);
		return "stat before";
	}
	::usleep(20000); // past the timestamp granularity
	static_cast<char *>(p)[1] = 'Q';
	int rc = ::msync(p, 4096, MS_SYNC);
	int e = errno;
	::munmap(p, 4096);
	if (rc < 0)
		return std::string("msync: ") + std::strerror(e);
	if (::stat(path.c_str(), &after) < 0)
		return "stat after";
	return "";
}

bool same_time(const timespec &a, const timespec &b)
{
	return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

bool later(const timespec &a, const timespec &b)
{
	return a.tv_sec > b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec > b.tv_nsec);
}

TEST_P(Corners, MappedWriteMovesMtimeAndCtime)
{
	for (const credentials &who : {root_user, nobody}) {
		std::string rel = "mapped_" + std::to_string(who.uid);
		SCOPED_TRACE(rel);
		make_both(rel, "hello mapped world", who.uid, 0644);
		if (HasFatalFailure())
			return;
		// Stale attributes to start from: the kernel caches them now.
		ASSERT_TRUE(stat_of(m(rel)));
		for (const std::string &path : {n(rel), m(rel)}) {
			std::string why;
			auto out = run_as(
			    who,
			    [&]() -> std::string {
				    struct stat before, after;
				    std::string err = mapped_write(path, before, after);
				    if (!err.empty())
					    return err;
				    return std::string(later(after.st_mtim, before.st_mtim)
				                           ? "mtime "
				                           : "") +
				           (later(after.st_ctim, before.st_ctim) ? "ctime" : "");
			    },
			    why);
			ASSERT_TRUE(out) << why;
			EXPECT_EQ(*out, "mtime ctime") << path;
		}
		// And the mount shows the backing file's times, not older ones.
		auto sm = stat_of(m(rel));
		auto sb = stat_of(b(rel));
		ASSERT_TRUE(sm && sb);
		EXPECT_TRUE(same_time(sm->st_mtim, sb->st_mtim));
		EXPECT_TRUE(same_time(sm->st_ctim, sb->st_ctim));
		EXPECT_EQ(read_file(m(rel)), read_file(n(rel)));
	}
}

// Whether the file system holding `path` updates atime with relatime.
bool relatime_fs(const std::string &path)
{
	struct statvfs v;
	return ::statvfs(path.c_str(), &v) == 0 && (v.f_flag & ST_RELATIME) &&
	       !(v.f_flag & (ST_NOATIME | ST_RDONLY));
}

std::string read_some(const std::string &path)
{
	unique_fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
	if (!fd)
		return std::string("open: ") + std::strerror(errno);
	char buf[64];
	if (::read(fd.get(), buf, sizeof(buf)) < 0)
		return std::string("read: ") + std::strerror(errno);
	return "";
}

TEST_P(Corners, AtimeFollowsRelatime)
{
	if (!relatime_fs(backing_dir()))
		GTEST_SKIP() << "the backing fs is not mounted relatime";
	for (const credentials &who : {root_user, nobody}) {
		std::string rel = "atime_" + std::to_string(who.uid);
		SCOPED_TRACE(rel);
		make_both(rel, "read me", who.uid, 0644);
		if (HasFatalFailure())
			return;
		// atime an hour before mtime: "accessed before the last
		// modification", so relatime updates it on the next read.
		for (const std::string &p : {n(rel), b(rel)}) {
			auto st = stat_of(p);
			ASSERT_TRUE(st);
			timespec t[2] = {st->st_mtim, st->st_mtim};
			t[0].tv_sec -= 3600;
			ASSERT_EQ(::utimensat(AT_FDCWD, p.c_str(), t, 0), 0);
		}
		auto start_m = stat_of(m(rel)); // cached by the kernel
		ASSERT_TRUE(start_m);
		std::vector<bool> moved_native, moved_mount;
		for (int round = 0; round < 2; round++) {
			for (const std::string &path : {n(rel), m(rel)}) {
				auto before = stat_of(path);
				ASSERT_TRUE(before);
				std::string why;
				auto out = run_as(
				    who, [&] { return read_some(path); }, why);
				ASSERT_TRUE(out) << why;
				ASSERT_EQ(*out, "");
				auto after = stat_of(path);
				ASSERT_TRUE(after);
				(path == n(rel) ? moved_native : moved_mount)
				    .push_back(later(after->st_atim, before->st_atim));
			}
			auto sm = stat_of(m(rel));
			auto sb = stat_of(b(rel));
			ASSERT_TRUE(sm && sb);
			EXPECT_TRUE(same_time(sm->st_atim, sb->st_atim)) << "round " << round;
		}
		EXPECT_EQ(moved_native, (std::vector<bool>{true, false}));
		EXPECT_EQ(moved_mount, moved_native);
	}
}

INSTANTIATE_TEST_SUITE_P(Modes, Corners, ::testing::ValuesIn(modes),
                         [](const auto &p) { return std::string(p.param.name); });

// A table whose OPEN prefilter refuses execve() opens: the exec of an
// execute-only file is an OPEN the filter sees.
class ExecFilter : public mount_fixture {
protected:
	static void SetUpTestSuite()
	{
		table_ = std::make_unique<knobs_table>();
		load_error_ =
		    table_->load(KNOBS_NODEFAULT_OBJ, "corners_" + std::to_string(getpid()));
		knob refuse;
		refuse.pre = -EPERM;
		refuse.flags = only_exec;
		if (load_error_.empty())
			table_->set(FUSEBPF_OP_OPEN, refuse);
	}
	static void TearDownTestSuite() { table_.reset(); }
	void SetUp() override
	{
		ASSERT_EQ(load_error_, "");
		mount_fixture::SetUp();
	}
	std::vector<std::string> mount_args() const override
	{
		return {"-o", "allow_other,default_permissions", "--ops",
		        std::to_string(table_->id())};
	}

	static inline std::unique_ptr<knobs_table> table_;
	static inline std::string load_error_;
};

TEST_F(ExecFilter, PrefilterRefusesTheExecOpen)
{
	ASSERT_TRUE(copy_file("/bin/true", b("x0711"), 0711));
	ASSERT_TRUE(write_file(b("plain"), "data", 0644));
	EXPECT_EQ(exec_as(nobody, m("x0711")), "errno EPERM");
	EXPECT_EQ(exec_as(root_user, m("x0711")), "errno EPERM");
	EXPECT_EQ(read_file(m("plain")), std::optional<std::string>("data"));
	EXPECT_EQ(read_file(m("x0711")), read_file(b("x0711"))); // root reads it
}

// Without default_permissions the kernel only checks that some x bit is
// set before an exec; the daemon's execute check as the caller on the
// backing fs gives the native answer anyway.
class ExecWithoutDefaultPermissions : public mount_fixture {
protected:
	std::vector<std::string> mount_args() const override { return {"-o", "allow_other"}; }
};

TEST_F(ExecWithoutDefaultPermissions, CallerNeedsItsOwnExecuteBit)
{
	for (const char *f : {"x0711", "x0700", "x0070"}) {
		mode_t mode = static_cast<mode_t>(std::stoul(f + 1, nullptr, 8));
		ASSERT_TRUE(copy_file("/bin/true", n(f), mode));
		ASSERT_TRUE(copy_file("/bin/true", b(f), mode));
		std::string native = exec_as(nobody, n(f));
		EXPECT_EQ(exec_as(nobody, m(f)), native) << f;
	}
	EXPECT_EQ(exec_as(nobody, n("x0700")), "errno EACCES");
	EXPECT_EQ(exec_as(nobody, n("x0711")), "exit 0");
}

// A backing dir on a noexec mount: natively nothing there runs, nor
// through the mount (the FUSE mount itself allows exec).
class ExecNoexecBacking : public mount_fixture {
protected:
	void prepare_backing() override
	{
		ASSERT_EQ(::mount("tmpfs", backing_dir().c_str(), "tmpfs", MS_NOEXEC, "mode=0755"),
		          0)
		    << std::strerror(errno);
		tmpfs_mounted_ = true;
		ASSERT_TRUE(copy_file("/bin/true", b("x0755"), 0755));
	}
	void TearDown() override
	{
		mount_fixture::TearDown();
		if (tmpfs_mounted_) {
			EXPECT_EQ(::umount2(backing_dir().c_str(), MNT_DETACH), 0)
			    << std::strerror(errno);
		}
	}

private:
	bool tmpfs_mounted_ = false;
};

TEST_F(ExecNoexecBacking, NothingRuns)
{
	EXPECT_EQ(exec_as(root_user, b("x0755")), "errno EACCES");
	EXPECT_EQ(exec_as(root_user, m("x0755")), "errno EACCES");
	EXPECT_EQ(exec_as(nobody, m("x0755")), "errno EACCES");
	EXPECT_EQ(read_file(m("x0755")), read_file(b("x0755")));
}

} // namespace
} // namespace fusebpf::test
