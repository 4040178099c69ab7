// SPDX-License-Identifier: GPL-2.0-or-later
//
// The transport (--transport, FUSEBPF_TEST_TRANSPORT): `fusebpf stats`
// names the one in use and, with io_uring, requests really travel through
// the rings; lock waiters that all run on one CPU (so, with io_uring, all
// sit on that CPU's queue) do not stop that queue from serving the unlock
// that frees them; a bad --transport is a usage error.
#include "tests/daemon/fs_util.h"
#include "tests/daemon/mount_fixture.h"

#include "common/unique_fd.h"
#include "tests/support/process.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
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

// Forks a child pinned to CPU 0 that runs fn and writes its result to the
// returned fd (the holder's fn never returns: it is killed).
unique_fd on_cpu0(const std::function<int()> &fn, pid_t &pid)
{
	int out[2];
	if (::pipe(out) != 0)
		return unique_fd();
	pid = ::fork();
	if (pid == 0) {
		::prctl(PR_SET_PDEATHSIG, SIGKILL);
		// Keep no other child's pipe open.
		::close_range(3, out[1] - 1, 0);
		::close_range(out[1] + 1, ~0U, 0);
		cpu_set_t cpus;
		CPU_ZERO(&cpus);
		CPU_SET(0, &cpus);
		int r = ::sched_setaffinity(0, sizeof(cpus), &cpus) == 0 ? fn() : errno;
		(void)!::write(out[1], &r, sizeof r);
		::_exit(0);
	}
	::close(out[1]);
	return unique_fd(out[0]);
}

// Waits up to timeout_ms for the child's result; kills it on time-out.
bool child_result(const unique_fd &fd, pid_t pid, int timeout_ms, int &result)
{
	pollfd pfd{fd.get(), POLLIN, 0};
	bool ok = ::poll(&pfd, 1, timeout_ms) == 1 &&
	          ::read(fd.get(), &result, sizeof result) == static_cast<ssize_t>(sizeof result);
	if (!ok)
		::kill(pid, SIGKILL);
	int status;
	::waitpid(pid, &status, 0);
	return ok;
}

// Kills and reaps a child when the test leaves its scope, failed or not.
struct child_guard {
	pid_t pid = -1;
	~child_guard()
	{
		if (pid > 0) {
			::kill(pid, SIGKILL);
			::waitpid(pid, nullptr, 0);
		}
	}
};

struct flock write_lock()
{
	struct flock fl {};
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	fl.l_len = 10;
	return fl;
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
	// The holder: takes the lock and keeps it until it is killed.
	pid_t holder;
	unique_fd held = on_cpu0(
	    [&file] {
		    int fd = ::open(file.c_str(), O_RDWR);
		    struct flock fl = write_lock();
		    if (fd < 0 || ::fcntl(fd, F_SETLK, &fl) < 0)
			    return errno;
		    for (;;)
			    ::pause();
	    },
	    holder);
	child_guard holder_guard{holder};
	{
		unique_fd probe(::open(file.c_str(), O_RDWR));
		ASSERT_TRUE(probe);
		bool locked = false;
		for (int i = 0; i < 1000 && !locked; i++) {
			struct flock fl = write_lock();
			ASSERT_EQ(::fcntl(probe.get(), F_GETLK, &fl), 0);
			locked = fl.l_type != F_UNLCK;
			if (!locked)
				usleep(10000);
		}
		ASSERT_TRUE(locked) << "the holder never took the lock";
	}

	constexpr int waiters = 3;
	std::vector<pid_t> pids(waiters);
	std::vector<unique_fd> results;
	for (int i = 0; i < waiters; i++)
		results.push_back(on_cpu0(
		    [&file] {
			    int fd = ::open(file.c_str(), O_RDWR);
			    struct flock fl = write_lock();
			    return fd < 0 || ::fcntl(fd, F_SETLKW, &fl) < 0 ? errno : 0;
		    },
		    pids[i]));
	usleep(500000); // let them block in the daemon

	pid_t lister;
	std::string dir = m("");
	unique_fd listed = on_cpu0(
	    [&dir] {
		    struct stat st;
		    return ::stat(dir.c_str(), &st) == 0 && !list_dir(dir).empty() ? 0 : EIO;
	    },
	    lister);
	int r = -1;
	ASSERT_TRUE(child_result(listed, lister, 10000, r))
	    << "stat/readdir on CPU 0 hung while lock waiters of CPU 0 sat in the daemon";
	EXPECT_EQ(r, 0);

	::kill(holder, SIGKILL); // its lock goes with it
	::waitpid(holder, nullptr, 0);
	holder_guard.pid = -1;
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
