// SPDX-License-Identifier: GPL-2.0-or-later
//
// The daemon serving a non-root caller: a child that dropped to uid/gid 65534
// runs the same list of ops on the mount (served by the root daemon, mounted
// with -o allow_other, and again with -o allow_other,default_permissions) and
// on a native copy of the tree. Every result must agree errno by errno
// (EACCES exactly where the backing fs gives EACCES, EPERM where it gives
// EPERM), what 65534 creates must be owned by 65534 in the backing tree, and
// the final backing and native trees must be identical.
#include "tests/daemon/fs_util.h"
#include "tests/daemon/mount_fixture.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

namespace fusebpf::test {
namespace {

struct user_op {
	const char *name;
	sys_result (*run)(const std::string &root);
	sys_result expect; // what the native tree gives (checked too)
};

sys_result open_close(const std::string &path, int flags, mode_t mode = 0)
{
	int fd = ::open(path.c_str(), flags, mode);
	if (fd < 0)
		return sys(-1);
	::close(fd);
	return {0, 0};
}

sys_result create_write(const std::string &path)
{
	int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_EXCL, 0644);
	if (fd < 0)
		return sys(-1);
	sys_result r = sys(::write(fd, "mine", 4));
	::close(fd);
	return r;
}

sys_result list(const std::string &path)
{
	DIR *d = ::opendir(path.c_str());
	if (!d)
		return sys(-1);
	long count = 0;
	while (::readdir(d))
		count++;
	::closedir(d);
	return {count, 0};
}

sys_result stat_(const std::string &path)
{
	struct stat st;
	return sys(::lstat(path.c_str(), &st));
}

constexpr sys_result ok{0, 0};
constexpr sys_result eacces{-1, EACCES};
constexpr sys_result eperm{-1, EPERM};

// clang-format off
const user_op ops[] = {
	{"create pub/f", [](const std::string &r) { return create_write(r + "/pub/f"); }, {4, 0}},
	{"mkdir own/d", [](const std::string &r) { return sys(::mkdir((r + "/own/d").c_str(), 0750)); }, ok},
	{"mkfifo own/p", [](const std::string &r) { return sys(::mkfifo((r + "/own/p").c_str(), 0600)); }, ok},
	{"symlink own/s", [](const std::string &r) { return sys(::symlink("../pub/f", (r + "/own/s").c_str())); }, ok},
	{"link own/h", [](const std::string &r) { return sys(::link((r + "/pub/f").c_str(), (r + "/own/h").c_str())); }, ok},
	{"read rootfile", [](const std::string &r) { return open_close(r + "/rootfile", O_RDONLY); }, ok},
	{"write rootfile", [](const std::string &r) { return open_close(r + "/rootfile", O_WRONLY); }, eacces},
	{"truncate rootfile", [](const std::string &r) { return sys(::truncate((r + "/rootfile").c_str(), 0)); }, eacces},
	{"O_TRUNC rootfile", [](const std::string &r) { return open_close(r + "/rootfile", O_RDONLY | O_TRUNC); }, eacces},
	{"access W rootfile", [](const std::string &r) { return sys(::access((r + "/rootfile").c_str(), W_OK)); }, eacces},
	{"access R rootfile", [](const std::string &r) { return sys(::access((r + "/rootfile").c_str(), R_OK)); }, ok},
	{"chmod rootfile", [](const std::string &r) { return sys(::chmod((r + "/rootfile").c_str(), 0666)); }, eperm},
	{"utime now rootfile", [](const std::string &r) { return sys(::utimensat(AT_FDCWD, (r + "/rootfile").c_str(), nullptr, 0)); }, eacces},
	{"utime set rootfile", [](const std::string &r) {
		struct timespec t[2] = {{1, 0}, {1, 0}};
		return sys(::utimensat(AT_FDCWD, (r + "/rootfile").c_str(), t, 0)); }, eperm},
	{"setxattr rootfile", [](const std::string &r) { return sys(::setxattr((r + "/rootfile").c_str(), "user.x", "v", 1, 0)); }, eacces},
	{"getxattr rootfile", [](const std::string &r) { char v[8]; return sys(::getxattr((r + "/rootfile").c_str(), "user.tag", v, sizeof v)); }, {4, 0}},
	{"list secret", [](const std::string &r) { return list(r + "/secret"); }, eacces},
	{"stat secret/file", [](const std::string &r) { return stat_(r + "/secret/file"); }, eacces},
	{"read secret/file", [](const std::string &r) { return open_close(r + "/secret/file", O_RDONLY); }, eacces},
	{"list exec-only", [](const std::string &r) { return list(r + "/xonly"); }, eacces},
	{"stat exec-only/f", [](const std::string &r) { return stat_(r + "/xonly/f"); }, ok},
	{"create in root", [](const std::string &r) { return open_close(r + "/new", O_CREAT | O_WRONLY, 0644); }, eacces},
	{"mkdir in root", [](const std::string &r) { return sys(::mkdir((r + "/newdir").c_str(), 0755)); }, eacces},
	{"unlink rootfile", [](const std::string &r) { return sys(::unlink((r + "/rootfile").c_str())); }, eacces},
	{"rename rootfile", [](const std::string &r) { return sys(::rename((r + "/rootfile").c_str(), (r + "/pub/x").c_str())); }, eacces},
	{"unlink sticky/rootowned", [](const std::string &r) { return sys(::unlink((r + "/sticky/rootowned").c_str())); }, eperm},
	{"write group-writable", [](const std::string &r) { return open_close(r + "/groupw", O_WRONLY); }, ok},
	{"hardlink rootfile", [](const std::string &r) { return sys(::link((r + "/rootfile").c_str(), (r + "/pub/hl").c_str())); }, eperm},
	{"O_EXCL existing", [](const std::string &r) { return open_close(r + "/pub/f", O_CREAT | O_EXCL | O_WRONLY, 0644); }, {-1, EEXIST}},
	{"chmod own file", [](const std::string &r) { return sys(::chmod((r + "/pub/f").c_str(), 0600)); }, ok},
	{"chown own file to root", [](const std::string &r) { return sys(::chown((r + "/pub/f").c_str(), 0, 0)); }, eperm},
	{"chgrp own file to root", [](const std::string &r) { return sys(::chown((r + "/pub/f").c_str(), -1, 0)); }, eperm},
	{"setxattr own file", [](const std::string &r) { return sys(::setxattr((r + "/pub/f").c_str(), "user.mine", "1", 1, 0)); }, ok},
	{"rename own file", [](const std::string &r) { return sys(::rename((r + "/pub/f").c_str(), (r + "/own/g").c_str())); }, ok},
	{"chmod 0 own/g", [](const std::string &r) { return sys(::chmod((r + "/own/g").c_str(), 0)); }, ok},
	{"read own 0000 file", [](const std::string &r) { return open_close(r + "/own/g", O_RDONLY); }, eacces},
	{"chmod back", [](const std::string &r) { return sys(::chmod((r + "/own/g").c_str(), 0640)); }, ok},
	{"mkdir own/d/sub", [](const std::string &r) { return sys(::mkdir((r + "/own/d/sub").c_str(), 0700)); }, ok},
	{"chmod own/d 0500", [](const std::string &r) { return sys(::chmod((r + "/own/d").c_str(), 0500)); }, ok},
	{"create in 0500 dir", [](const std::string &r) { return open_close(r + "/own/d/x", O_CREAT | O_WRONLY, 0644); }, eacces},
	{"rmdir in 0500 dir", [](const std::string &r) { return sys(::rmdir((r + "/own/d/sub").c_str())); }, eacces},
	{"chmod own/d 0700", [](const std::string &r) { return sys(::chmod((r + "/own/d").c_str(), 0700)); }, ok},
	{"rmdir own/d/sub", [](const std::string &r) { return sys(::rmdir((r + "/own/d/sub").c_str())); }, ok},
	{"list pub", [](const std::string &r) { return list(r + "/pub"); }, {2, 0}},
	{"unlink own/p", [](const std::string &r) { return sys(::unlink((r + "/own/p").c_str())); }, ok},
	{"mknod sock own/sock", [](const std::string &r) { return sys(::mknod((r + "/own/sock").c_str(), S_IFSOCK | 0600, 0)); }, ok},
	{"mknod chr as user", [](const std::string &r) { return sys(::mknod((r + "/own/chr").c_str(), S_IFCHR | 0600, makedev(1, 3))); }, eperm},
};
// clang-format on

class NonRoot : public mount_fixture, public ::testing::WithParamInterface<const char *> {
protected:
	std::vector<std::string> mount_args() const override { return {"-o", GetParam()}; }

