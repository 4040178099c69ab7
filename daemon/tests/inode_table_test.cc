// SPDX-License-Identifier: GPL-2.0-or-later
//
// inode_table on real O_PATH fds in a temp dir: hard links share a node,
// lookup counting, FORGET, stale ids, reused inode numbers.
#include "daemon/backing/inode_table.h"
#include "daemon/tests/inode_table_fixture.h"

#include <fusebpf/fuse_wire.h>

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

using namespace fusebpf;
using namespace fusebpf::daemon;

namespace {

using InodeTableTest = inode_table_fixture;

} // namespace

TEST_F(InodeTableTest, RootIsNodeOne)
{
	ASSERT_NE(table_->get(FUSE_ROOT_ID), nullptr);
	EXPECT_EQ(table_->get(FUSE_ROOT_ID)->nodeid, uint64_t(FUSE_ROOT_ID));
	EXPECT_TRUE(table_->get(FUSE_ROOT_ID)->is_dir());
	table_->forget(FUSE_ROOT_ID, 100);
	EXPECT_NE(table_->get(FUSE_ROOT_ID), nullptr);
	EXPECT_EQ(table_->size(), 0u);
}

TEST_F(InodeTableTest, HardLinksShareANode)
{
	touch("a");
	ASSERT_EQ(link((dir_ + "/a").c_str(), (dir_ + "/b").c_str()), 0);
	inode_ptr a = lookup("a");
	inode_ptr b = lookup("b");
	EXPECT_EQ(a, b);
	EXPECT_EQ(a->nlookup, 2u);
	EXPECT_EQ(table_->size(), 1u);
	EXPECT_NE(a->nodeid, uint64_t(FUSE_ROOT_ID));
}

TEST_F(InodeTableTest, ForgetDropsTheNodeAtZero)
{
	touch("a");
	inode_ptr a = lookup("a");
	lookup("a");
	uint64_t id = a->nodeid;
	table_->forget(id, 1);
	EXPECT_EQ(table_->get(id), a);
	table_->forget(id, 1);
	EXPECT_EQ(table_->get(id), nullptr);
	EXPECT_EQ(table_->size(), 0u);
	// A later lookup gets a new nodeid; the old one stays stale.
	inode_ptr again = lookup("a");
	EXPECT_NE(again->nodeid, id);
	EXPECT_EQ(table_->get(id), nullptr);
}

TEST_F(InodeTableTest, UnknownIdsAreHarmless)
{
	EXPECT_EQ(table_->get(0), nullptr);
	EXPECT_EQ(table_->get(999), nullptr);
	table_->forget(999, 1); // ignored
	table_->forget(0, 1);
	EXPECT_EQ(table_->size(), 0u);
}

TEST_F(InodeTableTest, AddRefFailsAfterTheLastForget)
{
	touch("a");
	inode_ptr a = lookup("a");
	EXPECT_TRUE(table_->add_ref(a));
	EXPECT_EQ(a->nlookup, 2u);
	table_->forget(a->nodeid, 2);
	EXPECT_FALSE(table_->add_ref(a));
}

TEST_F(InodeTableTest, DeletedInodeIsNotReturnedForItsKey)
{
	touch("a");
	inode_ptr a = lookup("a");
	struct stat st;
	ASSERT_EQ(fstatat(a->pin().get(), "", &st, AT_EMPTY_PATH), 0);
	ASSERT_EQ(unlink((dir_ + "/a").c_str()), 0);
	// Pretend the number came back for a new file: same key, fresh fd.
	touch("c");
	unique_fd c(open((dir_ + "/c").c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
	inode_ptr n = table_->add_lookup(std::move(c), st);
	EXPECT_NE(n, a);
	EXPECT_NE(n->nodeid, a->nodeid);
	EXPECT_EQ(table_->get(a->nodeid), a); // the kernel's reference still works
	table_->forget(a->nodeid, 1);
	EXPECT_EQ(table_->get(n->nodeid), n); // forgetting the old one keeps the new
	table_->forget(n->nodeid, 1);
	EXPECT_EQ(table_->size(), 0u);
}
