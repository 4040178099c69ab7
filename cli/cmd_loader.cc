// SPDX-License-Identifier: GPL-2.0-or-later
//
// The loader group of the CLI: build, load, list, inspect, unload.  Each
// subcommand is a thin shell over fusebpf_loader (loader/*.h): it parses its
// options, calls the library, and prints either a table (a header row, then
// one row per item) or --json, both from the same row structs (slot_info,
// map_info, table_info).  Errors are the library's paragraphs, printed as
// they are on stderr, exit status 1; usage errors exit 2 (see command.h).
#include "cli/command.h"

#include "cli/readable.h"
#include "cli/table_access.h"
#include "common/log.h"
#include "loader/filter_build.h"
#include "loader/load.h"
#include "loader/tables.h"

#include <fusebpf/filter_abi.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace fusebpf::cli {

namespace {

namespace ld = fusebpf::loader;
using json = nlohmann::ordered_json;

// ---------------------------------------------------------------- output --

template <typename Row> struct column {
	const char *header;
	std::function<std::string(const Row &)> cell;
};

// A header row, then one row per item; columns as wide as their widest cell.
template <typename Row>
void print_table(const std::vector<column<Row>> &columns, const std::vector<Row> &rows)
{
	std::vector<std::vector<std::string>> cells;
	std::vector<std::size_t> width;
	for (const auto &c : columns)
		width.push_back(std::string_view(c.header).size());
	for (const auto &row : rows) {
		auto &line = cells.emplace_back();
		for (std::size_t i = 0; i < columns.size(); i++) {
			line.push_back(columns[i].cell(row));
			width[i] = std::max(width[i], line.back().size());
		}
	}
	auto print_line = [&](auto cell_of) {
		std::string out;
		for (std::size_t i = 0; i < columns.size(); i++) {
			std::string cell = cell_of(i);
			out += cell;
			if (i + 1 < columns.size())
				out += std::string(width[i] - cell.size() + 2, ' ');
		}
		std::puts(out.c_str());
	};
	print_line([&](std::size_t i) { return std::string(columns[i].header); });
	for (const auto &line : cells)
		print_line([&](std::size_t i) { return line[i]; });
}

json to_json(const ld::program_info &p)
{
	return {{"id", p.id},
	        {"name", p.name},
	        {"type", p.type},
	        {"xlated_insns", p.xlated_insns},
	        {"jited_bytes", p.jited_bytes},
	        {"verified_insns", p.verified_insns},
	        {"run_count", p.run_count},
	        {"run_time_ns", p.run_time_ns}};
}

json to_json(const ld::slot_info &s)
{
	return {{"slot", s.slot},
	        {"op", s.op},
	        {"side", s.side},
	        {"section", s.section},
	        {"program", to_json(s.program)}};
}

json to_json(const ld::map_info &m)
{
	return {{"id", m.id},
	        {"name", m.name},
	        {"type", m.type},
	        {"max_entries", m.max_entries},
	        {"pin", m.pin}};
}

json to_json(const ld::table_info &t)
{
	json slots = json::array(), maps = json::array();
	for (const auto &s : t.slots)
		slots.push_back(to_json(s));
	for (const auto &m : t.maps)
		maps.push_back(to_json(m));
	return {{"name", t.name},
	        {"id", t.id},
	        {"pin", t.pin_dir},
	        {"abi_version", FUSEBPF_ABI_VERSION},
	        {"slot_count", t.slot_count},
	        {"filled_slots", t.slots.size()},
	        {"slots", std::move(slots)},
	        {"maps", std::move(maps)}};
}

void print_json(const json &j)
{
	std::puts(j.dump(2).c_str());
}

std::string side_or_dash(const std::string &side)
{
	return side.empty() ? "-" : side;
}

const std::vector<column<ld::slot_info>> slot_columns = {
    {"SLOT", [](const ld::slot_info &s) { return std::to_string(s.slot); }},
    {"OP", [](const ld::slot_info &s) { return s.op; }},
    {"SIDE", [](const ld::slot_info &s) { return side_or_dash(s.side); }},
    {"PROG_ID", [](const ld::slot_info &s) { return std::to_string(s.program.id); }},
    {"PROGRAM", [](const ld::slot_info &s) { return s.program.name; }},
};

const std::vector<column<ld::slot_info>> inspect_columns = {
    {"SLOT", [](const ld::slot_info &s) { return std::to_string(s.slot); }},
    {"SECTION", [](const ld::slot_info &s) { return s.section; }},
    {"PROG_ID", [](const ld::slot_info &s) { return std::to_string(s.program.id); }},
    {"PROGRAM", [](const ld::slot_info &s) { return s.program.name; }},
    {"XLATED", [](const ld::slot_info &s) { return count_text(s.program.xlated_insns); }},
    {"JITED", [](const ld::slot_info &s) { return count_text(s.program.jited_bytes); }},
    {"VERIFIED", [](const ld::slot_info &s) { return count_text(s.program.verified_insns); }},
    {"RUNS", [](const ld::slot_info &s) { return count_text(s.program.run_count); }},
};

const std::vector<column<ld::map_info>> map_columns = {
    {"MAP_ID", [](const ld::map_info &m) { return std::to_string(m.id); }},
    {"MAP", [](const ld::map_info &m) { return m.name; }},
    {"TYPE", [](const ld::map_info &m) { return m.type; }},
    {"MAX_ENTRIES", [](const ld::map_info &m) { return count_text(m.max_entries); }},
    {"PIN", [](const ld::map_info &m) { return m.pin; }},
};

std::string map_names(const ld::table_info &t)
{
	std::string names;
	for (const auto &m : t.maps)
		names += (names.empty() ? "" : ",") + m.name;
	return names.empty() ? "-" : names;
}

const std::vector<column<ld::table_info>> table_columns = {
    {"NAME", [](const ld::table_info &t) { return t.name; }},
    {"ID", [](const ld::table_info &t) { return std::to_string(t.id); }},
    {"SLOTS",
     [](const ld::table_info &t) {
	     return std::to_string(t.slots.size()) + "/" + std::to_string(t.slot_count);
     }},
    {"OPS",
     [](const ld::table_info &t) {
	     std::string ops;
	     for (const auto &s : t.slots)
		     ops += (ops.empty() ? "" : ",") + s.op + (s.side.empty() ? "" : ":" + s.side);
	     return ops.empty() ? std::string("-") : ops;
     }},
    {"MAPS", map_names},
};

int fail(const char *command, const std::string &message)
{
	std::fprintf(stderr, "fusebpf %s: %s\n", command, message.c_str());
	return exit_failure;
}

void init_logging(bool verbose)
{
	log::init("fusebpf", verbose ? spdlog::level::debug : spdlog::level::warn);
}

// ------------------------------------------------------------- commands --

struct load_args {
	std::string object;
	std::string name;
	bool json = false;
	bool verbose = false;
};

int run_load(const load_args &a)
{
	init_logging(a.verbose);
	ld::load_options opts;
	opts.name = a.name;
	auto t = ld::load_filter(a.object, opts);
	if (!t)
		return fail("load", t.message());
	if (a.json) {
		print_json(to_json(*t));
		return exit_ok;
	}
	std::printf("fusebpf: loaded table %s: map ID %u, %zu of %u slots filled, pinned at %s\n",
	            t->name.c_str(), t->id, t->slots.size(), t->slot_count, t->pin_dir.c_str());
	print_table(slot_columns, t->slots);
	return exit_ok;
}

struct list_args {
	bool json = false;
};

int run_list(const list_args &a)
{
	init_logging(false);
	auto tables = ld::list_tables();
	if (!tables)
		return fail("list", tables.message());
	if (a.json) {
		json arr = json::array();
		for (const auto &t : *tables)
			arr.push_back(to_json(t));
		print_json({{"tables", std::move(arr)}});
		return exit_ok;
	}
	print_table(table_columns, *tables);
	return exit_ok;
}

struct table_args {
	std::string table; // NAME or ID
	bool json = false;
	bool force = false; // unload: even if a mount uses it
};

int run_inspect(const table_args &a)
{
	init_logging(false);
	auto name = ld::resolve_table(ld::default_pin_root, a.table);
	if (!name)
		return fail("inspect", name.message());
	auto t = ld::read_table(ld::default_pin_root, *name);
	if (!t)
		return fail("inspect", t.message());
	if (a.json) {
		print_json(to_json(*t));
		return exit_ok;
	}
	std::printf("table %s: map ID %u, %zu of %u slots filled, pinned at %s\n\n",
	            t->name.c_str(), t->id, t->slots.size(), t->slot_count, t->pin_dir.c_str());
	print_table(inspect_columns, t->slots);
	if (!t->maps.empty()) {
		std::puts("");
		print_table(map_columns, t->maps);
	}
	return exit_ok;
}

int run_unload(const table_args &a)
{
	init_logging(false);
	auto name = ld::resolve_table(ld::default_pin_root, a.table);
	if (!name)
		return fail("unload", name.message());
	auto t = ld::read_table(ld::default_pin_root, *name);
	if (t && !a.force) {
		std::vector<std::string> warnings;
		std::vector<std::string> users = mounts_using(t->id, warnings);
		if (!users.empty()) {
			std::string list;
			for (const auto &m : users)
				list += (list.empty() ? "" : ", ") + m;
			return fail("unload", "table " + *name + " is bound on " + list +
			                          ": detach it there first (fusebpf detach), or "
			                          "unload anyway with --force");
		}
	}
	if (auto st = ld::unload_table(ld::default_pin_root, *name); !st)
		return fail("unload", st.message());
	if (t)
		std::printf("fusebpf: unloaded table %s (map ID %u)\n", name->c_str(), t->id);
	else
		std::printf("fusebpf: unloaded table %s\n", name->c_str());
	return exit_ok;
}

struct build_args {
	std::string source;
	std::string output;
	std::vector<std::string> includes;
	bool verbose = false;
};

int run_build(const build_args &a)
{
	ld::build_options opts;
	opts.output = a.output;
	opts.include_dirs = a.includes;
	opts.verbose = a.verbose;
	auto out = ld::build_filter(a.source, opts);
	if (!out)
		return fail("build", out.message());
	std::printf("fusebpf: built %s\n", out->c_str());
	return exit_ok;
}

} // namespace

