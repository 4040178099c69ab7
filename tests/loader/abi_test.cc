// SPDX-License-Identifier: GPL-2.0-or-later
//
// The filter ABI without a kernel: verdict and decoration values (they must
// stay the patch sets'), slot numbering, opcode -> op mapping, section name
// parsing, verifier log summaries, names.  These guard the append-only
// contract: a change here breaks every filter already built.
#include "loader/filter_build.h"
#include "loader/ops_table.h"
#include "loader/sections.h"
#include "loader/verifier_log.h"

#include <fusebpf/filter_abi.h>

#include <gtest/gtest.h>

namespace ld = fusebpf::loader;

TEST(FilterAbi, VerdictsAndDecorationsHaveThePatchSetValues)
{
	EXPECT_EQ(BPF_FUSE_CONTINUE, 0);
	EXPECT_EQ(BPF_FUSE_USER, 1);
	EXPECT_EQ(BPF_FUSE_USER_PREFILTER, 2);
	EXPECT_EQ(BPF_FUSE_POSTFILTER, 3);
	EXPECT_EQ(BPF_FUSE_USER_POSTFILTER, 4);
	EXPECT_EQ(BPF_FUSE_CALL_DEFAULT, 5);
	EXPECT_EQ(FUSE_PREFILTER, 0x10000);
	EXPECT_EQ(FUSE_POSTFILTER, 0x20000);
	EXPECT_EQ(FUSE_OPCODE_FILTER, 0xffff);
}

TEST(FilterAbi, SlotsAreDefaultThenPrePostPerOp)
{
	EXPECT_EQ(FUSEBPF_SLOT_DEFAULT, 0);
	EXPECT_EQ(fusebpf_slot(FUSEBPF_OP_LOOKUP, FUSEBPF_PRE), 1u);
	EXPECT_EQ(fusebpf_slot(FUSEBPF_OP_LOOKUP, FUSEBPF_POST), 2u);
	EXPECT_EQ(fusebpf_slot(FUSEBPF_OP_SETLK, FUSEBPF_POST), 66u);
	EXPECT_EQ(FUSEBPF_SLOT_COUNT, 67);
}

TEST(FilterAbi, EveryOpHasANameAndRoundTripsThroughItsSections)
{
	for (int op = 0; op < FUSEBPF_OP_COUNT; op++) {
		std::string name(ld::op_name(op));
		ASSERT_FALSE(name.empty()) << op;
		EXPECT_EQ(ld::op_from_name(name), op);
		for (auto side : {FUSEBPF_PRE, FUSEBPF_POST}) {
			std::uint32_t slot = fusebpf_slot(static_cast<fusebpf_op>(op), side);
			std::string section = ld::section_of_slot(slot);
			EXPECT_EQ(section,
			          "fuse_ops/" + name +
			              (side == FUSEBPF_PRE ? "_prefilter" : "_postfilter"));
			auto parsed = ld::slot_of_section(section, "p");
			ASSERT_TRUE(parsed) << parsed.message();
			EXPECT_EQ(*parsed, slot);
		}
	}
	auto def = ld::slot_of_section("fuse_ops/default_filter", "p");
	ASSERT_TRUE(def);
	EXPECT_EQ(*def, 0u);
}

TEST(FilterAbi, SharedOpcodesMapToOneOp)
{
	EXPECT_EQ(fusebpf_op_of_opcode(FUSE_RENAME), FUSEBPF_OP_RENAME);
	EXPECT_EQ(fusebpf_op_of_opcode(FUSE_RENAME2), FUSEBPF_OP_RENAME);
	EXPECT_EQ(fusebpf_op_of_opcode(FUSE_READDIRPLUS), FUSEBPF_OP_READDIR);
	EXPECT_EQ(fusebpf_op_of_opcode(FUSE_SETLKW), FUSEBPF_OP_SETLK);
	EXPECT_EQ(fusebpf_op_of_opcode(FUSE_LOOKUP | FUSE_POSTFILTER), FUSEBPF_OP_LOOKUP);
	EXPECT_EQ(fusebpf_op_of_opcode(FUSE_INIT), FUSEBPF_OP_NONE);
	EXPECT_EQ(fusebpf_op_of_opcode(FUSE_FORGET), FUSEBPF_OP_NONE);
	// Every op is reachable from some opcode.
	bool seen[FUSEBPF_OP_COUNT] = {};
	for (unsigned opcode = 0; opcode < FUSE_OPCODE_MAX; opcode++)
		if (int op = fusebpf_op_of_opcode(opcode); op >= 0)
			seen[op] = true;
	for (int op = 0; op < FUSEBPF_OP_COUNT; op++)
		EXPECT_TRUE(seen[op]) << ld::op_name(op);
}

