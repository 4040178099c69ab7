// SPDX-License-Identifier: GPL-2.0-or-later
//
// Bindings: inheritance through binding points, subtree attach, detach and
// re-parenting, and live replacement of a table while several threads run
// ops through the engine (no op may fail, each runs wholly under one table).
#include "daemon/filter/binding_source.h"
#include "filter_test_util.h"

#include <sys/stat.h>

#include <atomic>
#include <thread>
#include <vector>

namespace fl = fusebpf::filter;
namespace ft = fusebpf::filter_test;

namespace {

class BindingTest : public ::testing::Test {
protected:
	static void SetUpTestSuite()
	{
		engine_table_ = std::make_unique<ft::loaded_table>(ENGINE_TEST_OBJ, "bind_a");
		lookup_only_table_ = std::make_unique<ft::loaded_table>(LOOKUP_ONLY_OBJ, "bind_b");
	}
	static void TearDownTestSuite()
	{
		engine_table_.reset();
		lookup_only_table_.reset();
	}
	void SetUp() override
	{
		ASSERT_TRUE(engine_table_->table()) << engine_table_->error();
		ASSERT_TRUE(lookup_only_table_->table()) << lookup_only_table_->error();
		a_ = fl::binding::make(engine_table_->table(), nullptr);
		b_ = fl::binding::make(lookup_only_table_->table(), nullptr);
	}