void add_loader_commands(CLI::App &root, command_list &commands)
{
	auto build = std::make_shared<build_args>();
	CLI::App *b =
	    root.add_subcommand("build", "Compile a fuse_ops filter source into a BPF object");
	b->description(
	    "Compile a fuse_ops filter source into a BPF object.\n\n"
	    "Compile FILE.bpf.c into a BPF object that `fusebpf load` takes, with the flags\n"
	    "fusebpf's own filters use (clang -target bpf -g -O2 -Wall -Werror -mcpu=v3,\n"
	    "then bpftool gen object). The filter includes \"fusebpf.bpf.h\"; fusebpf knows\n"
	    "where it is. clang's messages are shown as they are.");
	b->add_option("FILE", build->source, "The filter source (FILE.bpf.c)")->required();
	b->add_option("-o,--output", build->output,
	              "The object to write (default: FILE with .bpf.c replaced by .bpf.o)");
	b->add_option("-I,--include", build->includes, "Another header directory (repeatable)");
	b->add_flag("-v,--verbose", build->verbose, "Print the clang and bpftool commands");
	b->footer(
	    "EXAMPLES:\n"
	    "  fusebpf build hide.bpf.c                 # writes hide.bpf.o\n"
	    "  fusebpf build hide.bpf.c -o /tmp/h.bpf.o # chooses the output\n"
	    "  fusebpf build -v -I include f.bpf.c      # shows the commands, adds a header dir");
	commands.push_back({b, [build] { return run_build(*build); }});

	auto load = std::make_shared<load_args>();
	CLI::App *l = root.add_subcommand("load", "Load a filter object and pin its ops table");
	l->description(
	    "Load a filter object and pin its ops table.\n\n"
	    "Load FILTER.bpf.o: the kernel verifies and JITs each fuse_ops program, fusebpf\n"
	    "builds the ops table (a BPF prog array, one slot per op and side, plus the\n"
	    "default filter) and pins table, programs and maps under\n"
	    "/sys/fs/bpf/fusebpf/NAME (mounting bpffs at /sys/fs/bpf if needed). Prints the\n"
	    "table's map ID: the number a fusebpf daemon takes. A program the verifier\n"
	    "rejects is reported with the verifier's last lines and the source line.\n"
	    "Needs root (CAP_BPF, CAP_SYS_ADMIN).");
	l->add_option("FILTER", load->object, "The filter object (FILTER.bpf.o)")->required();
	l->add_option("-n,--name", load->name,
	              "The table name (default: the name in the object's FUSEBPF_OPS_DEFINE)");
	l->add_flag("--json", load->json, "Print the loaded table as one JSON object");
	l->add_flag("-v,--verbose", load->verbose,
	            "Show libbpf's debug messages and the whole verifier log");
	l->footer("EXAMPLES:\n"
	          "  fusebpf load hide.bpf.o                  # table 'hide' (from the object)\n"
	          "  fusebpf load hide.bpf.o --name hide2     # a second copy under another name\n"
	          "  fusebpf load hide.bpf.o --json | jq .id  # the map ID, for scripts\n"
	          "  fusebpf load -v broken.bpf.o             # the whole verifier log");
	commands.push_back({l, [load] { return run_load(*load); }});

	auto list = std::make_shared<list_args>();
	CLI::App *ls = root.add_subcommand("list", "List the loaded ops tables");
	ls->description(
	    "List the loaded ops tables.\n\n"
	    "List the ops tables pinned under /sys/fs/bpf/fusebpf: name, map ID, filled\n"
	    "slots (of the table's slots), the ops they filter and the object's maps.");
	ls->add_flag("--json", list->json, "Print {\"tables\": [...]} as one JSON object");
	ls->footer("EXAMPLES:\n"
	           "  fusebpf list                             # one line per table\n"
	           "  fusebpf list --json | jq '.tables[].id'  # the map IDs");
	commands.push_back({ls, [list] { return run_list(*list); }});

	auto inspect = std::make_shared<table_args>();
	CLI::App *in = root.add_subcommand("inspect", "Show the programs and maps of an ops table");
	in->description(
	    "Show the programs and maps of an ops table.\n\n"
	    "Show one table, given by name or map ID: per filled slot the section, program\n"
	    "ID and name, its size after verification (XLATED instructions), its JITed\n"
	    "size in bytes, the instructions the verifier processed (VERIFIED) and, with\n"
	    "sysctl kernel.bpf_stats_enabled=1, how often it ran; then the object's maps.");
	in->add_option("TABLE", inspect->table, "The table's name or map ID")->required();
	in->add_flag("--json", inspect->json, "Print the table as one JSON object");
	in->footer("EXAMPLES:\n"
	           "  fusebpf inspect hide                     # by name\n"
	           "  fusebpf inspect 42                       # by map ID\n"
	           "  fusebpf inspect hide --json | jq '.slots[].program.verified_insns'");
	commands.push_back({in, [inspect] { return run_inspect(*inspect); }});

	auto unload = std::make_shared<table_args>();
	CLI::App *u = root.add_subcommand("unload", "Unpin an ops table and its programs and maps");
	u->description("Unpin an ops table and its programs and maps.\n\n"
	               "Remove the pins of a table, given by name or map ID. The kernel frees the\n"
	               "table, programs and maps once no process holds them: a daemon that opened\n"
	               "the table keeps running its filters until it lets go. A table a mount\n"
	               "has bound is refused (the mount is named) unless --force.");
	u->add_option("TABLE", unload->table, "The table's name or map ID")->required();
	u->add_flag("--force", unload->force,
	            "Unpin it even if a mount uses it (the mount keeps running its filters, but\n"
	            "`fusebpf map` and `inspect` can no longer find the table)");
	u->footer("EXAMPLES:\n"
	          "  fusebpf unload hide                      # by name\n"
	          "  fusebpf unload 42                        # by map ID");
	commands.push_back({u, [unload] { return run_unload(*unload); }});
}

} // namespace fusebpf::cli
