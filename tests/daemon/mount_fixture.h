// SPDX-License-Identifier: GPL-2.0-or-later
//
// mount_fixture: the GoogleTest fixture every daemon test derives from. Each
// test gets a private temp dir (mode 0755, so uid 65534 can reach it) holding
//	backing/  the backing dir, mounted at
//	mnt/      the mountpoint, and
//	native/   a plain directory on the same file system, the oracle for
//	          differential checks.
// SetUp() lets prepare_backing() fill the backing dir before the mount starts,
// then mounts with mount_args(). TearDown() unmounts, stops the daemon and
// expects it to exit 0 (a daemon crash, sanitizer report or leak fails the
// test); after any failure it prints a repro command line and the daemon log.
//
// Limits: root only (as the daemon is).
#pragma once

#include "tests/support/mounted_fs.h"
#include "tests/support/stats.h"
#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace fusebpf::test {

class mount_fixture : public ::testing::Test {
protected:
	// Options for `fusebpf mount -f`; override to add -o ... / --no-passthrough.
	virtual std::vector<std::string> mount_args() const { return {}; }
	// Runs before the mount; put pre-existing files into backing_dir() here.
	virtual void prepare_backing() {}

	void SetUp() override;
	void TearDown() override;

	const std::string &backing_dir() const { return backing_; }
	const std::string &mount_dir() const { return mnt_; }
	const std::string &native_dir() const { return native_; }
	// Paths of `rel` under each of the three trees ("" gives the root).
	std::string b(const std::string &rel) const { return join(backing_, rel); }
	std::string m(const std::string &rel) const { return join(mnt_, rel); }
	std::string n(const std::string &rel) const { return join(native_, rel); }

	mounted_fs &fs() { return *fs_; }

	// `fusebpf stats --json`; fails the test (returns an empty object) on error.
	nlohmann::json stats();
	// ops.<op>.requests, or -1 (and a test failure) when missing.
	long long requests(const nlohmann::json &s, const std::string &op);

	// Remounts with other options (for tests that compare two modes).
	void remount(const std::vector<std::string> &args);

private:
	static std::string join(const std::string &root, const std::string &rel)
	{
		return rel.empty() ? root : root + "/" + rel;
	}

	temp_dir dir_{"daemon", 0755};
	std::string backing_, mnt_, native_;
	std::unique_ptr<mounted_fs> fs_;
};

} // namespace fusebpf::test
