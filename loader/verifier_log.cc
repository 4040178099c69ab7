// SPDX-License-Identifier: GPL-2.0-or-later
//
// Verifier log summaries; see verifier_log.h.
#include "loader/verifier_log.h"

#include <algorithm>
#include <deque>

namespace fusebpf::loader {

namespace {

std::string_view trim(std::string_view s)
{
	while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
		s.remove_prefix(1);
	while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
		s.remove_suffix(1);
	return s;
}

// The statistics lines end every log and say nothing about the error.
bool is_statistics(std::string_view line)
{
	return line.starts_with("processed ") || line.starts_with("verification time") ||
	       line.starts_with("stack depth") || line.starts_with("Validating ") ||
	       line.starts_with("Func#") || line.starts_with("mark_precise");
}

struct known_rejection {
	std::string_view needle;
	std::string_view hint;
};

constexpr known_rejection known_rejections[] = {
    {"variable ctx access",
     "a syscall program cannot index its context with a variable: copy names to the stack "
     "first (fusebpf_name_copy(), fusebpf_name_eq(), fusebpf_dirent_read() in fusebpf.bpf.h)"},
    {"dereference of modified ctx ptr",
     "a syscall program cannot index its context with a variable: copy names to the stack "
     "first (fusebpf_name_copy(), fusebpf_name_eq(), fusebpf_dirent_read() in fusebpf.bpf.h)"},
    {"invalid bpf_context access",
     "the program reads or writes past the end of its context struct: check the op's "
     "context type (struct fusebpf_<op>_ctx) in the function's signature"},
    {"R0 !read_ok", "the program can end without a return value: return a verdict on every path"},
    {"unknown func", "the program calls a helper that BPF_PROG_TYPE_SYSCALL programs may not use"},
    {"back-edge", "the verifier could not bound a loop: give it a constant upper bound"},
    {"too many states", "the program is too complex to verify: simplify loops and branches"},
};

} // namespace

verifier_summary summarize_verifier_log(std::string_view log, std::size_t max_lines)
{
	verifier_summary out;
	std::deque<std::string> tail;
	std::size_t pos = 0;
	while (pos < log.size()) {
		std::size_t end = log.find('\n', pos);
		if (end == std::string_view::npos)
			end = log.size();
		std::string_view line = trim(log.substr(pos, end - pos));
		pos = end + 1;
		if (line.empty() || line.front() == '\0' || is_statistics(line))
			continue;
		if (line.front() == ';') {
			// "; <source> @ file.c:LINE" or just "; <source>".
			std::string_view src = trim(line.substr(1));
			std::size_t at = src.rfind(" @ ");
			if (at != std::string_view::npos) {
				out.location = std::string(trim(src.substr(at + 3)));
				src = trim(src.substr(0, at));
			} else {
				out.location.clear();
			}
			out.source = std::string(src);
		}
		tail.emplace_back(line);
		if (tail.size() > max_lines)
			tail.pop_front();
	}
	out.tail.assign(tail.begin(), tail.end());
	for (const auto &k : known_rejections)
		if (log.find(k.needle) != std::string_view::npos) {
			out.hint = std::string(k.hint);
			break;
		}
	return out;
}

std::string format_verifier_summary(const verifier_summary &s)
{
	std::string text;
	if (!s.source.empty()) {
		text += "  at ";
		text += s.location.empty() ? std::string("source line") : s.location;
		text += ": " + s.source + "\n";
	}
	if (!s.hint.empty())
		text += "  hint: " + s.hint + "\n";
	if (!s.tail.empty()) {
		text += "  verifier log (last " + std::to_string(s.tail.size()) + " lines):\n";
		for (const auto &line : s.tail)
			text += "    " + line + "\n";
	}
	if (!text.empty() && text.back() == '\n')
		text.pop_back();
	return text;
}

} // namespace fusebpf::loader
