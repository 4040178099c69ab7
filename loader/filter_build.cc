// SPDX-License-Identifier: GPL-2.0-or-later
//
// `fusebpf build`; see filter_build.h.  The configure-time paths come from
// loader/CMakeLists.txt as FUSEBPF_BPF_* compile definitions.
#include "loader/filter_build.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <spawn.h>
#include <sstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace fusebpf::loader {

namespace {

std::string errno_text(int e)
{
	return std::strerror(e);
}

std::vector<std::string> split_flags(const std::string &flags)
{
	std::vector<std::string> out;
	std::istringstream in(flags);
	for (std::string word; in >> word;)
		out.push_back(word);
	return out;
}

std::string shell_line(const std::vector<std::string> &argv)
{
	std::string line;
	for (const auto &a : argv)
		line += (line.empty() ? "" : " ") + a;
	return line;
}

// Runs argv with the caller's stdout/stderr; returns the exit status or an error.
result<int> run_tool(const std::vector<std::string> &argv, bool verbose)
{
	if (verbose)
		std::fprintf(stderr, "+ %s\n", shell_line(argv).c_str());
	std::vector<char *> args;
	for (const auto &a : argv)
		args.push_back(const_cast<char *>(a.c_str()));
	args.push_back(nullptr);
	pid_t pid;
	int rc = posix_spawnp(&pid, args[0], nullptr, nullptr, args.data(), environ);
	if (rc != 0)
		return error{"cannot run " + argv[0] + ": " + errno_text(rc), rc};
	int wstatus = 0;
	while (::waitpid(pid, &wstatus, 0) < 0)
		if (errno != EINTR) {
			int e = errno;
			return error{"waiting for " + argv[0] + " failed: " + errno_text(e), e};
		}
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	return 128 + WTERMSIG(wstatus);
}

} // namespace

std::string default_build_output(const std::string &source)
{
	for (const char *suffix : {".bpf.c", ".c"}) {
		std::string_view s = source, suf = suffix;
		if (s.ends_with(suf))
			return source.substr(0, source.size() - suf.size()) + ".bpf.o";
	}
	return source + ".bpf.o";
}

result<std::string> build_filter(const std::string &source, const build_options &options)
{
	struct stat st {};
	if (::stat(source.c_str(), &st) != 0) {
		int e = errno;
		return error{"cannot read " + source + ": " + errno_text(e), e};
	}
	std::string output = options.output.empty() ? default_build_output(source) : options.output;
	std::string tmp = output + ".tmp.o";

	std::vector<std::string> clang = {FUSEBPF_BPF_CLANG, "-target", "bpf"};
	for (auto &flag : split_flags(FUSEBPF_BPF_CFLAGS))
		clang.push_back(flag);
	for (const auto &dir : options.include_dirs)
		clang.push_back("-I" + dir);
	clang.insert(clang.end(),
	             {"-I" FUSEBPF_SOURCE_DIR "/bpf", "-I" FUSEBPF_SOURCE_DIR "/include",
	              "-I" FUSEBPF_BPF_ARCH_INCLUDE, "-c", source, "-o", tmp});
	auto rc = run_tool(clang, options.verbose);
	if (!rc)
		return std::move(rc).err();
	if (*rc != 0) {
		::unlink(tmp.c_str());
		return error{"clang could not compile " + source + " (its messages are above)",
		             EINVAL};
	}

	std::vector<std::string> link = {FUSEBPF_BPFTOOL, "gen", "object", output, tmp};
	rc = run_tool(link, options.verbose);
	::unlink(tmp.c_str());
	if (!rc)
		return std::move(rc).err();
	if (*rc != 0) {
		::unlink(output.c_str());
		return error{"bpftool could not link " + output + " (its messages are above)",
		             EINVAL};
	}
	return output;
}

} // namespace fusebpf::loader
