// SPDX-License-Identifier: GPL-2.0-or-later
//
// ktap_listener: GoogleTest events -> KTAP lines; see ktap_listener.h.
#include "selftests/ktap_listener.h"

#include <string>

namespace fusebpf::selftest {
namespace {

// One line of text for a KTAP directive or diagnostic: KTAP lines end at the
// first newline, so later lines of a message become separate "# " lines.
std::string first_line(const std::string &text)
{
	std::string line = text.substr(0, text.find('\n'));
	return line.empty() ? "no reason given" : line;
}

// The reason given to GTEST_SKIP(), from the skip's part result.
std::string skip_reason(const ::testing::TestResult &result)
{
	for (int i = 0; i < result.total_part_count(); i++) {
		const ::testing::TestPartResult &part = result.GetTestPartResult(i);
		if (part.skipped())
			return first_line(part.message());
	}
	return "no reason given";
}

void print_diagnostic(std::FILE *out, const std::string &text)
{
	std::size_t start = 0;
	while (start <= text.size()) {
		std::size_t end = text.find('\n', start);
		if (end == std::string::npos)
			end = text.size();
		if (end > start)
			std::fprintf(out, "# %s\n", text.substr(start, end - start).c_str());
		start = end + 1;
	}
}

} // namespace

void ktap_listener::OnTestProgramStart(const ::testing::UnitTest &unit)
{
	std::fprintf(out_, "TAP version 13\n1..%d\n", unit.test_to_run_count());
	std::fflush(out_);
}

void ktap_listener::OnTestStart(const ::testing::TestInfo &info)
{
	if (verbose_)
		std::fprintf(out_, "# RUN %s\n", info.name());
	std::fflush(out_);
}

void ktap_listener::OnTestPartResult(const ::testing::TestPartResult &result)
{
	if (!verbose_ || result.skipped())
		return;
	std::string where = result.file_name() ? result.file_name() : "unknown file";
	if (result.line_number() >= 0)
		where += ":" + std::to_string(result.line_number());
	print_diagnostic(out_, where + ": " + (result.fatally_failed() ? "fatal: " : "") +
	                           result.message());
	std::fflush(out_);
}

void ktap_listener::OnTestEnd(const ::testing::TestInfo &info)
{
	const ::testing::TestResult &result = *info.result();
	++number_;
	if (result.Failed()) {
		++failed_;
		std::fprintf(out_, "not ok %d %s\n", number_, info.name());
	} else if (result.Skipped() && !allowed_skips_.count(info.name())) {
		++failed_;
		std::fprintf(out_, "not ok %d %s # unexpected GTEST_SKIP(): %s\n", number_,
		             info.name(), skip_reason(result).c_str());
	} else if (result.Skipped()) {
		++skipped_;
		std::fprintf(out_, "ok %d %s # SKIP %s\n", number_, info.name(),
		             skip_reason(result).c_str());
	} else {
		++passed_;
		std::fprintf(out_, "ok %d %s\n", number_, info.name());
	}
	std::fflush(out_);
}

void ktap_listener::OnTestProgramEnd(const ::testing::UnitTest &unit)
{
	std::fprintf(out_, "# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0\n", passed_,
	             failed_, skipped_);
	if (verbose_)
		std::fprintf(out_, "# elapsed: %lld ms\n",
		             static_cast<long long>(unit.elapsed_time()));
	std::fflush(out_);
}

} // namespace fusebpf::selftest
