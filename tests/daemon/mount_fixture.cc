// SPDX-License-Identifier: GPL-2.0-or-later
//
// mount_fixture implementation; see mount_fixture.h.
#include "tests/daemon/mount_fixture.h"

#include "tests/support/process.h"

#include <sys/stat.h>

namespace fusebpf::test {

void mount_fixture::SetUp()
{
	if (std::string why = test_transport_unavailable(); !why.empty())
		GTEST_SKIP() << why;
	ASSERT_TRUE(dir_) << dir_.error();
	backing_ = dir_.subdir("backing", 0755);
	mnt_ = dir_.subdir("mnt", 0755);
	native_ = dir_.subdir("native", 0755);
	ASSERT_FALSE(backing_.empty() || mnt_.empty() || native_.empty());
	::umask(022);
	prepare_backing();
	if (HasFatalFailure())
		return;
	fs_ = std::make_unique<mounted_fs>(backing_, mnt_, mount_args());
	std::string why;
	if (!fs_->start(why)) {
		std::string repro = fs_->repro();
		fs_.reset(); // nothing to tear down; the failure says it all
		FAIL() << why << "\nrepro (mount): " << repro;
	}
}

void mount_fixture::remount(const std::vector<std::string> &args)
{
	if (fs_) {
		std::string how = fs_->stop();
		EXPECT_EQ(how, "exit 0") << "daemon log:\n" << fs_->daemon_log();
	}
	fs_ = std::make_unique<mounted_fs>(backing_, mnt_, args);
	std::string why;
	if (!fs_->start(why)) {
		fs_.reset();
		FAIL() << why;
	}
}

void mount_fixture::TearDown()
{
	if (!fs_)
		return;
	bool was_mounted = fs_->is_mounted();
	std::string how = fs_->stop();
	EXPECT_TRUE(was_mounted) << "the mount vanished during the test";
	EXPECT_EQ(how, "exit 0") << "the daemon did not exit cleanly";
	EXPECT_FALSE(fs_->is_mounted());
	if (HasFailure()) {
		auto *info = ::testing::UnitTest::GetInstance()->current_test_info();
		std::string log = fs_->daemon_log();
		if (log.size() > 20000)
			log = "...\n" + log.substr(log.size() - 20000);
		std::cerr << "repro (mount): " << fs_->repro() << "\n"
		          << "repro (test):  " << ::testing::internal::GetArgvs()[0]
		          << " --gtest_filter=" << info->test_suite_name() << "." << info->name()
		          << "\n"
		          << "daemon log:\n"
		          << log << "\n";
	}
	fs_.reset();
}

nlohmann::json mount_fixture::stats()
{
	std::string why;
	auto s = read_stats(mnt_, why);
	EXPECT_TRUE(s.has_value()) << why;
	return s ? *s : nlohmann::json::object();
}

long long mount_fixture::requests(const nlohmann::json &s, const std::string &op)
{
	auto v = op_counter(s, op, "requests");
	EXPECT_TRUE(v.has_value()) << "stats lack ops." << op << ".requests: " << s.dump();
	return v ? static_cast<long long>(*v) : -1;
}

} // namespace fusebpf::test
