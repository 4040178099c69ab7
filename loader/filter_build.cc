// SPDX-License-Identifier: GPL-2.0-or-later
//
// `fusebpf build`; see filter_build.h.  The tool paths come from
// loader/CMakeLists.txt as FUSEBPF_BPF_* compile definitions; fusebpf's own
// headers are found from the running executable (common/paths.h).
#include "loader/filter_build.h"

#include "common/paths.h"
#include "common/unique_fd.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <sstream>
#include <string_view>
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

// Runs argv with the caller's stdout/stderr, or with both going to
// output_fd when it is >= 0; returns the exit status or an error.
result<int> run_tool(const std::vector<std::string> &argv, bool verbose, int output_fd = -1)
{
	if (verbose)
		std::fprintf(stderr, "+ %s\n", shell_line(argv).c_str());
	std::vector<char *> args;
	for (const auto &a : argv)
		args.push_back(const_cast<char *>(a.c_str()));
	args.push_back(nullptr);
	posix_spawn_file_actions_t actions;
	posix_spawn_file_actions_init(&actions);
	if (output_fd >= 0) {
		posix_spawn_file_actions_adddup2(&actions, output_fd, STDOUT_FILENO);
		posix_spawn_file_actions_adddup2(&actions, output_fd, STDERR_FILENO);
	}
	pid_t pid;
	int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
	posix_spawn_file_actions_destroy(&actions);
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

// Everything an unlinked temp file holds (the compiler's captured output).
std::string read_all(int fd)
{
	std::string text;
	char buf[4096];
	::lseek(fd, 0, SEEK_SET);
	for (ssize_t n; (n = ::read(fd, buf, sizeof(buf))) > 0;)
		text.append(buf, static_cast<size_t>(n));
	return text;
}

const char *const user_filter_suffixes[] = {".cc", ".cpp", ".cxx"};

// -I for fusebpf's headers (installed, or the source tree's); see paths.h.
result<std::vector<std::string>> fusebpf_include_flags()
{
	std::string why;
	auto layout = paths::find_layout(why);
	if (!layout)
		return error{"cannot find the fusebpf headers: " + why, ENOENT};
	std::vector<std::string> flags;
	for (const auto &dir : layout->include_dirs)
		flags.push_back("-I" + dir.string());
	return flags;
}

// A user filter library: one compiler run, its output captured so a failure
// carries it (see filter_build.h for the flags and why CXX is c++).
result<std::string> build_user_filter(const std::string &source, const std::string &output,
                                      const build_options &options)
{
	const char *cxx = std::getenv("CXX");
	std::vector<std::string> cmd = {cxx && *cxx ? cxx : "c++",
	                                "-std=c++20",
	                                "-shared",
	                                "-fPIC",
	                                "-O2",
	                                "-Wall",
	                                "-fvisibility=hidden",
	                                "-fvisibility-inlines-hidden"};
	for (const auto &dir : options.include_dirs)
		cmd.push_back("-I" + dir);
	auto own = fusebpf_include_flags();
	if (!own)
		return std::move(own).err();
	cmd.insert(cmd.end(), own->begin(), own->end());
	cmd.insert(cmd.end(), {source, "-o", output});

	char tmpl[] = "/tmp/fusebpf-build-XXXXXX";
	unique_fd log_fd(::mkstemp(tmpl));
	if (!log_fd) {
		int e = errno;
		return error{"cannot create a temporary file for the compiler's output: " +
		                 errno_text(e),
		             e};
	}
	::unlink(tmpl);
	auto rc = run_tool(cmd, options.verbose, log_fd.get());
	if (!rc)
		return std::move(rc).err();
	std::string text = read_all(log_fd.get());
	if (*rc != 0) {
		::unlink(output.c_str());
		if (text.empty())
			text = "(no output)\n";
		return error{cmd[0] + " could not compile " + source + " (exit status " +
		                 std::to_string(*rc) + "):\n" + text +
		                 "(the command: fusebpf build -v " + source + ")",
		             EINVAL};
	}
	std::fputs(text.c_str(), stderr); // warnings
	return output;
}

} // namespace

bool is_user_filter_source(const std::string &source)
{
	std::string_view s = source;
	for (const char *suffix : user_filter_suffixes)
		if (s.ends_with(suffix))
			return true;
	return false;
}

std::string default_build_output(const std::string &source)
{
	std::string_view s = source;
	for (const char *suffix : user_filter_suffixes)
		if (s.ends_with(suffix))
			return source.substr(0, source.size() - std::strlen(suffix)) + ".so";
	for (const char *suffix : {".bpf.c", ".c"}) {
		std::string_view suf = suffix;
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
	if (is_user_filter_source(source))
		return build_user_filter(source, output, options);
	auto own = fusebpf_include_flags();
	if (!own)
		return std::move(own).err();
	std::string tmp = output + ".tmp.o";

	std::vector<std::string> clang = {FUSEBPF_BPF_CLANG, "-target", "bpf"};
	for (auto &flag : split_flags(FUSEBPF_BPF_CFLAGS))
		clang.push_back(flag);
	for (const auto &dir : options.include_dirs)
		clang.push_back("-I" + dir);
	clang.insert(clang.end(), own->begin(), own->end());
	clang.insert(clang.end(), {"-I" FUSEBPF_BPF_ARCH_INCLUDE, "-c", source, "-o", tmp});
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
