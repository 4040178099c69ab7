// SPDX-License-Identifier: GPL-2.0-or-later
//
// Turns a kernel verifier log into the part a filter author needs: the last
// lines before the rejection, and the source line the verifier was at.  With
// clang -g the log interleaves BTF line info as "; <source> @ file.c:LINE"
// (the " @ file:line" part since Linux 6.4); the last such line before the
// error is where the program went wrong.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace fusebpf::loader {

struct verifier_summary {
	std::vector<std::string> tail; // the last relevant lines, oldest first
	std::string source;            // the C source line, "" if the log had no line info
	std::string location;          // "file.bpf.c:26", "" if unknown
	std::string hint;              // advice for a rejection we recognise, or ""
};

verifier_summary summarize_verifier_log(std::string_view log, std::size_t max_lines = 12);

// The summary as an indented paragraph for an error message.
std::string format_verifier_summary(const verifier_summary &summary);

} // namespace fusebpf::loader
