// SPDX-License-Identifier: GPL-2.0-or-later
//
// examples/audit through a real mount: `fusebpf mount --filter audit.bpf.o`,
// `fusebpf trace --json -d N MOUNTPOINT` running while the test opens a
// file, creates one, and looks up a missing name; the events it printed
// must include those ops with the right op, pid, uid, name, result and a
// latency.  Also checks the table form's header and that trace refuses a
// mount whose filter has no ring buffer.
#include "tests/support/mounted_fs.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using fusebpf::test::cli_path;
using fusebpf::test::command_result;
using fusebpf::test::mounted_fs;
using fusebpf::test::run_command;

void write_file(const std::string &path, const std::string &text)
{
	std::ofstream(path) << text;
}

class AuditExample : public ::testing::Test {
protected:
	void SetUp() override
	{
		backing_ = dir_.subdir("backing");
		write_file(backing_ + "/target.txt", "audited\n");
		fs_ =
		    std::make_unique<mounted_fs>(backing_, dir_.subdir("mnt"),
		                                 std::vector<std::string>{"--filter", EXAMPLE_OBJ});
		std::string why;
		ASSERT_TRUE(fs_->start(why)) << why;
	}
	void TearDown() override
	{
		if (fs_)
			fs_->stop();
	}
	std::string mnt() const { return fs_->mountpoint(); }

	// Runs `fusebpf trace ARGS` for `secs` seconds while `work` runs.
	command_result trace_while(std::vector<std::string> args, double secs,
	                           const std::function<void()> &work)
	{
		std::vector<std::string> argv{cli_path(), "trace", "-d", std::to_string(secs)};
		argv.insert(argv.end(), args.begin(), args.end());
		command_result r;
		std::thread t([&] { r = run_command(argv, 60000); });
		// Events wait in the ring buffer until read, so no need to wait for
		// trace to start; a short pause lets it print its header first.
		std::this_thread::sleep_for(std::chrono::milliseconds(300));
		work();
		t.join();
		return r;
	}

	fusebpf::test::temp_dir dir_{"example_audit"};
	std::string backing_;
	std::unique_ptr<mounted_fs> fs_;
};

std::vector<nlohmann::json> json_lines(const std::string &out)
{
	std::vector<nlohmann::json> events;
	std::istringstream in(out);
	std::string line;
	while (std::getline(in, line))
		if (!line.empty())
			events.push_back(nlohmann::json::parse(line));
	return events;
}

const nlohmann::json *find_event(const std::vector<nlohmann::json> &events, const std::string &op,
                                 const std::string &name)
{
	for (const auto &e : events)
		if (e.value("op", "") == op && e.value("name", "") == name)
			return &e;
	return nullptr;
}

TEST_F(AuditExample, TraceJsonShowsOpenCreateAndAFailedLookup)
{
	auto r = trace_while({"--json", mnt()}, 3, [&] {
		int fd = open((mnt() + "/target.txt").c_str(), O_RDONLY);
		ASSERT_GE(fd, 0) << strerror(errno);
		char buf[16];
		EXPECT_EQ(read(fd, buf, sizeof(buf)), 8);
		close(fd);
		struct stat st;
		EXPECT_NE(stat((mnt() + "/missing.txt").c_str(), &st), 0);
		write_file(mnt() + "/created.txt", "new\n");
	});
	ASSERT_TRUE(r.exited_ok()) << r.describe() << "\n" << r.err;
	std::vector<nlohmann::json> events;
	ASSERT_NO_THROW(events = json_lines(r.out)) << r.out;

	const nlohmann::json *open_event = find_event(events, "OPEN", "target.txt");
	ASSERT_NE(open_event, nullptr) << r.out;
	EXPECT_EQ((*open_event)["pid"].get<int>(), getpid());
	EXPECT_EQ((*open_event)["uid"].get<unsigned>(), getuid());
	EXPECT_EQ((*open_event)["result"].get<int>(), 0);
	ASSERT_TRUE((*open_event)["latency_us"].is_number()) << open_event->dump();
	EXPECT_GE((*open_event)["latency_us"].get<double>(), 0.0);
	EXPECT_LT((*open_event)["latency_us"].get<double>(), 10e6);
	EXPECT_FALSE((*open_event)["time"].get<std::string>().empty());

	const nlohmann::json *lookup = find_event(events, "LOOKUP", "missing.txt");
	ASSERT_NE(lookup, nullptr) << r.out;
	EXPECT_EQ((*lookup)["result"].get<int>(), -ENOENT);
	EXPECT_EQ((*lookup)["result_name"].get<std::string>(), "ENOENT");
	EXPECT_EQ((*lookup)["pid"].get<int>(), getpid());

	const nlohmann::json *create = find_event(events, "CREATE", "created.txt");
	ASSERT_NE(create, nullptr) << r.out;
	EXPECT_EQ((*create)["result"].get<int>(), 0);
}

TEST_F(AuditExample, TraceTableHasTheColumnsAndOneRowPerOp)
{
	auto r = trace_while({mnt()}, 2, [&] {
		int fd = open((mnt() + "/target.txt").c_str(), O_RDONLY);
		if (fd >= 0)
			close(fd);
	});
	ASSERT_TRUE(r.exited_ok()) << r.describe() << "\n" << r.err;
	std::istringstream in(r.out);
	std::string header;
	std::getline(in, header);
	for (const char *col : {"TIME", "OP", "PID", "UID", "RESULT", "LAT(us)", "NAME"})
		EXPECT_NE(header.find(col), std::string::npos) << header;
	bool open_row = false;
	for (std::string line; std::getline(in, line);)
		if (line.find(" OPEN ") != std::string::npos &&
		    line.find("target.txt") != std::string::npos &&
		    line.find(" " + std::to_string(getpid()) + " ") != std::string::npos)
			open_row = true;
	EXPECT_TRUE(open_row) << r.out;
}

TEST_F(AuditExample, TraceOfAMountWithoutTableFailsClearly)
{
	fusebpf::test::temp_dir other("example_audit_plain");
	mounted_fs plain(other.subdir("backing"), other.subdir("mnt"));
	std::string why;
	ASSERT_TRUE(plain.start(why)) << why;
	auto r = run_command({cli_path(), "trace", "-d", "1", plain.mountpoint()});
	EXPECT_EQ(r.exit_code(), 1) << r.describe();
	EXPECT_NE(r.err.find("no ops table"), std::string::npos) << r.err;
}

} // namespace
