// SPDX-License-Identifier: GPL-2.0-or-later
//
// temp_dir: a private, uniquely named directory under $TMPDIR (or /tmp) that
// removes its whole tree when it goes out of scope. Every mount test gets its
// backing dir and mountpoint from one of these, so tests never share state.
//
// Names look like /tmp/fusebpf-test.<tag>.<pid>.<what>.XXXXXX, where <tag> comes
// from the environment variable FUSEBPF_TEST_TAG (ctest sets it per build tree)
// and defaults to "manual". The leftover-mount checks use these prefixes to find
// mounts of this run (leftover_prefix()) or of this process (process_prefix()).
//
// Limits: removal does not cross mount points (a mount still sitting inside the
// tree is skipped, never descended into); unmount first (mounted_fs does).
#pragma once

#include <string>

namespace fusebpf::test {

class temp_dir {
public:
	// Creates the directory (mode 0700 as mkdtemp makes it, or `mode` if given).
	// On failure path() is empty and error() says why; this never throws or exits.
	explicit temp_dir(const std::string &what = "dir", unsigned mode = 0700);
	temp_dir(const temp_dir &) = delete;
	temp_dir &operator=(const temp_dir &) = delete;
	temp_dir(temp_dir &&other) noexcept;
	temp_dir &operator=(temp_dir &&other) noexcept;
	~temp_dir();

	const std::string &path() const { return path_; }
	const std::string &error() const { return error_; }
	explicit operator bool() const { return !path_.empty(); }

	// Makes a subdirectory (with parents not created) and returns its path,
	// or an empty string on failure.
	std::string subdir(const std::string &name, unsigned mode = 0755) const;

	// Removes the tree now (idempotent); returns false if something remained.
	bool remove();

private:
	std::string path_;
	std::string error_;
};

// The common prefix of every temp_dir of this run ("/tmp/fusebpf-test.<tag>.").
std::string leftover_prefix();

// The prefix of this process's temp_dirs ("/tmp/fusebpf-test.<tag>.<pid>.").
std::string process_prefix();

// Removes `path` and everything below it without crossing mount points or
// following symlinks. Returns false (and leaves the rest) on the first error.
bool remove_tree(const std::string &path);

} // namespace fusebpf::test
