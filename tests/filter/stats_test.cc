// SPDX-License-Identifier: GPL-2.0-or-later
//
// op_traits against filter_abi.h, and the stats' JSON (the shape
// contracts.md's "ops" object grows by) and human table.
#include "daemon/filter/filter_stats.h"
#include "daemon/filter/op_traits.h"

#include <gtest/gtest.h>

namespace fl = fusebpf::filter;

namespace {

TEST(OpTraits, AgreeWithTheFilterAbi)
{
	// Every opcode fusebpf_op_of_opcode() maps is listed, with the same op.
	for (std::uint32_t opcode = 0; opcode < FUSE_OPCODE_MAX; opcode++) {
		fusebpf_op op = fusebpf_op_of_opcode(opcode);
		const char *name = fl::filtered_opcode_name(opcode);
		EXPECT_EQ(op != FUSEBPF_OP_NONE, name != nullptr) << opcode;
	}
	for (const auto &e : fl::filtered_opcodes)
		EXPECT_EQ(fusebpf_op_of_opcode(e.opcode), e.op) << e.name;
	static_assert(fl::op_of<fusebpf_lookup_ctx> == FUSEBPF_OP_LOOKUP);
	static_assert(fl::op_of<fusebpf_setlk_ctx> == FUSEBPF_OP_SETLK);
	static_assert(fl::has_out<fusebpf_lookup_ctx> && !fl::has_out<fusebpf_unlink_ctx>);
	static_assert(fl::inputs_size<fusebpf_lookup_ctx>() == 328);
	EXPECT_EQ(fl::op_name(FUSEBPF_OP_COPY_FILE_RANGE), "copy_file_range");
	EXPECT_STREQ(fl::filtered_opcode_name(FUSE_RENAME2 | FUSE_POSTFILTER), "RENAME2");
}

TEST(FilterStats, JsonHasEveryFilteredOpcodeAndMergesIntoOps)
{
	fl::filter_stats s;
	s.count_filtered(FUSE_LOOKUP);
	s.count_bpf_run(FUSE_LOOKUP);
	s.count_verdict(FUSE_LOOKUP, fl::kind_of_verdict(-2));
	s.count_verdict(FUSE_LOOKUP, fl::kind_of_verdict(BPF_FUSE_POSTFILTER));
	s.count_user(FUSE_LOOKUP, fl::user_call::postfilter);
	s.count_error(FUSE_LOOKUP, fl::filter_error::invalid_verdict);
	s.record_latency(FUSE_LOOKUP, 1500); // bucket 10: [1024, 2048)
	auto j = s.to_json();
	ASSERT_TRUE(j.contains("LOOKUP"));
	ASSERT_TRUE(j.contains("READDIRPLUS"));
	ASSERT_TRUE(j.contains("SETLKW"));
	EXPECT_FALSE(j.contains("INIT"));
	auto &l = j["LOOKUP"];
	EXPECT_EQ(l["filtered"], 1);
	EXPECT_EQ(l["bpf_runs"], 1);
	EXPECT_EQ(l["verdicts"]["errno"], 1);
	EXPECT_EQ(l["verdicts"]["POSTFILTER"], 1);
	EXPECT_EQ(l["verdicts"]["CONTINUE"], 0);
	EXPECT_EQ(l["user_fallbacks"], 1);
	EXPECT_EQ(l["user"]["postfilter"], 1);
	EXPECT_EQ(l["filter_errors"]["invalid_verdict"], 1);
	ASSERT_EQ(l["latency_ns_log2"].size(), static_cast<std::size_t>(fl::latency_buckets));
	EXPECT_EQ(l["latency_ns_log2"][10], 1);

	// Merging keeps the daemon's fields.
	nlohmann::json ops = {{"LOOKUP", {{"requests", 5}, {"errors", 1}}},
	                      {"INIT", {{"requests", 1}}}};
	s.merge_into(ops);
	EXPECT_EQ(ops["LOOKUP"]["requests"], 5);
	EXPECT_EQ(ops["LOOKUP"]["errors"], 1);
	EXPECT_EQ(ops["LOOKUP"]["filtered"], 1);
	EXPECT_FALSE(ops["INIT"].contains("filtered"));
	EXPECT_TRUE(ops["GETATTR"].contains("verdicts"));
}

TEST(FilterStats, LatencyBucketsAndTable)
{
	EXPECT_EQ(fl::latency_bucket(0), 0);
	EXPECT_EQ(fl::latency_bucket(1), 0);
	EXPECT_EQ(fl::latency_bucket(2), 1);
	EXPECT_EQ(fl::latency_bucket(1023), 9);
	EXPECT_EQ(fl::latency_bucket(1024), 10);
	EXPECT_EQ(fl::latency_bucket(~0ull), fl::latency_buckets - 1);
	EXPECT_EQ(fl::kind_of_verdict(6), fl::verdict_kind::count_);

	fl::filter_stats s;
	s.count_filtered(FUSE_MKDIR);
	s.record_latency(FUSE_MKDIR, 3000);
	std::string t = s.to_table();
	EXPECT_NE(t.find("OP"), std::string::npos);
	EXPECT_NE(t.find("MKDIR"), std::string::npos);
	EXPECT_NE(t.find("4096"), std::string::npos) << t; // median bucket's upper bound
	EXPECT_EQ(t.find("LOOKUP"), std::string::npos) << "rows only for filtered opcodes";
}

} // namespace
