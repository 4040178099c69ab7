// SPDX-License-Identifier: GPL-2.0-or-later
//
// The transport (--transport, FUSEBPF_TEST_TRANSPORT): `fusebpf stats`
// names the one in use and, with io_uring, requests really travel through
// the rings; lock waiters that all run on one CPU (so, with io_uring, all
// sit on that CPU's queue) do not stop that queue from serving the unlock
// that frees them; a bad --transport is a usage error.
#include "tests/daemon/fs_util.h"
#include "tests/daemon/mount_fixture.h"
#include "tests/support/child.h"

#include "common/unique_fd.h"
#include "tests/support/process.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <vector>

namespace fusebpf::test {
namespace {

// What the daemon must report for the transport the test asked for.
std::string expected_transport()
{
	std::string t = test_transport();
	if (t == "uring" || t == "dev")
		return t;
	std::ifstream in("/sys/module/fuse/parameters/enable_uring");
	std::string value;
	in >> value;
	return value == "Y" ? "uring" : "dev";
}

struct flock write_lock()
{
	struct flock fl {};
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	fl.l_len = 10;
	return fl;
}

int take_write_lock(int fd)
{
	struct flock fl = write_lock();
	return ::fcntl(fd, F_SETLK, &fl) == 0 ? 0 : errno;
}

class Transport : public mount_fixture {
protected:
	void prepare_backing() override { ASSERT_TRUE(write_file(b("lockfile"), "0123456789")); }
};

TEST_F(Transport, StatsNameTheTransportInUse)
{
	struct stat st;
	ASSERT_EQ(::stat(m("lockfile").c_str(), &st), 0);
	auto s = stats();
	std::string want = expected_transport();
	EXPECT_EQ(s.value("transport", std::string()), want);
	std::string detail = s.value("transport_detail", std::string());
	uint64_t on_rings = s.value("uring_requests", uint64_t(0));
	if (want == "uring") {
		EXPECT_NE(detail.find("io_uring"), std::string::npos) << detail;
		EXPECT_GT(on_rings, 0u) << "no request travelled through the rings";
	} else {
		EXPECT_EQ(detail, "/dev/fuse");
		EXPECT_EQ(on_rings, 0u);
	}
	EXPECT_NE(fs().daemon_log().find("transport " + detail), std::string::npos)
	    << fs().daemon_log();
}

// With io_uring every request of a CPU goes to that CPU's queue: three
// F_SETLKW waiters on CPU 0 block in the daemon, and the stat and the
// unlock from CPU 0 must still be served (the queue is handed to another
// thread while a handler waits).
TEST_F(Transport, LockWaitersOnOneCpuDoNotStallTheirQueue)
{
	std::string file = m("lockfile");
	// The holder, on CPU 0 too: takes the lock and keeps it until released.
	lock_holder holder(file, take_write_lock, 0);
	ASSERT_EQ(holder.result(), 0) << strerror(holder.result());

	constexpr int waiters = 3;
	std::vector<pid_t> pids(waiters);
	std::vector<unique_fd> results;
	for (int i = 0; i < waiters; i++)
		results.push_back(run_in_child(
		    [&file] {
			    int fd = ::open(file.c_str(), O_RDWR);
			    struct flock fl = write_lock();
			    return fd < 0 || ::fcntl(fd, F_SETLKW, &fl) < 0 ? errno : 0;
		    },
		    pids[i], 0));
	usleep(500000); // let them block in the daemon

	pid_t lister;
	std::string dir = m("");
	unique_fd listed = run_in_child(
	    [&dir] {
		    struct stat st;
		    return ::stat(dir.c_str(), &st) == 0 && !list_dir(dir).empty() ? 0 : EIO;
	    },
	    lister, 0);
	int r = -1;
	ASSERT_TRUE(child_result(listed, lister, 10000, r))
	    << "stat/readdir on CPU 0 hung while lock waiters of CPU 0 sat in the daemon";
	EXPECT_EQ(r, 0);

	holder.release(); // its lock goes with it
	for (int i = 0; i < waiters; i++) {
		ASSERT_TRUE(child_result(results[i], pids[i], 10000, r))
		    << "waiter " << i << " never got the lock";
		EXPECT_EQ(r, 0) << "waiter " << i << ": " << strerror(r);
	}
}

TEST(TransportCli, UnknownTransportIsAUsageError)
{
	auto r = run_command({cli_path(), "mount", "-f", "--transport", "fast", "/", "/mnt"});
	EXPECT_EQ(describe_wait_status(r.status), "exit 2");
	EXPECT_NE(r.err.find("auto, uring or dev"), std::string::npos) << r.err;
	r = run_command({cli_path(), "mount", "-f", "-o", "transport=fast", "/", "/mnt"});
	EXPECT_EQ(describe_wait_status(r.status), "exit 2");
	EXPECT_NE(r.err.find("auto, uring or dev"), std::string::npos) << r.err;
}

} // namespace
} // namespace fusebpf::test
