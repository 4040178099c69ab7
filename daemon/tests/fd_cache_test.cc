// SPDX-License-Identifier: GPL-2.0-or-later
//
// fd_cache and the inode table's handle identity on real files in a temp
// dir: the cache stays within its capacity and reopens evicted nodes by
// handle, a pinned fd outlives its eviction, forgotten nodes come back
// under their nodeid (LOOKUP "." of an export handle), deleted ones do not.
#include "daemon/backing/fd_cache.h"
#include "daemon/backing/inode_table.h"
#include "daemon/tests/inode_table_fixture.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

using namespace fusebpf;
using namespace fusebpf::daemon;

namespace {

constexpr size_t capacity = 16;

class FdCacheTest : public inode_table_fixture {
protected:
	size_t max_fds() const override { return capacity; }
	void SetUp() override
	{
		inode_table_fixture::SetUp();
		if (!table_->fds().uses_handles())
			GTEST_SKIP()
			    << "no file handles on " << dir_ << " (or no CAP_DAC_READ_SEARCH)";
	}

	// Creates `name` and registers one lookup of it; its st_ino in *ino.
	inode_ptr create(const std::string &name, ino_t *ino = nullptr)
	{
		touch(name);
		return lookup(name, ino);
	}

	static ino_t ino_of(const inode &node)
	{
		pinned_fd fd = node.pin();
		struct stat st {};
		EXPECT_TRUE(fd) << fd.error();
		EXPECT_EQ(fstatat(fd.get(), "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW), 0);
		return st.st_ino;
	}
};

} // namespace

TEST_F(FdCacheTest, StaysWithinCapacityAndReopensByHandle)
{
	std::vector<inode_ptr> nodes;
	std::vector<ino_t> inos;
	for (int i = 0; i < 100; i++) {
		ino_t ino;
		nodes.push_back(create("f" + std::to_string(i), &ino));
		inos.push_back(ino);
		EXPECT_FALSE(nodes.back()->handle.empty());
		EXPECT_LE(table_->fds().cached(), capacity);
	}
	EXPECT_EQ(table_->fds().cached(), capacity);
	uint64_t misses = table_->fds().misses();
	// The first nodes were evicted long ago: each pin reopens by handle.
	for (int i = 0; i < 100; i++)
		EXPECT_EQ(ino_of(*nodes[i]), inos[i]) << i;
	EXPECT_GE(table_->fds().misses() - misses, 100 - capacity);
	EXPECT_LE(table_->fds().cached(), capacity);
	// A node used again at once is a hit.
	uint64_t hits = table_->fds().hits();
	EXPECT_EQ(ino_of(*nodes[99]), inos[99]);
	EXPECT_EQ(table_->fds().hits(), hits + 1);
}

TEST_F(FdCacheTest, PinnedFdOutlivesItsEviction)
{
	ino_t ino;
	inode_ptr first = create("first", &ino);
	pinned_fd pin = first->pin();
	ASSERT_TRUE(pin);
	for (size_t i = 0; i < 3 * capacity; i++)
		create("other" + std::to_string(i));
	// Evicted from the cache, still open for the holder of the pin.
	struct stat st;
	ASSERT_EQ(fstatat(pin.get(), "", &st, AT_EMPTY_PATH), 0);
	EXPECT_EQ(st.st_ino, ino);
}

TEST_F(FdCacheTest, SameHandleIsTheSameNode)
{
	inode_ptr a = create("a");
	ASSERT_EQ(link((dir_ + "/a").c_str(), (dir_ + "/b").c_str()), 0);
	unique_fd opath(open((dir_ + "/b").c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
	struct stat st;
	ASSERT_EQ(fstat(opath.get(), &st), 0);
	EXPECT_EQ(table_->add_lookup(std::move(opath), st), a);
	EXPECT_EQ(a->nlookup, 2u);
}

TEST_F(FdCacheTest, ForgottenNodeIsRevivedUnderItsNodeid)
{
	ino_t ino;
	inode_ptr a = create("a", &ino);
	uint64_t id = a->nodeid;
	a.reset();
	table_->forget(id, 1);
	EXPECT_EQ(table_->get(id), nullptr);
	EXPECT_EQ(table_->forgotten(), 1u);
	// The slot is reused by another node; the old nodeid still revives.
	inode_ptr other = create("other");
	int err = -1;
	inode_ptr back = table_->revive(id, err);
	ASSERT_NE(back, nullptr) << err;
	EXPECT_EQ(err, 0);
	EXPECT_EQ(back->nodeid, id);
	EXPECT_EQ(back->nlookup, 1u);
	EXPECT_EQ(ino_of(*back), ino);
	EXPECT_EQ(table_->get(id), back);
	EXPECT_EQ(table_->get(other->nodeid), other);
	EXPECT_EQ(table_->size(), 2u);
	// A lookup by name finds the revived node.
	unique_fd opath(open((dir_ + "/a").c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
	struct stat st;
	ASSERT_EQ(fstat(opath.get(), &st), 0);
	EXPECT_EQ(table_->add_lookup(std::move(opath), st), back);
	// A live node: one more reference, no new node.
	EXPECT_EQ(table_->revive(id, err), back);
	EXPECT_EQ(back->nlookup, 3u);
	table_->forget(id, 3);
	EXPECT_EQ(table_->get(id), nullptr);
	EXPECT_EQ(table_->size(), 1u);
}

TEST_F(FdCacheTest, DeletedOrUnknownNodesAreStale)
{
	inode_ptr a = create("a");
	uint64_t id = a->nodeid;
	a.reset();
	table_->forget(id, 1);
	ASSERT_EQ(unlink((dir_ + "/a").c_str()), 0);
	int err = 0;
	EXPECT_EQ(table_->revive(id, err), nullptr);
	EXPECT_EQ(err, ESTALE);
	EXPECT_EQ(table_->revive(0x12345678900ULL, err), nullptr);
	EXPECT_EQ(err, ESTALE);
}
