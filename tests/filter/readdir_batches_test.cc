// SPDX-License-Identifier: GPL-2.0-or-later
//
// readdir_batches.h with the real readdir postfilter of bpf/engine_test.bpf.c
// (drops "secret", renames "old" to "new"): batching (one BPF call per 32
// entries), drops with their reference hook, rewrites, EOF, errors.
#include "daemon/filter/readdir_batches.h"
#include "filter_test_util.h"

#include <string>
#include <vector>

namespace fl = fusebpf::filter;
namespace ft = fusebpf::filter_test;

namespace {

struct test_entry {
	std::string name;
	std::uint64_t ino = 0;
	std::uint32_t type = 0;
	std::uint64_t next_off = 0;
};

class ReaddirBatchesTest : public ::testing::Test {
protected:
	static void SetUpTestSuite()
	{
		table_ = std::make_unique<ft::loaded_table>(ENGINE_TEST_OBJ, "readdir");
	}
	static void TearDownTestSuite() { table_.reset(); }
	void SetUp() override
	{
		ASSERT_TRUE(table_->table()) << table_->error();
		bound_ = fl::binding::make(table_->table(), nullptr);
	}

	static inline std::unique_ptr<ft::loaded_table> table_;
	fl::filter_stats stats_;
	fl::engine engine_{stats_};
	fl::binding_ptr bound_;
};

TEST_F(ReaddirBatchesTest, SeventyEntriesAreThreeBatchesWithDropsAndRewrites)
{
	std::vector<test_entry> entries;
	for (int i = 0; i < 70; i++) {
		std::string name = i % 10 == 3 ? "secret"
		                   : i == 40   ? "old"
		                               : "e" + std::to_string(i);
		entries.push_back({name, 1000u + i, 8, static_cast<std::uint64_t>(i + 1)});
	}
	auto ctx = ft::make_ctx<fusebpf_readdir_ctx>(FUSE_READDIRPLUS, 1);
	fl::user_io io;
	fl::pass p = engine_.begin(*bound_, ctx, io);
	ASSERT_FALSE(p.done());
	std::vector<std::string> dropped;
	int r = fl::filter_dir_entries(engine_, p, ctx, io, 0, entries, true,
	                               [&](test_entry &e) { dropped.push_back(e.name); });
	EXPECT_EQ(r, 0);
	EXPECT_EQ(entries.size(), 63u);
	EXPECT_EQ(dropped, std::vector<std::string>(7, "secret"));
	EXPECT_EQ(stats_.bpf_runs(FUSE_READDIRPLUS), 1u + 3u) << "one prefilter, 3 batches";
	bool renamed = false;
	for (const auto &e : entries) {
		EXPECT_NE(e.name, "secret");
		EXPECT_NE(e.name, "old");
		renamed = renamed || (e.name == "new" && e.ino == 1040);
	}
	EXPECT_TRUE(renamed);
	EXPECT_EQ(entries.front().name, "e0");
	EXPECT_EQ(entries.back().next_off, 70u);
}

TEST_F(ReaddirBatchesTest, EndOfDirectoryIsOneEmptyBatch)
{
	std::vector<test_entry> entries;
	auto ctx = ft::make_ctx<fusebpf_readdir_ctx>(FUSE_READDIR, 1);
	fl::user_io io;
	fl::pass p = engine_.begin(*bound_, ctx, io);
	EXPECT_EQ(fl::filter_dir_entries(engine_, p, ctx, io, 0, entries, false, [](auto &) {}), 0);
	EXPECT_TRUE(ctx.out.flags & FUSEBPF_READDIR_EOF);
	EXPECT_EQ(stats_.bpf_runs(FUSE_READDIR), 2u);
}

TEST_F(ReaddirBatchesTest, ABackingErrorDropsEverythingAndReachesThePostfilter)
{
	std::vector<test_entry> entries = {{"a", 1, 8, 1}, {"b", 2, 8, 2}};
	auto ctx = ft::make_ctx<fusebpf_readdir_ctx>(FUSE_READDIR, 1);
	fl::user_io io;
	fl::pass p = engine_.begin(*bound_, ctx, io);
	int drops = 0;
	EXPECT_EQ(fl::filter_dir_entries(engine_, p, ctx, io, EIO, entries, false,
	                                 [&](auto &) { drops++; }),
	          -EIO);
	EXPECT_TRUE(entries.empty());
	EXPECT_EQ(drops, 2);
	EXPECT_EQ(stats_.bpf_runs(FUSE_READDIR), 2u) << "the postfilter saw error_in";
}

} // namespace
