// SPDX-License-Identifier: GPL-2.0-or-later
//
// Helpers shared by the loader tests: unique table names (tests of parallel
// ctest runs never collide), a guard that unloads a table whatever the test
// outcome, and counters for the leak checks (open fds, pins).
#pragma once

#include "tests/support/fs.h"
#include "loader/bpffs.h"
#include "loader/tables.h"

#include <atomic>
#include <dirent.h>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace fusebpf::loader_test {

using test::read_text; // tests/support/fs.h

// "lt_<pid>_<n>_<tag>": unique per process and call.
inline std::string unique_name(const std::string &tag)
{
	static std::atomic<int> counter{0};
	return "lt_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" + tag;
}

// Unloads the named table when it goes out of scope (if it is loaded).
class table_guard {
public:
	explicit table_guard(std::string name) : name_(std::move(name)) {}
	table_guard(const table_guard &) = delete;
	table_guard &operator=(const table_guard &) = delete;
	~table_guard() { (void)loader::unload_table(loader::default_pin_root, name_); }
	const std::string &name() const { return name_; }

private:
	std::string name_;
};

inline bool path_exists(const std::string &path)
{
	struct stat st {};
	return ::stat(path.c_str(), &st) == 0;
}

inline bool table_pinned(const std::string &name)
{
	return path_exists(loader::table_dir(loader::default_pin_root, name));
}

inline int count_open_fds()
{
	int n = 0;
	DIR *d = ::opendir("/proc/self/fd");
	if (!d)
		return -1;
	while (struct dirent *e = ::readdir(d))
		if (e->d_name[0] != '.')
			n++;
	::closedir(d);
	return n - 1; // the fd of the opendir itself
}

// The 1-based number of the first line of `path` containing `needle`, or 0.
inline int line_of(const std::string &path, const std::string &needle)
{
	std::ifstream in(path);
	std::string line;
	for (int n = 1; std::getline(in, line); n++)
		if (line.find(needle) != std::string::npos)
			return n;
	return 0;
}

} // namespace fusebpf::loader_test
