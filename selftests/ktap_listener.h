// SPDX-License-Identifier: GPL-2.0-or-later
//
// ktap_listener: prints a GoogleTest run as KTAP (the kselftest output
// format the original fuse_test.c prints):
//
//	TAP version 13
//	1..38
//	ok 1 basic_test
//	not ok 2 bpf_test_real
//	ok 27 inotify_test # SKIP <the reason given to GTEST_SKIP()>
//
// Case numbers count the cases of this run in the order they ran; names are
// the GoogleTest case names (the suite name is left out: every selftest is in
// suite fuse_test). With `verbose`, every failed assertion (file:line and
// message) and every case start are printed as KTAP diagnostic lines ("# ")
// so a reader sees why a case failed; without it only the result lines and
// the final totals line appear. It replaces GoogleTest's own printer (main.cc
// removes that one when --ktap is given), so stdout stays valid KTAP.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>

namespace fusebpf::selftest {

class ktap_listener : public ::testing::EmptyTestEventListener {
public:
	ktap_listener(std::FILE *out, bool verbose) : out_(out), verbose_(verbose) {}

	void OnTestProgramStart(const ::testing::UnitTest &unit) override;
	void OnTestStart(const ::testing::TestInfo &info) override;
	void OnTestPartResult(const ::testing::TestPartResult &result) override;
	void OnTestEnd(const ::testing::TestInfo &info) override;
	void OnTestProgramEnd(const ::testing::UnitTest &unit) override;

private:
	std::FILE *out_;
	bool verbose_;
	int number_ = 0;
	int passed_ = 0, failed_ = 0, skipped_ = 0;
};

} // namespace fusebpf::selftest