	void prepare_backing() override
	{
		for (const std::string &root : {backing_dir(), native_dir()}) {
			auto dir = [&](const char *rel, mode_t mode, uid_t uid = 0, gid_t gid = 0) {
				std::string p = root + "/" + rel;
				ASSERT_EQ(::mkdir(p.c_str(), mode), 0) << p;
				ASSERT_EQ(::chmod(p.c_str(), mode), 0);
				ASSERT_EQ(::chown(p.c_str(), uid, gid), 0);
			};
			auto file = [&](const char *rel, mode_t mode, gid_t gid = 0) {
				std::string p = root + "/" + rel;
				ASSERT_TRUE(write_file(p, "root data"));
				ASSERT_EQ(::chmod(p.c_str(), mode), 0);
				ASSERT_EQ(::chown(p.c_str(), 0, gid), 0);
			};
			dir("pub", 0777);
			dir("own", 0755, 65534, 65534);
			dir("secret", 0700);
			file("secret/file", 0644);
			dir("xonly", 0711);
			file("xonly/f", 0644);
			dir("sticky", 01777);
			file("sticky/rootowned", 0666);
			file("rootfile", 0644);
			ASSERT_EQ(
			    ::setxattr((root + "/rootfile").c_str(), "user.tag", "root", 4, 0), 0);
			file("groupw", 0664, 65534);
		}
	}

