// SPDX-License-Identifier: GPL-2.0-or-later
//
// inode_table_fixture: the fixture of the backing-tree unit tests, an
// inode_table over a fresh temp dir (removed in TearDown, after the table)
// with small helpers: touch() creates a file, lookup() registers one
// lookup of a name as the LOOKUP path does (O_PATH fd and fstat).
#pragma once

#include "daemon/backing/inode_table.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

namespace fusebpf::daemon {

class inode_table_fixture : public ::testing::Test {
protected:
	// The table's fd cap (0: the table's default).
	virtual size_t max_fds() const { return 0; }

	void SetUp() override
	{
		char tmpl[] = "/tmp/fusebpf-inode-test.XXXXXX";
		ASSERT_NE(mkdtemp(tmpl), nullptr);
		dir_ = tmpl;
		unique_fd root(open(dir_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
		ASSERT_TRUE(root);
		struct stat st;
		ASSERT_EQ(fstat(root.get(), &st), 0);
		table_ = std::make_unique<inode_table>(std::move(root), st, max_fds());
	}
	void TearDown() override
	{
		table_.reset();
		if (!dir_.empty())
			std::filesystem::remove_all(dir_);
	}

	void touch(const std::string &name)
	{
		int fd = open((dir_ + "/" + name).c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
		ASSERT_GE(fd, 0);
		close(fd);
	}

	// One lookup of `name`; its st_ino in *ino if asked.
	inode_ptr lookup(const std::string &name, ino_t *ino = nullptr)
	{
		unique_fd fd(open((dir_ + "/" + name).c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
		EXPECT_TRUE(fd);
		struct stat st;
		EXPECT_EQ(fstat(fd.get(), &st), 0);
		if (ino)
			*ino = st.st_ino;
		return table_->add_lookup(std::move(fd), st);
	}

	std::string dir_;
	std::unique_ptr<inode_table> table_;
};

} // namespace fusebpf::daemon
