// SPDX-License-Identifier: GPL-2.0-or-later
//
// Extended attributes through a real mount, user.* namespace: set (plain,
// XATTR_CREATE, XATTR_REPLACE), get (size query, ENODATA, ERANGE for a small
// buffer), list (size query, ERANGE), remove; on files, directories and (where
// the backing fs refuses user.* on symlinks) symlinks. Each call is compared
// with the same call on the backing path, and values land in the backing file.
#include "tests/daemon/fs_util.h"
#include "tests/daemon/mount_fixture.h"

#include <sys/xattr.h>
#include <unistd.h>

namespace fusebpf::test {
namespace {

class Xattr : public mount_fixture {
protected:
	void prepare_backing() override
	{
		for (const std::string &root : {backing_dir(), native_dir()}) {
			ASSERT_TRUE(write_file(root + "/f", "x"));
			ASSERT_EQ(::mkdir((root + "/d").c_str(), 0755), 0);
			ASSERT_EQ(::symlink("f", (root + "/l").c_str()), 0);
		}
	}

	template <class Op> sys_result same(const std::string &what, Op op)
	{
		sys_result mounted = op(mount_dir());
		sys_result native = op(native_dir());
		EXPECT_EQ(mounted, native)
		    << what << ": mount " << describe(mounted) << ", native " << describe(native);
		return mounted;
	}
};

TEST_F(Xattr, SetGetListRemove)
{
	for (std::string obj : {"/f", "/d"}) {
		same("set " + obj, [&](auto r) {
			return sys(::setxattr((r + obj).c_str(), "user.a", "value-a", 7, 0));
		});
		same("create existing " + obj, [&](auto r) {
			return sys(::setxattr((r + obj).c_str(), "user.a", "v", 1, XATTR_CREATE));
		});
		same("replace missing " + obj, [&](auto r) {
			return sys(::setxattr((r + obj).c_str(), "user.b", "v", 1, XATTR_REPLACE));
		});
		same("create new " + obj, [&](auto r) {
			return sys(::setxattr((r + obj).c_str(), "user.b", "bee", 3, XATTR_CREATE));
		});
		same("replace existing " + obj, [&](auto r) {
			return sys(::setxattr((r + obj).c_str(), "user.a", "AA", 2, XATTR_REPLACE));
		});
		same("empty value " + obj, [&](auto r) {
			return sys(::setxattr((r + obj).c_str(), "user.empty", "", 0, 0));
		});
		same("size query " + obj, [&](auto r) {
			return sys(::getxattr((r + obj).c_str(), "user.b", nullptr, 0));
		});
		same("get missing " + obj, [&](auto r) {
			char v[16];
			return sys(::getxattr((r + obj).c_str(), "user.nope", v, sizeof v));
		});
		same("small buffer " + obj, [&](auto r) {
			char v[2];
			return sys(::getxattr((r + obj).c_str(), "user.b", v, sizeof v));
		});
		same("list size " + obj,
		     [&](auto r) { return sys(::listxattr((r + obj).c_str(), nullptr, 0)); });
		same("list small buffer " + obj, [&](auto r) {
			char v[4];
			return sys(::listxattr((r + obj).c_str(), v, sizeof v));
		});
		same("remove " + obj,
		     [&](auto r) { return sys(::removexattr((r + obj).c_str(), "user.b")); });
		same("remove missing " + obj,
		     [&](auto r) { return sys(::removexattr((r + obj).c_str(), "user.b")); });
		same("bad namespace " + obj, [&](auto r) {
			return sys(::setxattr((r + obj).c_str(), "bogus.x", "v", 1, 0));
		});
		char v[16];
		ssize_t len = ::getxattr(m(obj.substr(1)).c_str(), "user.a", v, sizeof v);
		EXPECT_EQ(std::string(v, static_cast<size_t>(std::max<ssize_t>(len, 0))), "AA");
		EXPECT_EQ(xattrs_of(b(obj.substr(1))), xattrs_of(n(obj.substr(1))));
		EXPECT_EQ(xattrs_of(m(obj.substr(1))), xattrs_of(n(obj.substr(1))));
	}
	// user.* on a symlink itself is refused by the backing fs (EPERM)
	same("lsetxattr symlink",
	     [](auto r) { return sys(::lsetxattr((r + "/l").c_str(), "user.s", "v", 1, 0)); });
	same("lgetxattr symlink", [](auto r) {
		char v[8];
		return sys(::lgetxattr((r + "/l").c_str(), "user.a", v, sizeof v));
	});
	// through a symlink (following) it reaches the file
	same("setxattr via symlink",
	     [](auto r) { return sys(::setxattr((r + "/l").c_str(), "user.via", "l", 1, 0)); });
	EXPECT_EQ(xattrs_of(b("f")).count("user.via"), 1u);

	// a large value round-trips
	std::string big(3000, 'v');
	ASSERT_EQ(::setxattr(m("f").c_str(), "user.big", big.data(), big.size(), 0), 0);
	std::string got(4000, '\0');
	ssize_t len = ::getxattr(m("f").c_str(), "user.big", got.data(), got.size());
	ASSERT_EQ(len, 3000);
	got.resize(3000);
	EXPECT_EQ(got, big);

	auto s = stats();
	for (const char *op : {"SETXATTR", "GETXATTR", "LISTXATTR", "REMOVEXATTR"})
		EXPECT_GT(requests(s, op), 0) << op;
}

} // namespace
} // namespace fusebpf::test
