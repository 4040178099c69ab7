// SPDX-License-Identifier: GPL-2.0-or-later
//
// The loader commands of the `fusebpf` CLI, run as a user would: build a
// filter outside the tree, load it (--json), list, inspect by name and ID,
// unload; errors exit 1 with the library's message, usage errors exit 2.
#include "test_util.h"

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

#include <fusebpf/filter_abi.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

namespace lt = fusebpf::loader_test;
using fusebpf::test::cli_path;
using fusebpf::test::run_command;
using nlohmann::json;

namespace {

bool contains(const std::string &haystack, const std::string &needle)
{
	return haystack.find(needle) != std::string::npos;
}

json parse(const std::string &text)
{
	auto j = json::parse(text, nullptr, false);
	EXPECT_FALSE(j.is_discarded()) << text;
	return j;
}

TEST(Cli, LoadListInspectUnloadRoundTrip)
{
	lt::table_guard guard(lt::unique_name("cli"));
	auto load =
	    run_command({cli_path(), "load", LOADER_TEST_OBJ, "--name", guard.name(), "--json"});
	ASSERT_TRUE(load.exited_ok()) << load.describe() << load.err;
	json t = parse(load.out);
	ASSERT_TRUE(t.is_object());
	EXPECT_EQ(t["name"], guard.name());
	std::uint32_t id = t["id"];
	EXPECT_GT(id, 0u);
	EXPECT_EQ(t["filled_slots"], 8);
	EXPECT_EQ(t["abi_version"], FUSEBPF_ABI_VERSION);

	auto list = run_command({cli_path(), "list", "--json"});
	ASSERT_TRUE(list.exited_ok()) << list.err;
	bool listed = false;
	json lj = parse(list.out);
	for (const auto &x : lj["tables"])
		if (x["name"] == guard.name()) {
			listed = true;
			EXPECT_EQ(x["id"], id);
		}
	EXPECT_TRUE(listed) << list.out;

	auto human = run_command({cli_path(), "list"});
	ASSERT_TRUE(human.exited_ok());
	EXPECT_TRUE(human.out.starts_with("NAME")) << human.out;
	EXPECT_TRUE(contains(human.out, guard.name()));

	auto inspect = run_command({cli_path(), "inspect", std::to_string(id), "--json"});
	ASSERT_TRUE(inspect.exited_ok()) << inspect.err;
	json ij = parse(inspect.out);
	EXPECT_EQ(ij["name"], guard.name());
	ASSERT_EQ(ij["slots"].size(), 8u);
	for (const auto &s : ij["slots"]) {
		EXPECT_GT(s["program"]["id"].get<int>(), 0);
		EXPECT_GT(s["program"]["verified_insns"].get<int>(), 0);
		EXPECT_GT(s["program"]["xlated_insns"].get<int>(), 0);
	}
	auto inspect_text = run_command({cli_path(), "inspect", guard.name()});
	ASSERT_TRUE(inspect_text.exited_ok());
	EXPECT_TRUE(contains(inspect_text.out, "SLOT  SECTION")) << inspect_text.out;
	EXPECT_TRUE(contains(inspect_text.out, "fuse_ops/lookup_prefilter"));
	EXPECT_TRUE(contains(inspect_text.out, "VERIFIED"));
	EXPECT_TRUE(contains(inspect_text.out, "deny_names"));

	auto unload = run_command({cli_path(), "unload", guard.name()});
	ASSERT_TRUE(unload.exited_ok()) << unload.err;
	EXPECT_TRUE(contains(unload.out, "unloaded table " + guard.name()));
	EXPECT_FALSE(lt::table_pinned(guard.name()));

	auto after = run_command({cli_path(), "inspect", std::to_string(id)});
	EXPECT_EQ(after.exit_code(), 1);
	EXPECT_TRUE(contains(after.err, "no loaded table has map ID")) << after.err;
}

TEST(Cli, LoadPrintsNameAndId)
{
	lt::table_guard guard(lt::unique_name("clitxt"));
	auto load = run_command({cli_path(), "load", LOADER_TEST_OBJ, "--name", guard.name()});
	ASSERT_TRUE(load.exited_ok()) << load.err;
	EXPECT_TRUE(contains(load.out, "loaded table " + guard.name() + ": map ID ")) << load.out;
	EXPECT_TRUE(contains(load.out, "SLOT  OP")) << load.out;
}

TEST(Cli, ErrorsExitOneWithTheMessage)
{
	std::string name = lt::unique_name("clierr");
	lt::table_guard guard(name);
	auto verifier = run_command({cli_path(), "load", BAD_VERIFIER_OBJ, "--name", name});
	EXPECT_EQ(verifier.exit_code(), 1);
	EXPECT_TRUE(contains(verifier.err, "fusebpf load: the kernel verifier rejected program"))
	    << verifier.err;
	EXPECT_TRUE(contains(verifier.err, "at bad_verifier.bpf.c:")) << verifier.err;

	auto unknown = run_command({cli_path(), "load", UNKNOWN_OP_OBJ, "--name", name});
	EXPECT_EQ(unknown.exit_code(), 1);
	EXPECT_TRUE(contains(unknown.err, "unknown op 'frobnicate'"));

	auto usage = run_command({cli_path(), "load"});
	EXPECT_EQ(usage.exit_code(), 2) << usage.describe();
	auto no_table = run_command({cli_path(), "unload", lt::unique_name("none")});
	EXPECT_EQ(no_table.exit_code(), 1);
	EXPECT_FALSE(lt::table_pinned(name));
}

TEST(Cli, HelpHasExamples)
{
	for (const char *cmd : {"build", "load", "list", "inspect", "unload"}) {
		auto help = run_command({cli_path(), cmd, "--help"});
		EXPECT_TRUE(help.exited_ok()) << cmd;
		EXPECT_TRUE(contains(help.out, "EXAMPLES:")) << cmd << ":\n" << help.out;
	}
}

TEST(Cli, BuildAFilterOutsideTheTreeThenLoadIt)
{
	fusebpf::test::temp_dir dir("build");
	ASSERT_TRUE(dir) << dir.error();
	std::string src = dir.path() + "/deny_all.bpf.c";
	std::ofstream(src) << "#include \"fusebpf.bpf.h\"\n"
	                      "FUSEBPF_PREFILTER(mkdir)\n"
	                      "int deny_all_mkdir_prefilter(struct fusebpf_mkdir_ctx *ctx)\n"
	                      "{\n"
	                      "\treturn -EACCES;\n"
	                      "}\n"
	                      "FUSEBPF_OPS_DEFINE(deny_all);\n"
	                      "char LICENSE[] SEC(\"license\") = \"GPL\";\n";
	auto build = run_command({cli_path(), "build", src});
	ASSERT_TRUE(build.exited_ok()) << build.describe() << build.err;
	std::string obj = dir.path() + "/deny_all.bpf.o";
	EXPECT_TRUE(contains(build.out, "built " + obj)) << build.out;
	ASSERT_TRUE(lt::path_exists(obj));
	EXPECT_FALSE(lt::path_exists(obj + ".tmp.o"));

	lt::table_guard guard(lt::unique_name("built"));
	auto load = run_command({cli_path(), "load", obj, "--name", guard.name(), "--json"});
	ASSERT_TRUE(load.exited_ok()) << load.err;
	json t = parse(load.out);
	ASSERT_EQ(t["slots"].size(), 1u);
	EXPECT_EQ(t["slots"][0]["section"], "fuse_ops/mkdir_prefilter");

	// A broken source: clang's own message, exit 1, no object.
	std::string broken = dir.path() + "/broken.bpf.c";
	std::ofstream(broken) << "#include \"fusebpf.bpf.h\"\nint x = undeclared_thing;\n";
	auto fail = run_command({cli_path(), "build", broken, "-o", dir.path() + "/b.bpf.o"});
	EXPECT_EQ(fail.exit_code(), 1);
	EXPECT_TRUE(contains(fail.err, "undeclared_thing")) << fail.err;
	EXPECT_TRUE(contains(fail.err, "error:")) << fail.err;
	EXPECT_TRUE(contains(fail.err, "fusebpf build: clang could not compile")) << fail.err;
	EXPECT_FALSE(lt::path_exists(dir.path() + "/b.bpf.o"));
}

} // namespace