	// Runs every op as 65534 in one child on `root`; returns the results.
	std::vector<sys_result> run_all(const std::string &root)
	{
		std::string why;
		auto out = run_as(
		    nobody,
		    [&root] {
			    std::string packed;
			    for (auto &op : ops) {
				    sys_result r = op.run(root);
				    packed.append(reinterpret_cast<const char *>(&r), sizeof r);
			    }
			    return packed;
		    },
		    why);
		std::vector<sys_result> results;
		EXPECT_TRUE(out) << why;
		if (!out || out->size() != sizeof(sys_result) * std::size(ops))
			return results;
		results.resize(std::size(ops));
		std::memcpy(results.data(), out->data(), out->size());
		return results;
	}
};

TEST_P(NonRoot, SameResultsAndOwnershipAsBacking)
{
	auto mounted = run_all(mount_dir());
	auto native = run_all(native_dir());
	ASSERT_EQ(mounted.size(), std::size(ops));
	ASSERT_EQ(native.size(), std::size(ops));
	for (size_t i = 0; i < std::size(ops); i++) {
		EXPECT_EQ(mounted[i], native[i])
		    << "op " << i << " (" << ops[i].name << ") as 65534: mount "
		    << describe(mounted[i]) << ", native " << describe(native[i]);
		EXPECT_EQ(native[i], ops[i].expect)
		    << "test premise: native " << ops[i].name << " gave " << describe(native[i]);
	}
	// what 65534 created is 65534's in the backing tree
	for (const char *rel : {"own/g", "own/d", "own/s", "own/h", "own/sock"}) {
		auto a = lattrs(b(rel));
		ASSERT_TRUE(a) << rel;
		EXPECT_EQ(a->uid, 65534u) << rel;
		EXPECT_EQ(a->gid, 65534u) << rel;
	}
	EXPECT_EQ(diff_snapshots(snapshot_tree(backing_dir()), "backing",
	                         snapshot_tree(native_dir()), "native"),
	          "");
}

INSTANTIATE_TEST_SUITE_P(Options, NonRoot,
                         ::testing::Values("allow_other", "allow_other,default_permissions"),
                         [](const auto &p) {
	                         return std::string(p.param).find("default") != std::string::npos
	                                    ? "allow_other_default_permissions"
	                                    : "allow_other";
                         });

// Without allow_other the kernel itself keeps other users out of the mount.
class NoAllowOther : public mount_fixture {};

TEST_F(NoAllowOther, OtherUsersAreRefused)
{
	ASSERT_TRUE(write_file(m("f"), "x"));
	std::string path = m("f");
	std::string why;
	auto r = run_as_syscall(
	    nobody, [&] { return stat_(path); }, why);
	EXPECT_EQ(r, eacces) << describe(r) << " " << why;
	EXPECT_EQ(stat_(path), ok);
}

} // namespace
} // namespace fusebpf::test
