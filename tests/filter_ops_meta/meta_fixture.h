// SPDX-License-Identifier: GPL-2.0-or-later
//
// meta_fixture: the fixture of the ops-meta mount tests and the small
// backing-tree helpers they share. MetaMount loads tests/support/knobs.bpf.c once per
// suite (knobs_table, unloaded in TearDownTestSuite) and mounts fusebpf over
// a fresh backing dir with `--ops ID` when a test asks (mount_root()); the
// mount goes away in TearDown (mounted_fs's destructor), also after a failed
// ASSERT. Differs from tests/filter_mount (one fixed filter, LOOKUP/GETATTR).
#pragma once

#include "tests/support/fs.h"
#include "tests/support/knobs_table.h"
#include "tests/support/mounted_fs.h"
#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace fusebpf::test {

inline void make_file(const std::string &path, const std::string &text, mode_t mode = 0644)
{
	std::ofstream(path) << text;
	chmod(path.c_str(), mode);
}

inline bool exists(const std::string &path)
{
	struct stat st;
	return lstat(path.c_str(), &st) == 0;
}

// Permission bits (07777), or ~0u if the path does not exist.
inline mode_t mode_of(const std::string &path)
{
	struct stat st;
	return lstat(path.c_str(), &st) == 0 ? (st.st_mode & 07777) : ~0u;
}

inline void set_xattr(const std::string &path, const std::string &name, const std::string &value)
{
	ASSERT_EQ(setxattr(path.c_str(), name.c_str(), value.data(), value.size(), 0), 0)
	    << path << " " << name << ": " << std::strerror(errno);
}

// The value, or "<ENODATA>" / "<errno N>".
inline std::string xattr_of(const std::string &path, const std::string &name)
{
	std::vector<char> buf(65536);
	ssize_t n = getxattr(path.c_str(), name.c_str(), buf.data(), buf.size());
	if (n < 0)
		return errno == ENODATA ? "<ENODATA>" : "<errno " + std::to_string(errno) + ">";
	return std::string(buf.data(), static_cast<size_t>(n));
}

// A symlink's target, or "" if path is none.
inline std::string link_of(const std::string &path)
{
	char buf[4096];
	ssize_t n = readlink(path.c_str(), buf, sizeof(buf));
	return n < 0 ? "" : std::string(buf, static_cast<size_t>(n));
}

class MetaMount : public ::testing::Test {
protected:
	static void SetUpTestSuite()
	{
		table_ = std::make_unique<knobs_table>();
		load_error_ = table_->load(KNOBS_OBJ, "fom_" + std::to_string(getpid()));
	}
	static void TearDownTestSuite()
	{
		if (table_) {
			std::string why = table_->unload();
			EXPECT_EQ(why, "");
		}
		table_.reset();
	}
	void TearDown() override { stop(); }

	// Mounts fusebpf with the table over a fresh backing dir. cache: keep
	// the kernel's entry/attr caches for 30 s (tests that see a reply's
	// attributes through the kernel's cache); else both timeouts are 0.
	// extra: more `fusebpf mount` arguments (--user-filter LIB.so).
	void mount_root(bool cache = false, const std::vector<std::string> &extra = {})
	{
		ASSERT_EQ(load_error_, "");
		table_->reset();
		backing_ = dir_.subdir("backing");
		std::string timeouts =
		    cache ? "attr_timeout=30,entry_timeout=30" : "attr_timeout=0,entry_timeout=0";
		std::vector<std::string> args{"--ops", std::to_string(table_->id()), "-o",
		                              timeouts};
		args.insert(args.end(), extra.begin(), extra.end());
		fs_ = std::make_unique<mounted_fs>(backing_, dir_.subdir("mnt"), args);
		std::string why;
		ASSERT_TRUE(fs_->start(why)) << why;
	}

	// Unmounts and stops the daemon; how it ended ("exit 0"), "" if no mount.
	std::string stop() { return fs_ ? fs_->stop() : ""; }

	knobs_table &table() const { return *table_; }
	const std::string &backing() const { return backing_; }
	std::string mnt() const { return fs_->mountpoint(); }
	std::string daemon_log() const { return fs_ ? fs_->daemon_log() : ""; }

	temp_dir dir_{"filter_ops_meta"};
	std::string backing_;
	std::unique_ptr<mounted_fs> fs_;

	static inline std::unique_ptr<knobs_table> table_;
	static inline std::string load_error_;
};

} // namespace fusebpf::test
