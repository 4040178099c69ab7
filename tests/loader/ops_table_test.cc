// SPDX-License-Identifier: GPL-2.0-or-later
//
// ops_table, the daemon's side of the loader: open a loaded table by name and
// by ID, answer "is there a program" without a syscall, run filters and get
// verdicts and rewritten contexts back, from this process and from a second
// process that only knows the map ID.
#include "loader/load.h"
#include "loader/ops_table.h"
#include "test_util.h"

#include "tests/support/process.h"

#include <fusebpf/filter_abi.h>

#include <bpf/bpf.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>

namespace ld = fusebpf::loader;
namespace lt = fusebpf::loader_test;

namespace {

class OpsTableTest : public ::testing::Test {
protected:
	void SetUp() override
	{
		ld::load_options o;
		o.name = guard_.name();
		auto t = ld::load_filter(LOADER_TEST_OBJ, o);
		ASSERT_TRUE(t) << t.message();
		info_ = std::move(*t);
	}

	lt::table_guard guard_{lt::unique_name("ops")};
	ld::table_info info_;
};

fusebpf_lookup_ctx lookup(const char *name)
{
	fusebpf_lookup_ctx ctx{};
	ctx.meta.nodeid = FUSE_ROOT_ID;
	ctx.meta.opcode = FUSE_LOOKUP | FUSE_PREFILTER;
	ctx.name.len = static_cast<__u32>(std::strlen(name));
	std::memcpy(ctx.name.name, name, ctx.name.len);
	return ctx;
}

TEST_F(OpsTableTest, OpenByNameAndByIdSeeTheSameSlots)
{
	auto by_name = ld::ops_table::open_by_name(guard_.name());
	ASSERT_TRUE(by_name) << by_name.message();
	auto by_id = ld::ops_table::open_by_id(info_.id);
	ASSERT_TRUE(by_id) << by_id.message();
	EXPECT_EQ(by_name->id(), info_.id);
	EXPECT_EQ(by_id->id(), info_.id);
	EXPECT_EQ(by_id->kind(), ld::ops_table::kind::prog_array);
	for (int op = 0; op < FUSEBPF_OP_COUNT; op++)
		for (auto side : {FUSEBPF_PRE, FUSEBPF_POST}) {
			auto o = static_cast<fusebpf_op>(op);
			bool filled = false;
			for (const auto &s : info_.slots)
				filled = filled || s.slot == fusebpf_slot(o, side);
			EXPECT_EQ(by_id->has_program(o, side), filled) << op << "/" << side;
			EXPECT_EQ(by_name->has_program(o, side), filled);
		}
	EXPECT_TRUE(by_id->has_default());
	EXPECT_TRUE(by_id->filters_op(FUSEBPF_OP_READDIR));
	EXPECT_FALSE(by_id->filters_op(FUSEBPF_OP_WRITE));
}

TEST_F(OpsTableTest, RunReturnsTheVerdictAndTheRewrittenContext)
{
	auto table = ld::ops_table::open_by_id(info_.id);
	ASSERT_TRUE(table) << table.message();

	auto hidden = lookup("secret");
	auto v = table->run(FUSEBPF_OP_LOOKUP, FUSEBPF_PRE, hidden);
	ASSERT_TRUE(v) << v.message();
	EXPECT_EQ(*v, -ENOENT);

	auto alias = lookup("alias");
	v = table->run(FUSEBPF_OP_LOOKUP, FUSEBPF_PRE, alias);
	ASSERT_TRUE(v) << v.message();
	EXPECT_EQ(*v, BPF_FUSE_CONTINUE);
	EXPECT_STREQ(alias.name.name, "target");
	EXPECT_EQ(alias.name.len, 6u);

	auto post = lookup("postman");
	v = table->run(FUSEBPF_OP_LOOKUP, FUSEBPF_PRE, post);
	ASSERT_TRUE(v);
	ASSERT_EQ(*v, BPF_FUSE_POSTFILTER);
	post.meta.opcode = FUSE_LOOKUP | FUSE_POSTFILTER;
	v = table->run(FUSEBPF_OP_LOOKUP, FUSEBPF_POST, post);
	ASSERT_TRUE(v);
	EXPECT_EQ(*v, BPF_FUSE_CONTINUE);
	EXPECT_EQ(post.out.entry.attr.size, 4242u);

	fusebpf_default_ctx def{};
	def.meta.opcode = FUSE_STATFS | FUSE_PREFILTER;
	v = table->run_default(def);
	ASSERT_TRUE(v);
	EXPECT_EQ(*v, BPF_FUSE_USER);
}

TEST_F(OpsTableTest, EmptySlotAndShortContextAreErrors)
{
	auto table = ld::ops_table::open_by_name(guard_.name());
	ASSERT_TRUE(table);
	fusebpf_open_ctx open{};
	auto none = table->run(FUSEBPF_OP_OPEN, FUSEBPF_PRE, open);
	ASSERT_FALSE(none);
	EXPECT_EQ(none.err().errno_value, ENOENT);
	EXPECT_NE(none.message().find("fuse_ops/open_prefilter"), std::string::npos);

	auto ctx = lookup("x");
	auto shorter = table->run(FUSEBPF_OP_LOOKUP, FUSEBPF_PRE, &ctx, sizeof(fusebpf_meta));
	ASSERT_FALSE(shorter);
	EXPECT_EQ(shorter.err().errno_value, EINVAL);
}

TEST_F(OpsTableTest, AMapThatIsNotATableIsRefused)
{
	std::uint32_t deny_id = 0;
	for (const auto &m : info_.maps)
		if (m.name == "deny_names")
			deny_id = m.id;
	ASSERT_NE(deny_id, 0u);
	auto t = ld::ops_table::open_by_id(deny_id);
	ASSERT_FALSE(t);
	EXPECT_NE(t.message().find("not a fusebpf ops table"), std::string::npos) << t.message();

	auto missing = ld::ops_table::open_by_name(lt::unique_name("nothere"));
	ASSERT_FALSE(missing);
	EXPECT_EQ(missing.err().errno_value, ENOENT);
}

TEST_F(OpsTableTest, AnOpenTableKeepsWorkingAfterUnload)
{
	auto table = ld::ops_table::open_by_id(info_.id);
	ASSERT_TRUE(table);
	ASSERT_TRUE(ld::unload_table(ld::default_pin_root, guard_.name()));
	auto ctx = lookup("secret");
	auto v = table->run(FUSEBPF_OP_LOOKUP, FUSEBPF_PRE, ctx);
	ASSERT_TRUE(v) << v.message();
	EXPECT_EQ(*v, -ENOENT);
}

TEST_F(OpsTableTest, PinnedMapsAreSharedWithTheFilters)
{
	// A user (or another program) updates the deny list through its pin.
	fusebpf::unique_fd deny(bpf_obj_get((info_.pin_dir + "/maps/deny_names").c_str()));
	ASSERT_TRUE(deny) << std::strerror(errno);
	char key[64] = "blocked";
	__u32 one = 1;
	ASSERT_EQ(bpf_map_update_elem(deny.get(), key, &one, BPF_ANY), 0) << std::strerror(errno);

	auto table = ld::ops_table::open_by_id(info_.id);
	ASSERT_TRUE(table);
	fusebpf_mkdir_ctx ctx{};
	ctx.meta.opcode = FUSE_MKDIR | FUSE_PREFILTER;
	ctx.name.len = 7;
	std::memcpy(ctx.name.name, "blocked", 7);
	auto v = table->run(FUSEBPF_OP_MKDIR, FUSEBPF_PRE, ctx);
	ASSERT_TRUE(v) << v.message();
	EXPECT_EQ(*v, -EACCES);
	ctx.name.len = 4;
	std::memcpy(ctx.name.name, "open", 5);
	v = table->run(FUSEBPF_OP_MKDIR, FUSEBPF_PRE, ctx);
	ASSERT_TRUE(v);
	EXPECT_EQ(*v, BPF_FUSE_CONTINUE);
}

nlohmann::json run_helper(std::uint32_t id, const std::string &name)
{
	auto r = fusebpf::test::run_command({RUN_HELPER, std::to_string(id), name});
	EXPECT_TRUE(r.exited_ok()) << r.describe() << ": " << r.err;
	return r.exited_ok() ? nlohmann::json::parse(r.out) : nlohmann::json{};
}

TEST_F(OpsTableTest, ASecondProcessOpensTheTableByIdAndRunsFilters)
{
	auto hidden = run_helper(info_.id, "secret");
	ASSERT_FALSE(hidden.is_null());
	EXPECT_EQ(hidden["table"], info_.id);
	EXPECT_EQ(hidden["has_lookup_pre"], true);
	EXPECT_EQ(hidden["has_open_pre"], false);
	EXPECT_EQ(hidden["verdict"], -ENOENT);

	auto alias = run_helper(info_.id, "alias");
	EXPECT_EQ(alias["verdict"], BPF_FUSE_CONTINUE);
	EXPECT_EQ(alias["name"], "target");
	EXPECT_EQ(alias["len"], 6);

	auto post = run_helper(info_.id, "postbox");
	EXPECT_EQ(post["verdict"], BPF_FUSE_POSTFILTER);
	EXPECT_EQ(post["post_verdict"], BPF_FUSE_CONTINUE);
	EXPECT_EQ(post["size"], 4242);
	EXPECT_EQ(post["nodeid"], 77);

	auto bad = fusebpf::test::run_command({RUN_HELPER, "4000000000", "x"});
	EXPECT_EQ(bad.exit_code(), 1);
	EXPECT_NE(bad.err.find("cannot open ops table map ID 4000000000"), std::string::npos)
	    << bad.err;
}

} // namespace
