// SPDX-License-Identifier: GPL-2.0-or-later
//
// fixture: what every selftest case shares. Each case gets a fresh pair of
// directories, ft-src (the backing dir) and ft-dst (the mountpoint) as in
// the original fuse_test.c, inside a private temp dir, and mounts fusebpf
// over them once with the filters it needs:
//
//	ASSERT_TRUE(mount({.filter = PROG_trace}));          // fusebpf mount --filter
//	ASSERT_TRUE(mount({.user_filter = USER_basic}));     // --user-filter only
//	auto t = load_table(PROG_switch_lookup);              // loader::load_filter,
//	ASSERT_TRUE(t);                                       // unloaded by TearDown
//	ASSERT_TRUE(mount({.ops = std::to_string(t->id)}));  // fusebpf mount --ops
//
// TearDown (run also after a failed ASSERT) unmounts and stops the daemon,
// then unmounts the bind mounts the case made (bind_mount()), then unloads
// the tables the case loaded; the temp dir goes last. What the filters saw
// is read from `fusebpf stats --json` (stat_of()): the daemon counts, per
// FUSE opcode, the ops that went through the filter engine, the BPF runs,
// the verdicts and the userspace filter calls.
//
// Differs from tests/filter_mount (one fixed table): here each case says its
// own mount. Limits: root only; one mount per case.
#pragma once

#include "loader/tables.h"
#include "tests/support/fs.h"
#include "tests/support/mounted_fs.h"
#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace fusebpf::selftest {

struct mount_spec {
	std::string filter{};      // --filter FILE.bpf.o (the daemon loads and unloads it)
	std::string ops{};         // --ops ID: a table the case loaded itself
	std::string user_filter{}; // --user-filter LIB.so
	std::string user_arg{};    // --user-filter-arg STR
	std::string options{};     // -o OPTS (entry_timeout=0, allow_other, ...)
};

class fuse_test : public ::testing::Test {
protected:
	void SetUp() override;
	void TearDown() override;

	// Mounts ft-src on ft-dst with `spec`; the failure says why (daemon log).
	::testing::AssertionResult mount(const mount_spec &spec);

	// Loads a BPF object as a table under a name unique to this case
	// ("st_<pid>_<case>_<n>"); nullopt (with a test failure) if it fails.
	std::optional<loader::table_info> load_table(const std::string &object);

	// Bind-mounts `from` on `to` (a dir inside the temp dir); TearDown
	// unmounts it.
	::testing::AssertionResult bind_mount(const std::string &from, const std::string &to);

	// Paths in the backing dir and in the mount.
	std::string src(const std::string &rel = "") const;
	std::string dst(const std::string &rel = "") const;
	// A scratch dir outside both (for tests that need a path outside the root).
	std::string outside(const std::string &rel = "") const;

	// `fusebpf stats --json` of the mount (a failed ASSERT inside if it fails).
	nlohmann::json stats();

	// daemon_log() of the mount, for failure messages.
	std::string daemon_log() const;

	test::temp_dir dir_{"selftest"};
	std::string src_, dst_, outside_;
	std::unique_ptr<test::mounted_fs> fs_;
	std::vector<std::string> tables_;
	std::vector<std::string> binds_;
};

// A counter of the stats (`/ops/READ/filtered`, `/ops/LOOKUP/user/handler`,
// `/ops/MKDIR/verdicts/POSTFILTER`): 0 when the daemon did not report it
// (an op never filtered has no filter fields).
std::uint64_t stat_of(const nlohmann::json &stats, const std::string &pointer);

// The sum of bpf_runs over every opcode.
std::uint64_t total_bpf_runs(const nlohmann::json &stats);

// Small file helpers; they report errors as gtest failures through the
// returned AssertionResult or an empty optional.
::testing::AssertionResult write_file(const std::string &path, const std::string &data,
                                      unsigned mode = 0644);
using test::read_file; // tests/support/fs.h

// The names in a directory (without "." and ".."), read with getdents64 in
// buffers of `buffer_size` bytes, so a small buffer makes many READDIR
// requests; sorted. nullopt (errno kept) if opening or reading fails.
std::optional<std::vector<std::string>> list_dir(const std::string &path,
                                                 std::size_t buffer_size = 32768);

// The names in their order of arrival, "." and ".." included (for checks
// that the offsets neither repeat nor skip entries).
std::optional<std::vector<std::string>> list_dir_raw(const std::string &path,
                                                     std::size_t buffer_size);

} // namespace fusebpf::selftest