TEST(FilterAbi, ContextLayoutIsStable)
{
	EXPECT_EQ(sizeof(fusebpf_meta), 64u);
	EXPECT_EQ(offsetof(fusebpf_lookup_ctx, name), 64u);
	EXPECT_EQ(offsetof(fusebpf_lookup_ctx, out), 328u);
	EXPECT_EQ(offsetof(fusebpf_getattr_ctx, in), 64u);
	EXPECT_EQ(offsetof(fusebpf_rename_ctx, old_name), 80u);
	EXPECT_EQ(offsetof(fusebpf_rename_ctx, new_name), 344u);
	EXPECT_LT(sizeof(fusebpf_readdir_ctx), 65536u);
}

TEST(Sections, UnknownOpIsNamedWithTheKnownOps)
{
	auto r = ld::slot_of_section("fuse_ops/frob_prefilter", "prog_x");
	ASSERT_FALSE(r);
	EXPECT_NE(r.message().find("unknown op 'frob'"), std::string::npos) << r.message();
	EXPECT_NE(r.message().find("prog_x"), std::string::npos);
	EXPECT_NE(r.message().find("lookup, getattr"), std::string::npos);
}

TEST(Sections, MalformedSectionsAreRefused)
{
	for (const char *s : {"fuse_ops/lookup", "fuse_ops/lookup_pre", "fuse_ops/", "kprobe/x"}) {
		auto r = ld::slot_of_section(s, "p");
		EXPECT_FALSE(r) << s;
	}
}

TEST(VerifierLog, SummaryHasTheSourceLineLocationAndHint)
{
	const char *log = "func#0 @0\n"
	                  "0: R1=ctx() R10=fp0\n"
	                  "; __u32 last = ctx->name.len; @ f.bpf.c:13\n"
	                  "0: (61) r2 = *(u32 *)(r1 +64)\n"
	                  "; return ctx->name.name[last]; @ f.bpf.c:15\n"
	                  "3: (0f) r1 += r2\n"
	                  "variable ctx access var_off=(0x0; 0xff) disallowed\n"
	                  "processed 4 insns (limit 1000000) max_states_per_insn 0\n";
	auto s = ld::summarize_verifier_log(log);
	EXPECT_EQ(s.source, "return ctx->name.name[last];");
	EXPECT_EQ(s.location, "f.bpf.c:15");
	EXPECT_NE(s.hint.find("fusebpf_name_copy"), std::string::npos);
	ASSERT_FALSE(s.tail.empty());
	EXPECT_EQ(s.tail.back(), "variable ctx access var_off=(0x0; 0xff) disallowed");
	std::string text = ld::format_verifier_summary(s);
	EXPECT_NE(text.find("at f.bpf.c:15: return ctx->name.name[last];"), std::string::npos)
	    << text;
}

TEST(VerifierLog, TailIsBounded)
{
	std::string log;
	for (int i = 0; i < 100; i++)
		log += std::to_string(i) + ": (b7) r0 = 0\n";
	auto s = ld::summarize_verifier_log(log, 5);
	ASSERT_EQ(s.tail.size(), 5u);
	EXPECT_EQ(s.tail.front(), "95: (b7) r0 = 0");
	EXPECT_TRUE(s.source.empty());
}

TEST(Names, VerdictNames)
{
	EXPECT_EQ(ld::verdict_name(0), "CONTINUE");
	EXPECT_EQ(ld::verdict_name(3), "POSTFILTER");
	EXPECT_EQ(ld::verdict_name(-2), "-ENOENT");
	EXPECT_EQ(ld::verdict_name(9), "invalid(9)");
}

TEST(Names, TableNames)
{
	EXPECT_TRUE(ld::check_table_name("hide-2_x"));
	EXPECT_FALSE(ld::check_table_name(""));
	EXPECT_FALSE(ld::check_table_name("a.b")); // bpffs reserves dots
	EXPECT_FALSE(ld::check_table_name("a/b"));
	EXPECT_FALSE(ld::check_table_name("1234")); // a map ID
	EXPECT_FALSE(ld::check_table_name(std::string(64, 'a')));
}

TEST(Names, BuildOutput)
{
	EXPECT_EQ(ld::default_build_output("/x/hide.bpf.c"), "/x/hide.bpf.o");
	EXPECT_EQ(ld::default_build_output("f.c"), "f.bpf.o");
}
