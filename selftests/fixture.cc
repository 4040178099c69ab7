// SPDX-License-Identifier: GPL-2.0-or-later
//
// fixture: fresh ft-src/ft-dst per case, one mount, cleanup; see fixture.h.
#include "selftests/fixture.h"

#include "common/unique_fd.h"
#include "loader/load.h"
#include "tests/support/stats.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>

namespace fusebpf::selftest {

namespace {

// PROG_* and USER_* are paths relative to the suite binary (the build tree's
// selftests/ and an installed libexec/fusebpf/ hold the same layout), so
// nothing in the binary names the build tree.
std::string suite_file(const std::string &path)
{
	if (path.empty() || path[0] == '/')
		return path;
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return path;
	std::string dir(self, static_cast<std::size_t>(n));
	return dir.substr(0, dir.rfind('/') + 1) + path;
}

} // namespace

void fuse_test::SetUp()
{
	if (std::string why = test::test_transport_unavailable(); !why.empty())
		GTEST_SKIP() << why;
	ASSERT_TRUE(dir_) << dir_.error();
	src_ = dir_.subdir("ft-src");
	dst_ = dir_.subdir("ft-dst");
	outside_ = dir_.subdir("outside");
	ASSERT_FALSE(src_.empty() || dst_.empty() || outside_.empty())
	    << "mkdir in " << dir_.path();
	// The backing root is the caller's to read, as a mount's root usually is.
	chmod(dir_.path().c_str(), 0755);
}

void fuse_test::TearDown()
{
	if (fs_) {
		std::string how = fs_->stop();
		// A daemon that did not exit cleanly is a failure of the case.
		EXPECT_TRUE(how == "exit 0" || how.empty()) << how << "\n" << fs_->daemon_log();
		fs_.reset();
	}
	for (auto it = binds_.rbegin(); it != binds_.rend(); ++it)
		EXPECT_EQ(umount2(it->c_str(), MNT_DETACH), 0) << *it << ": " << strerror(errno);
	binds_.clear();
	for (const std::string &name : tables_) {
		auto r = loader::unload_table(loader::default_pin_root, name);
		EXPECT_TRUE(r) << r.message();
	}
	tables_.clear();
}

::testing::AssertionResult fuse_test::mount(const mount_spec &spec)
{
	if (fs_)
		return ::testing::AssertionFailure() << "one mount per case";
	std::vector<std::string> args;
	if (!spec.filter.empty())
		args.insert(args.end(), {"--filter", suite_file(spec.filter)});
	if (!spec.ops.empty())
		args.insert(args.end(), {"--ops", spec.ops});
	if (!spec.user_filter.empty())
		args.insert(args.end(), {"--user-filter", suite_file(spec.user_filter)});
	if (!spec.user_arg.empty())
		args.insert(args.end(), {"--user-filter-arg", spec.user_arg});
	if (!spec.options.empty())
		args.insert(args.end(), {"-o", spec.options});
	fs_ = std::make_unique<test::mounted_fs>(src_, dst_, args);
	std::string why;
	if (!fs_->start(why))
		return ::testing::AssertionFailure() << "mount failed: " << why;
	return ::testing::AssertionSuccess();
}

std::optional<loader::table_info> fuse_test::load_table(const std::string &object)
{
	static std::atomic<int> serial{0};
	loader::load_options o;
	o.name = "st_" + std::to_string(getpid()) + "_" + std::to_string(serial++);
	auto info = loader::load_filter(suite_file(object), o);
	if (!info) {
		ADD_FAILURE() << "loading " << object << ": " << info.message();
		return std::nullopt;
	}
	tables_.push_back(o.name);
	return *info;
}

::testing::AssertionResult fuse_test::bind_mount(const std::string &from, const std::string &to)
{
	if (::mount(from.c_str(), to.c_str(), nullptr, MS_BIND, nullptr) != 0)
		return ::testing::AssertionFailure()
		       << "bind mount " << from << " on " << to << ": " << strerror(errno);
	binds_.push_back(to);
	return ::testing::AssertionSuccess();
}

std::string fuse_test::src(const std::string &rel) const
{
	return rel.empty() ? src_ : src_ + "/" + rel;
}

std::string fuse_test::dst(const std::string &rel) const
{
	return rel.empty() ? dst_ : dst_ + "/" + rel;
}

std::string fuse_test::outside(const std::string &rel) const
{
	return rel.empty() ? outside_ : outside_ + "/" + rel;
}

nlohmann::json fuse_test::stats()
{
	std::string why;
	auto s = test::read_stats(dst_, why);
	if (!s) {
		ADD_FAILURE() << "fusebpf stats: " << why;
		return nlohmann::json::object();
	}
	return *s;
}

std::string fuse_test::daemon_log() const
{
	return fs_ ? fs_->daemon_log() : std::string("(not mounted)");
}

std::uint64_t stat_of(const nlohmann::json &stats, const std::string &pointer)
{
	nlohmann::json::json_pointer p(pointer);
	if (!stats.contains(p) || !stats.at(p).is_number_unsigned())
		return 0;
	return stats.at(p).get<std::uint64_t>();
}

std::uint64_t total_bpf_runs(const nlohmann::json &stats)
{
	std::uint64_t sum = 0;
	if (!stats.contains("ops") || !stats["ops"].is_object())
		return 0;
	for (const auto &[op, counters] : stats["ops"].items())
		if (counters.is_object() && counters.contains("bpf_runs") &&
		    counters["bpf_runs"].is_number_unsigned())
			sum += counters["bpf_runs"].get<std::uint64_t>();
	return sum;
}

::testing::AssertionResult write_file(const std::string &path, const std::string &data,
                                      unsigned mode)
{
	unique_fd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
	if (!fd)
		return ::testing::AssertionFailure() << "open " << path << ": " << strerror(errno);
	if (write(fd.get(), data.data(), data.size()) != static_cast<ssize_t>(data.size()))
		return ::testing::AssertionFailure() << "write " << path << ": " << strerror(errno);
	if (close(fd.release()) != 0)
		return ::testing::AssertionFailure() << "close " << path << ": " << strerror(errno);
	return ::testing::AssertionSuccess();
}

std::optional<std::vector<std::string>> list_dir_raw(const std::string &path,
                                                     std::size_t buffer_size)
{
	unique_fd fd(open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	if (!fd)
		return std::nullopt;
	std::vector<char> buf(buffer_size);
	std::vector<std::string> names;
	for (;;) {
		long n = syscall(SYS_getdents64, fd.get(), buf.data(), buf.size());
		if (n < 0)
			return std::nullopt;
		if (n == 0)
			return names;
		for (long pos = 0; pos < n;) {
			auto *d = reinterpret_cast<const dirent64 *>(buf.data() + pos);
			names.emplace_back(d->d_name);
			pos += d->d_reclen;
		}
	}
}

std::optional<std::vector<std::string>> list_dir(const std::string &path, std::size_t buffer_size)
{
	auto raw = list_dir_raw(path, buffer_size);
	if (!raw)
		return std::nullopt;
	std::vector<std::string> names;
	for (auto &n : *raw)
		if (n != "." && n != "..")
			names.push_back(std::move(n));
	std::sort(names.begin(), names.end());
	return names;
}

} // namespace fusebpf::selftest
