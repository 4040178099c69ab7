// SPDX-License-Identifier: GPL-2.0-or-later
//
// fs: whole-file reads and writes, the file helpers every test shares. They
// work on plain paths (a mount's or a backing dir's alike), never throw and
// never exit.
//
//	auto text = read_file(mnt + "/a");  // nullopt (errno kept) if it fails
//	EXPECT_EQ(read_text(mnt + "/a"), "hello\n");  // "" if it fails
//	ASSERT_TRUE(write_file(src + "/a", "hello\n"));
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace fusebpf::test {

// The whole content of `path` (open, read to EOF, close), or nullopt with
// errno kept if opening or a read fails.
std::optional<std::string> read_file(const std::string &path);

// read_file(), with "" for a failure: for checks that compare the text,
// where a failed read shows as a mismatch.
std::string read_text(const std::string &path);

// Writes `data` to `path` (O_CREAT|O_TRUNC, `mode`); false on any error.
bool write_file(const std::string &path, const std::string &data, mode_t mode = 0644);

} // namespace fusebpf::test
