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
//	not ok 28 bpf_test_xattr # unexpected GTEST_SKIP(): <the reason>
//
// Only the cases in `allowed_skips` may skip: a stock kernel cannot do what
// they check (README.md, "Skipped on a stock kernel"). Any other case that
// skips is reported `not ok` with its reason and counted as failed, so a
// case cannot pass by skipping (main.cc also fails the exit status).
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
#include <set>
#include <string>
#include <utility>

namespace fusebpf::selftest {

class ktap_listener : public ::testing::EmptyTestEventListener {
public:
	ktap_listener(std::FILE *out, bool verbose, std::set<std::string> allowed_skips)
	    : out_(out), verbose_(verbose), allowed_skips_(std::move(allowed_skips))
	{}

	void OnTestProgramStart(const ::testing::UnitTest &unit) override;
	void OnTestStart(const ::testing::TestInfo &info) override;
	void OnTestPartResult(const ::testing::TestPartResult &result) override;
	void OnTestEnd(const ::testing::TestInfo &info) override;
	void OnTestProgramEnd(const ::testing::UnitTest &unit) override;

private:
	std::FILE *out_;
	bool verbose_;
	int number_ = 0;
	std::set<std::string> allowed_skips_;
	int passed_ = 0, failed_ = 0, skipped_ = 0;
};

} // namespace fusebpf::selftest
