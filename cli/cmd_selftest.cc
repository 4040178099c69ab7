// SPDX-License-Identifier: GPL-2.0-or-later
//
// `fusebpf selftest`: runs the FUSE-BPF selftest suite (selftests/, the
// behaviours of the patch sets' fuse_test.c) and prints KTAP.
//
// The suite is its own GoogleTest binary, fusebpf-selftests; this command
// finds it ($FUSEBPF_SELFTEST_BIN, else the installed
// <prefix>/libexec/fusebpf/fusebpf-selftests or the build tree's, see
// common/paths.h), points the suite at this very CLI ($FUSEBPF_CLI, unless
// already set), asks it for its cases (--gtest_list_tests, in run
// order: case N of -t is the Nth of that list), turns -t into a
// --gtest_filter, and execs it with --ktap (and --verbose for -v). The exit
// status is the binary's: 0 only when no case failed and no case skipped but
// the documented inotify half (selftests/main.cc).
// Differs from ctest, which runs the same binary one case per process and
// shows GoogleTest's output.
#include "cli/command.h"

#include "common/paths.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace fusebpf::cli {
namespace {

struct selftest_args {
	std::string tests; // -t: "1,3-5,bpf_test_xattr"
	bool verbose = false;
	bool list = false;
};

bool is_executable(const std::string &path)
{
	return !path.empty() && access(path.c_str(), X_OK) == 0;
}

// The suite binary, or "" (with the places tried in `tried`).
std::string find_suite(std::string &tried)
{
	std::vector<std::string> candidates;
	if (const char *env = std::getenv("FUSEBPF_SELFTEST_BIN"))
		candidates.emplace_back(env);
	std::string why;
	if (auto layout = paths::find_layout(why))
		candidates.push_back(layout->selftest_bin.string());
	else
		tried = why;
	for (const std::string &c : candidates) {
		if (is_executable(c))
			return c;
		tried += (tried.empty() ? "" : ", ") + c;
	}
	return "";
}

// Runs `suite --gtest_list_tests` and returns "Suite.case" names in order.
std::optional<std::vector<std::string>> list_cases(const std::string &suite, std::string &why)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) != 0) {
		why = std::string("pipe: ") + std::strerror(errno);
		return std::nullopt;
	}
	pid_t pid = fork();
	if (pid < 0) {
		why = std::string("fork: ") + std::strerror(errno);
		close(fds[0]);
		close(fds[1]);
		return std::nullopt;
	}
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		execl(suite.c_str(), suite.c_str(), "--gtest_list_tests",
		      static_cast<char *>(nullptr));
		_exit(127);
	}
	close(fds[1]);
	std::string out;
	char buf[4096];
	ssize_t n;
	while ((n = read(fds[0], buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0)
			out.append(buf, static_cast<std::size_t>(n));
	close(fds[0]);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		why = suite + " --gtest_list_tests failed";
		return std::nullopt;
	}
	// "Suite.\n  case\n  case  # GetParam() ...\n"
	std::vector<std::string> names;
	std::string suite_name;
	std::size_t pos = 0;
	while (pos < out.size()) {
		std::size_t end = out.find('\n', pos);
		if (end == std::string::npos)
			end = out.size();
		std::string line = out.substr(pos, end - pos);
		pos = end + 1;
		if (line.empty())
			continue;
		if (line[0] != ' ') {
			suite_name = line;
			continue;
		}
		std::string name = line.substr(line.find_first_not_of(' '));
		name = name.substr(0, name.find(' '));
		names.push_back(suite_name + name);
	}
	return names;
}

std::string case_name(const std::string &full)
{
	return full.substr(full.find('.') + 1);
}

// "1,3-5,bpf_test_xattr" -> the cases, in run order. Errors name the item.
std::optional<std::vector<std::string>>
pick_cases(const std::string &list, const std::vector<std::string> &all, std::string &why)
{
	std::set<std::size_t> picked;
	auto number = [&](const std::string &s, std::size_t &out) {
		char *end = nullptr;
		errno = 0;
		unsigned long v = std::strtoul(s.c_str(), &end, 10);
		if (s.empty() || *end || errno || v < 1 || v > all.size())
			return false;
		out = v - 1;
		return true;
	};
	std::size_t start = 0;
	while (start <= list.size()) {
		std::size_t end = list.find(',', start);
		if (end == std::string::npos)
			end = list.size();
		std::string item = list.substr(start, end - start);
		start = end + 1;
		if (item.empty())
			continue;
		std::size_t a, b, dash = item.find('-');
		if (number(item, a)) {
			picked.insert(a);
		} else if (dash != std::string::npos && number(item.substr(0, dash), a) &&
		           number(item.substr(dash + 1), b) && a <= b) {
			for (std::size_t i = a; i <= b; i++)
				picked.insert(i);
		} else {
			bool found = false;
			for (std::size_t i = 0; i < all.size(); i++)
				if (case_name(all[i]) == item) {
					picked.insert(i);
					found = true;
				}
			if (!found) {
				why = "-t: '" + item +
				      "' is neither a case name nor a number or range in 1.." +
				      std::to_string(all.size()) +
				      " (see `fusebpf selftest --list`)";
				return std::nullopt;
			}
		}
	}
	if (picked.empty()) {
		why = "-t: no case given";
		return std::nullopt;
	}
	std::vector<std::string> out;
	for (std::size_t i : picked)
		out.push_back(all[i]);
	return out;
}

