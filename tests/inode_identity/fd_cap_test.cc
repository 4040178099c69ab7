// SPDX-License-Identifier: GPL-2.0-or-later
//
// A tiny fd cap (`-o max_fds=16`) through a real mount, for callers other
// than root: nodes whose O_PATH fd was evicted are reopened by handle while
// the handler runs as the caller (fsuid 65534, which lacks the capability
// open_by_handle_at needs), and the caller's permissions still decide: a
// reopened fd grants nothing.
#include "tests/daemon/fs_util.h"
#include "tests/daemon/mount_fixture.h"
#include "tests/support/proc_info.h"
#include "tests/support/run_as.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace fusebpf::test {
namespace {

constexpr int cap = 16;
constexpr int files = 300;

class FdCapTest : public mount_fixture {
protected:
	std::vector<std::string> mount_args() const override
	{
		return {"-o",
		        "max_fds=" + std::to_string(cap) +
		            ",allow_other,default_permissions,entry_timeout=0,attr_timeout=0"};
	}
};

TEST_F(FdCapTest, OtherUsersWorkOnEvictedNodes)
{
	ASSERT_EQ(::mkdir(m("pub").c_str(), 0777), 0);
	ASSERT_EQ(::chmod(m("pub").c_str(), 0777), 0);
	ASSERT_TRUE(write_file(m("pub/secret"), "root only", 0600));
	std::string dir = m("pub");
	std::string why;
	auto out = run_as(
	    nobody,
	    [dir]() -> std::string {
		    for (int round = 0; round < 2; round++)
			    for (int i = 0; i < files; i++) {
				    std::string p = dir + "/f" + std::to_string(i);
				    if (round == 0 && !write_file(p, "data " + std::to_string(i)))
					    return "create " + p + ": " + std::strerror(errno);
				    if (read_file(p) != "data " + std::to_string(i))
					    return "read " + p + ": " + std::strerror(errno);
				    if (::chmod(p.c_str(), round ? 0640 : 0600) < 0)
					    return "chmod " + p + ": " + std::strerror(errno);
			    }
		    // Still the caller's permissions, however the fd was reopened.
		    int fd = ::open((dir + "/secret").c_str(), O_RDONLY);
		    if (fd >= 0 || errno != EACCES)
			    return "open of a 0600 root file: " + std::string(std::strerror(errno));
		    if (::chmod((dir + "/secret").c_str(), 0644) == 0 || errno != EPERM)
			    return "chmod of a root file: " + std::string(std::strerror(errno));
		    return "";
	    },
	    why);
	ASSERT_TRUE(out) << why;
	EXPECT_EQ(*out, "");
	struct stat st;
	ASSERT_EQ(::stat(b("pub/f7").c_str(), &st), 0);
	EXPECT_EQ(st.st_uid, 65534u);
	EXPECT_EQ(st.st_mode & 07777, 0640u);
	EXPECT_LE(open_fds(fs().pid()), static_cast<size_t>(cap + 64));
}

} // namespace
} // namespace fusebpf::test