	static inline std::unique_ptr<ft::loaded_table> engine_table_;
	static inline std::unique_ptr<ft::loaded_table> lookup_only_table_;
	fl::binding_ptr a_, b_;
};

TEST_F(BindingTest, ChildrenInheritAndSubtreesOverride)
{
	fl::binding_tree tree;
	EXPECT_EQ(tree.root()->resolve(), fl::binding::none()) << "nothing bound at first";
	tree.root()->set(a_);
	auto dir = tree.make_child(tree.root());
	auto sub = tree.make_child(dir);
	auto subsub = tree.make_child(sub);
	EXPECT_EQ(subsub->resolve(), a_) << "inherited from the root";
	EXPECT_FALSE(sub->attached());

	sub->set(b_); // attach another table to the subtree
	EXPECT_EQ(dir->resolve(), a_);
	EXPECT_EQ(sub->resolve(), b_);
	EXPECT_EQ(subsub->resolve(), b_) << "looked up before the attach, sees it at once";

	sub->set(fl::binding::none()); // detach: the subtree runs without filters
	EXPECT_FALSE(subsub->resolve()->active());
	EXPECT_EQ(dir->resolve(), a_);

	sub->clear(); // inherit again
	EXPECT_EQ(subsub->resolve(), a_);

	tree.root()->set(b_); // replace the mount's table
	EXPECT_EQ(subsub->resolve(), b_);

	// A directory renamed into a subtree with another table follows it.
	auto other = tree.make_child(tree.root());
	other->set(a_);
	sub->reparent(other);
	EXPECT_EQ(subsub->resolve(), a_);
	EXPECT_EQ(sub->parent(), other);
}

TEST_F(BindingTest, DescriptionsAndGenerations)
{
	EXPECT_EQ(fl::binding::none()->description(), "none");
	// The kernel map name: the table name cut to 15 characters.
	EXPECT_NE(a_->description().find(engine_table_->name().substr(0, 15)), std::string::npos)
	    << a_->description();
	EXPECT_NE(a_->description().find("map ID " + std::to_string(engine_table_->table()->id())),
	          std::string::npos);
	auto again = fl::binding::make(engine_table_->table(), nullptr);
	EXPECT_GT(again->generation(), a_->generation());
}

TEST_F(BindingTest, TablesOpenByNameOrIdAndChildDecisionsBecomeBindings)
{
	auto by_name = fl::open_table(engine_table_->name());
	ASSERT_TRUE(by_name) << by_name.message();
	std::uint32_t id = engine_table_->table()->id();
	auto by_id = fl::open_table(std::to_string(id));
	ASSERT_TRUE(by_id) << by_id.message();
	EXPECT_EQ((*by_name)->id(), id);
	EXPECT_EQ((*by_id)->id(), id);
	auto missing = fl::open_table("no_such_table_here");
	ASSERT_FALSE(missing);
	EXPECT_NE(missing.message().find("no_such_table_here"), std::string::npos);
	EXPECT_FALSE(fl::open_table("99999999999"));
	EXPECT_FALSE(fl::open_table(""));

	fl::child_decision d;
	auto inherit = fl::binding_for(d, nullptr);
	ASSERT_TRUE(inherit);
	EXPECT_EQ(*inherit, nullptr);
	d.table = fl::child_decision::table_action::remove;
	EXPECT_EQ(*fl::binding_for(d, nullptr), fl::binding::none());
	d.table = fl::child_decision::table_action::replace;
	d.table_ref = lookup_only_table_->name();
	auto replaced = fl::binding_for(d, nullptr);
	ASSERT_TRUE(replaced) << replaced.message();
	EXPECT_TRUE((*replaced)->wants(FUSEBPF_OP_LOOKUP));
	EXPECT_FALSE((*replaced)->wants(FUSEBPF_OP_GETATTR));

	auto j = fl::describe(**replaced);
	EXPECT_EQ(j["table"]["id"], lookup_only_table_->table()->id());
	EXPECT_EQ(j["ops"], nlohmann::json::array({"lookup"}));
	EXPECT_TRUE(j["user_filter"].is_null());
	EXPECT_TRUE(fl::describe(*fl::binding::none())["table"].is_null());
}

// Four workers run getattr (POSTFILTER under table A: write bits cleared;
// no program under table B; nothing with no table) and lookups through a
// deep point while a fifth thread keeps replacing, detaching and
// re-attaching the root's table.  Every op must succeed, and each getattr
// answer must be one a single binding gives.
TEST_F(BindingTest, LiveReplacementUnderConcurrentOpsFailsNoOp)
{
	fl::filter_stats stats;
	fl::engine eng(stats);
	fl::binding_tree tree;
	tree.root()->set(a_);
	auto leaf = tree.make_child(tree.make_child(tree.root()));

	std::atomic<bool> stop{false};
	std::atomic<std::uint64_t> ops{0}, failures{0}, masked{0}, unmasked{0}, replacements{0};
	auto worker = [&] {
		while (!stop.load(std::memory_order_relaxed)) {
			fl::binding_ptr b = leaf->resolve();
			fl::user_io io;
			auto g = ft::make_ctx<fusebpf_getattr_ctx>(FUSE_GETATTR, 1003);
			auto backing = [](fusebpf_getattr_ctx &c) {
				c.out.attr.mode = S_IFREG | 0666;
				return 0;
			};
			int r =
			    b->wants(FUSEBPF_OP_GETATTR) ? eng.run(*b, g, io, backing) : backing(g);
			if (r != 0)
				failures++;
			else if (g.out.attr.mode == (S_IFREG | 0444))
				masked++;
			else if (g.out.attr.mode == (S_IFREG | 0666))
				unmasked++;
			else
				failures++;
			auto l = ft::lookup_ctx("plain", 1);
			b = leaf->resolve();
			if (b->wants(FUSEBPF_OP_LOOKUP) &&
			    eng.run(*b, l, io, [](auto &) { return 0; }) != 0)
				failures++;
			ops += 2;
		}
	};
	std::vector<std::thread> threads;
	for (int i = 0; i < 4; i++)
		threads.emplace_back(worker);
	std::thread replacer([&] {
		for (int i = 0; i < 600; i++) {
			switch (i % 3) {
			case 0:
				tree.root()->set(b_);
				break;
			case 1:
				tree.root()->set(fl::binding::none());
				break;
			default:
				// A fresh binding of table A each time: old ones
				// die while ops may still hold them.
				tree.root()->set(
				    fl::binding::make(engine_table_->table(), nullptr));
				break;
			}
			replacements++;
			std::this_thread::sleep_for(std::chrono::microseconds(200));
		}
		stop = true;
	});
	replacer.join();
	for (auto &t : threads)
		t.join();
	EXPECT_EQ(failures.load(), 0u);
	EXPECT_GT(ops.load(), 1000u);
	EXPECT_GT(masked.load(), 0u) << "table A answered some getattrs";
	EXPECT_GT(unmasked.load(), 0u) << "table B / none answered others";
	EXPECT_EQ(replacements.load(), 600u);
	EXPECT_EQ(stats.total_errors(fl::filter_error::run_failure), 0u);
	EXPECT_EQ(stats.total_errors(fl::filter_error::invalid_verdict), 0u);
	std::printf("[          ] %llu ops across %llu table replacements\n",
	            (unsigned long long)ops.load(), (unsigned long long)replacements.load());
}

} // namespace