int run_selftest(const selftest_args &a)
{
	std::string tried;
	std::string suite = find_suite(tried);
	if (suite.empty()) {
		std::fprintf(stderr,
		             "fusebpf selftest: the suite binary fusebpf-selftests was not found "
		             "(tried %s); build it (target fusebpf_selftests) or set "
		             "FUSEBPF_SELFTEST_BIN\n",
		             tried.c_str());
		return exit_failure;
	}
	std::string why;
	auto all = list_cases(suite, why);
	if (!all) {
		std::fprintf(stderr, "fusebpf selftest: %s\n", why.c_str());
		return exit_failure;
	}
	if (a.list) {
		for (std::size_t i = 0; i < all->size(); i++)
			std::printf("%zu %s\n", i + 1, case_name((*all)[i]).c_str());
		return exit_ok;
	}
	std::vector<std::string> argv{suite, "--ktap"};
	if (a.verbose)
		argv.emplace_back("--verbose");
	if (!a.tests.empty()) {
		auto cases = pick_cases(a.tests, *all, why);
		if (!cases) {
			std::fprintf(stderr, "fusebpf selftest: %s\n", why.c_str());
			return exit_usage;
		}
		std::string filter = "--gtest_filter=";
		for (std::size_t i = 0; i < cases->size(); i++)
			filter += (i ? ":" : "") + (*cases)[i];
		argv.push_back(filter);
	}
	// The cases drive the CLI that runs them (tests/support/process.h).
	if (std::string exe = paths::self_exe().string(); !exe.empty())
		setenv("FUSEBPF_CLI", exe.c_str(), 0);
	if (geteuid() != 0)
		std::fprintf(stderr, "fusebpf selftest: warning: not root; the cases mount FUSE "
		                     "file systems and load BPF programs\n");
	std::fflush(stdout);
	std::vector<char *> cargv;
	for (auto &s : argv)
		cargv.push_back(s.data());
	cargv.push_back(nullptr);
	execv(suite.c_str(), cargv.data());
	std::fprintf(stderr, "fusebpf selftest: cannot run %s: %s\n", suite.c_str(),
	             std::strerror(errno));
	return exit_failure;
}

} // namespace

void add_selftest_commands(CLI::App &root, command_list &commands)
{
	auto a = std::make_shared<selftest_args>();
	CLI::App *cmd = root.add_subcommand(
	    "selftest",
	    "Run the FUSE-BPF selftest suite and print KTAP.\n\n"
	    "The suite reproduces the behaviours of the FUSE-BPF patch sets' selftests\n"
	    "(tools/testing/selftests/filesystems/fuse/fuse_test.c), one case each, named\n"
	    "after the originals: every case mounts a fresh backing/mount pair through the\n"
	    "daemon with real BPF tables and userspace filters, checks the effect and the\n"
	    "filters' part in it, and cleans up. Output is KTAP (TAP version 13, `1..N`,\n"
	    "`ok N name`, `not ok N name`, `ok N name # SKIP reason`); the exit status is\n"
	    "0 only when no case failed. Only the case a stock kernel cannot support\n"
	    "(inotify_test's second half) may skip, with the reason; a skip elsewhere is\n"
	    "`not ok`. Must run as root.");
	cmd->add_option("-t,--tests", a->tests,
	                "Run only these cases: numbers (1-based, as --list shows them),\n"
	                "ranges (3-5) and names, comma-separated.")
	    ->option_text("LIST");
	cmd->add_flag("-v,--verbose", a->verbose,
	              "Also print why a case failed (each failed check with file:line) and\n"
	              "each case's start, as KTAP diagnostic lines (# ...).");
	cmd->add_flag("--list", a->list, "List the cases with their numbers and exit.");
	cmd->footer("EXAMPLES:\n"
	            "  fusebpf selftest                      # every case\n"
	            "  fusebpf selftest -t 1,3-5             # cases 1, 3, 4 and 5\n"
	            "  fusebpf selftest -t bpf_test_xattr -v # one case, with failure details\n"
	            "  fusebpf selftest --list");
	commands.push_back({cmd, [a] { return run_selftest(*a); }});
}

} // namespace fusebpf::cli
