// SPDX-License-Identifier: GPL-2.0-or-later
//
// The loader library against the kernel: load -> list -> inspect -> unload,
// the table and programs as bpftool sees them, every load error with its
// message (and nothing left pinned), knobs, and 100 load/unload rounds that
// must leave no fd and no pin behind.
#include "loader/load.h"
#include "loader/ops_table.h"
#include "loader/tables.h"
#include "test_util.h"

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

#include <fusebpf/filter_abi.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <fstream>

namespace ld = fusebpf::loader;
namespace lt = fusebpf::loader_test;

namespace {

bool contains(const std::string &haystack, const std::string &needle)
{
	return haystack.find(needle) != std::string::npos;
}

ld::load_options named(const std::string &name)
{
	ld::load_options o;
	o.name = name;
	return o;
}

const ld::slot_info *find_slot(const ld::table_info &t, std::uint32_t slot)
{
	for (const auto &s : t.slots)
		if (s.slot == slot)
			return &s;
	return nullptr;
}

TEST(Load, RoundTripLoadListInspectUnload)
{
	lt::table_guard guard(lt::unique_name("rt"));
	auto t = ld::load_filter(LOADER_TEST_OBJ, named(guard.name()));
	ASSERT_TRUE(t) << t.message();
	EXPECT_EQ(t->name, guard.name());
	EXPECT_GT(t->id, 0u);
	EXPECT_EQ(t->slot_count, static_cast<std::uint32_t>(FUSEBPF_SLOT_COUNT));
	EXPECT_EQ(t->pin_dir, "/sys/fs/bpf/fusebpf/" + guard.name());
	ASSERT_EQ(t->slots.size(), 8u);
	const auto *pre = find_slot(*t, fusebpf_slot(FUSEBPF_OP_LOOKUP, FUSEBPF_PRE));
	ASSERT_NE(pre, nullptr);
	EXPECT_EQ(pre->op, "lookup");
	EXPECT_EQ(pre->side, "pre");
	EXPECT_EQ(pre->section, "fuse_ops/lookup_prefilter");
	EXPECT_EQ(pre->program.name, "loader_test_lookup_prefilter"); // full name, from the pin
	EXPECT_EQ(pre->program.type, "syscall");
	EXPECT_GT(pre->program.verified_insns, 0u);
	EXPECT_GT(pre->program.xlated_insns, 0u);
	EXPECT_NE(find_slot(*t, FUSEBPF_SLOT_DEFAULT), nullptr);
	EXPECT_EQ(find_slot(*t, fusebpf_slot(FUSEBPF_OP_OPEN, FUSEBPF_PRE)), nullptr);
	std::vector<std::string> maps;
	for (const auto &m : t->maps)
		maps.push_back(m.name);
	EXPECT_NE(std::find(maps.begin(), maps.end(), "deny_names"), maps.end());
	EXPECT_NE(std::find(maps.begin(), maps.end(), "events"), maps.end());

	// list
	auto all = ld::list_tables();
	ASSERT_TRUE(all) << all.message();
	auto it = std::find_if(all->begin(), all->end(),
	                       [&](const ld::table_info &x) { return x.name == guard.name(); });
	ASSERT_NE(it, all->end());
	EXPECT_EQ(it->id, t->id);
	EXPECT_EQ(it->slots.size(), 8u);

	// inspect by ID
	auto name = ld::resolve_table(ld::default_pin_root, std::to_string(t->id));
	ASSERT_TRUE(name) << name.message();
	EXPECT_EQ(*name, guard.name());
	auto again = ld::read_table(ld::default_pin_root, *name);
	ASSERT_TRUE(again);
	EXPECT_EQ(again->id, t->id);

	// unload by ID
	auto st = ld::unload_table(ld::default_pin_root, std::to_string(t->id));
	ASSERT_TRUE(st) << st.message();
	EXPECT_FALSE(lt::table_pinned(guard.name()));
	auto gone = ld::resolve_table(ld::default_pin_root, guard.name());
	ASSERT_FALSE(gone);
	EXPECT_TRUE(contains(gone.message(), "no table named"));
	auto gone_id = ld::unload_table(ld::default_pin_root, std::to_string(t->id));
	ASSERT_FALSE(gone_id);
	EXPECT_TRUE(contains(gone_id.message(), "no loaded table has map ID"));
}

TEST(Load, BpftoolSeesTheTableAndProgramsByID)
{
	lt::table_guard guard(lt::unique_name("bpftool"));
	auto t = ld::load_filter(LOADER_TEST_OBJ, named(guard.name()));
	ASSERT_TRUE(t) << t.message();

	auto map =
	    fusebpf::test::run_command({BPFTOOL, "map", "show", "id", std::to_string(t->id)});
	ASSERT_TRUE(map.exited_ok()) << map.describe() << map.err;
	EXPECT_TRUE(contains(map.out, "prog_array")) << map.out;
	EXPECT_TRUE(contains(map.out, "max_entries " + std::to_string(FUSEBPF_SLOT_COUNT)))
	    << map.out;
	EXPECT_TRUE(contains(map.out, "owner_prog_type syscall")) << map.out;

	for (const auto &s : t->slots) {
		auto prog = fusebpf::test::run_command(
		    {BPFTOOL, "prog", "show", "id", std::to_string(s.program.id)});
		ASSERT_TRUE(prog.exited_ok()) << prog.describe() << prog.err;
		EXPECT_TRUE(contains(prog.out, "syscall")) << prog.out;
		EXPECT_TRUE(contains(prog.out, s.program.name.substr(0, 15))) << prog.out;
	}
	// The pins are where the loader says.
	auto pinned =
	    fusebpf::test::run_command({BPFTOOL, "map", "show", "pinned", t->pin_dir + "/table"});
	ASSERT_TRUE(pinned.exited_ok()) << pinned.err;
	EXPECT_TRUE(contains(pinned.out, std::to_string(t->id) + ": prog_array")) << pinned.out;
}

TEST(Load, SameNameTwiceIsRefusedAndTheFirstStays)
{
	lt::table_guard guard(lt::unique_name("twice"));
	auto first = ld::load_filter(LOADER_TEST_OBJ, named(guard.name()));
	ASSERT_TRUE(first) << first.message();
	auto second = ld::load_filter(LOADER_TEST_OBJ, named(guard.name()));
	ASSERT_FALSE(second);
	EXPECT_EQ(second.err().errno_value, EEXIST);
	EXPECT_TRUE(contains(second.message(), "already loaded")) << second.message();
	EXPECT_TRUE(contains(second.message(), "map ID " + std::to_string(first->id)));
	EXPECT_TRUE(contains(second.message(), "--name")) << second.message();
	auto still = ld::read_table(ld::default_pin_root, guard.name());
	ASSERT_TRUE(still);
	EXPECT_EQ(still->id, first->id);
	EXPECT_EQ(still->slots.size(), 8u);
}

TEST(Load, DefaultNameComesFromTheObject)
{
	// Only if no other run has "loader_test" loaded right now.
	if (lt::table_pinned("loader_test"))
		GTEST_SKIP() << "a table named loader_test is loaded by someone else";
	lt::table_guard guard("loader_test");
	auto t = ld::load_filter(LOADER_TEST_OBJ);
	ASSERT_TRUE(t) << t.message();
	EXPECT_EQ(t->name, "loader_test");
}

struct error_case {
	const char *what;
	std::string object;
	std::vector<std::string> expected;
	int errno_value;
};

void expect_load_error(const error_case &c)
{
	SCOPED_TRACE(c.what);
	std::string name = lt::unique_name("err");
	lt::table_guard guard(name);
	auto t = ld::load_filter(c.object, named(name));
	ASSERT_FALSE(t) << "loaded " << c.object;
	for (const auto &needle : c.expected)
		EXPECT_TRUE(contains(t.message(), needle)) << "missing '" << needle << "' in:\n"
		                                           << t.message();
	if (c.errno_value) {
		EXPECT_EQ(t.err().errno_value, c.errno_value);
	}
	EXPECT_FALSE(lt::table_pinned(name)) << "a failed load left pins";
}

// check_filter() runs steps "open" and "check" alone: the slots and name a
// load would use, the same errors, and nothing pinned or loaded.
TEST(CheckFilter, NamesTheSlotsWithoutLoading)
{
	lt::table_guard guard(lt::unique_name("chk"));
	auto c = ld::check_filter(LOADER_TEST_OBJ, named(guard.name()));
	ASSERT_TRUE(c) << c.message();
	EXPECT_EQ(c->name, guard.name());
	EXPECT_EQ(c->slots.size(), 8u);
	EXPECT_NE(std::find(c->slots.begin(), c->slots.end(),
	                    fusebpf_slot(FUSEBPF_OP_LOOKUP, FUSEBPF_PRE)),
	          c->slots.end());
	EXPECT_FALSE(lt::table_pinned(guard.name())) << "check_filter pinned a table";

	auto future = ld::check_filter(ABI_FUTURE_OBJ);
	ASSERT_FALSE(future);
	EXPECT_EQ(future.err().errno_value, EPROTO);
	auto unknown = ld::check_filter(UNKNOWN_OP_OBJ);
	ASSERT_FALSE(unknown);
	EXPECT_TRUE(contains(unknown.message(), "unknown op 'frobnicate'")) << unknown.message();
	auto host = ld::check_filter("/bin/true");
	ASSERT_FALSE(host);
	EXPECT_EQ(host.err().errno_value, ENOEXEC);
}

TEST(LoadErrors, NotABpfObject)
{
	fusebpf::test::temp_dir dir("loader");
	ASSERT_TRUE(dir) << dir.error();
	std::string text = dir.path() + "/notes.bpf.o";
	std::ofstream(text) << "this is not an object\n";
	std::string empty = dir.path() + "/empty.bpf.o";
	std::ofstream(empty).flush();
	expect_load_error(
	    {"text", text, {text, "is not a BPF object", "not an ELF file"}, ENOEXEC});
	expect_load_error({"empty", empty, {"is not a BPF object"}, ENOEXEC});
	expect_load_error({"host ELF",
	                   "/bin/true",
	                   {"is not a BPF object", "ELF file for machine", "fusebpf build"},
	                   ENOEXEC});
	expect_load_error({"missing", dir.path() + "/nothing.bpf.o", {"cannot open"}, ENOENT});
}

TEST(LoadErrors, NoFuseOpsProgram)
{
	expect_load_error(
	    {"no fuse_ops",
	     NO_FUSE_OPS_OBJ,
	     {"has no fuse_ops program", "fuse_ops/<op>_prefilter", "FUSEBPF_PREFILTER"},
	     ENOENT});
}

TEST(LoadErrors, UnknownOpInASectionName)
{
	expect_load_error({"unknown op",
	                   UNKNOWN_OP_OBJ,
	                   {"unknown op 'frobnicate'", "unknown_op_frobnicate_prefilter",
	                    "fuse_ops/frobnicate_prefilter", "Known ops", "lookup, getattr"},
	                   EINVAL});
}

TEST(LoadErrors, AbiVersionMismatch)
{
	expect_load_error(
	    {"future ABI",
	     ABI_FUTURE_OBJ,
	     {"ABI version mismatch", "ABI version " + std::to_string(FUSEBPF_ABI_VERSION + 98),
	      "speaks ABI version " + std::to_string(FUSEBPF_ABI_VERSION)},
	     EPROTO});
	expect_load_error({"no ABI",
	                   NO_ABI_OBJ,
	                   {"records no fusebpf ABI version", "FUSEBPF_OPS_DEFINE"},
	                   EINVAL});
}

TEST(LoadErrors, VerifierRejectionShowsTheLogAndTheSourceLine)
{
	std::string source = std::string(LOADER_TEST_SOURCE);
	source = source.substr(0, source.rfind('/')) + "/bad_verifier.bpf.c";
	int line = lt::line_of(source, "BAD ACCESS");
	ASSERT_GT(line, 0);
	expect_load_error(
	    {"verifier",
	     BAD_VERIFIER_OBJ,
	     {"verifier rejected program 'bad_verifier_lookup_prefilter'",
	      "(section fuse_ops/lookup_prefilter)", "Permission denied",
	      "at bad_verifier.bpf.c:" + std::to_string(line) + ": return ctx->name.name[last]",
	      "verifier log (last", "disallowed", "hint: a syscall program cannot index",
	      "fusebpf load -v"},
	     EACCES});
}

TEST(LoadErrors, InvalidNamesAndKnobs)
{
	auto bad = ld::load_filter(LOADER_TEST_OBJ, named("has.dot"));
	ASSERT_FALSE(bad);
	EXPECT_TRUE(contains(bad.message(), "invalid table name 'has.dot'")) << bad.message();

	std::string name = lt::unique_name("knob");
	lt::table_guard guard(name);
	auto o = named(name);
	o.rodata["no_such_knob"] = std::string(4, '\0');
	auto missing = ld::load_filter(LOADER_TEST_OBJ, o);
	ASSERT_FALSE(missing);
	EXPECT_TRUE(contains(missing.message(), "no read-only global 'no_such_knob'"));
	o.rodata.clear();
	o.rodata["loader_test_clear_mode"] = std::string(2, '\0');
	auto wrong_size = ld::load_filter(LOADER_TEST_OBJ, o);
	ASSERT_FALSE(wrong_size);
	EXPECT_TRUE(contains(wrong_size.message(), "is 4 bytes")) << wrong_size.message();
	EXPECT_FALSE(lt::table_pinned(name));
}

TEST(LoadErrors, PinRootMustBeOnBpffs)
{
	fusebpf::test::temp_dir dir("pinroot");
	ASSERT_TRUE(dir) << dir.error();
	auto o = named(lt::unique_name("root"));
	o.pin_root = dir.path() + "/pins";
	auto t = ld::load_filter(LOADER_TEST_OBJ, o);
	ASSERT_FALSE(t);
	EXPECT_TRUE(contains(t.message(), "is not on a bpffs")) << t.message();
}

TEST(Load, KnobsAreAppliedBeforeLoad)
{
	std::string name = lt::unique_name("knob");
	lt::table_guard guard(name);
	auto o = named(name);
	__u32 clear = 0; // clear no mode bits
	o.rodata["loader_test_clear_mode"] = std::string(reinterpret_cast<char *>(&clear), 4);
	auto t = ld::load_filter(LOADER_TEST_OBJ, o);
	ASSERT_TRUE(t) << t.message();
	auto table = ld::ops_table::open_by_name(name);
	ASSERT_TRUE(table) << table.message();
	fusebpf_getattr_ctx ctx{};
	ctx.out.attr.mode = 0100666;
	auto v = table->run(FUSEBPF_OP_GETATTR, FUSEBPF_POST, ctx);
	ASSERT_TRUE(v) << v.message();
	EXPECT_EQ(ctx.out.attr.mode, 0100666u);
}

TEST(Load, HundredLoadUnloadRoundsLeaveNoFdAndNoPin)
{
	// Warm up once: libbpf and spdlog keep process-wide state (not fds).
	{
		lt::table_guard warm(lt::unique_name("warm"));
		ASSERT_TRUE(ld::load_filter(LOADER_TEST_OBJ, named(warm.name())));
	}
	int fds_before = lt::count_open_fds();
	ASSERT_GT(fds_before, 0);
	std::string prefix = lt::unique_name("leak");
	for (int i = 0; i < 100; i++) {
		std::string name = prefix + "_" + std::to_string(i);
		lt::table_guard guard(name);
		auto t = ld::load_filter(LOADER_TEST_OBJ, named(name));
		ASSERT_TRUE(t) << "round " << i << ": " << t.message();
		{
			auto table = ld::ops_table::open_by_id(t->id);
			ASSERT_TRUE(table) << table.message();
			fusebpf_default_ctx ctx{};
			ASSERT_TRUE(table->run_default(ctx));
		}
		auto st = ld::unload_table(ld::default_pin_root, name);
		ASSERT_TRUE(st) << "round " << i << ": " << st.message();
		ASSERT_FALSE(lt::table_pinned(name)) << "round " << i;
	}
	EXPECT_EQ(lt::count_open_fds(), fds_before);
	auto all = ld::list_tables();
	ASSERT_TRUE(all);
	for (const auto &t : *all)
		EXPECT_FALSE(t.name.starts_with(prefix)) << t.name << " left behind";
}

} // namespace
