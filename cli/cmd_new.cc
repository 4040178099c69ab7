// SPDX-License-Identifier: GPL-2.0-or-later
//
// `fusebpf new NAME [--from EXAMPLE]`: starts a filter of your own from one
// of the examples, in ./NAME/, ready to build outside the source tree.
//
// What it writes: the example's filter sources renamed to NAME
// (<example>.bpf.c -> NAME.bpf.c, <example>_user.cc -> NAME_user.cc), with
// the table name in FUSEBPF_OPS_DEFINE() and the <table>_ prefix of the
// example's functions and maps changed to NAME's, and a README.md stub whose
// ```sh block builds, mounts, lists and unmounts with `fusebpf build` /
// `fusebpf mount --filter`.  The example's CMakeLists.txt is not copied: it
// needs the project's CMake module, and `fusebpf build` does its job.
//
// Where the examples are: $FUSEBPF_EXAMPLES_DIR, else the installed
// <prefix>/share/fusebpf/examples, or the source tree's when run from a build
// tree (common/paths.h).  Unlike the loader
// commands it touches no BPF object; unlike `fusebpf build` it compiles
// nothing.
#include "cli/command.h"

#include "common/paths.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

namespace fusebpf::cli {

namespace {

namespace fs = std::filesystem;

struct new_args {
	std::string name;
	std::string from = "passthrough";
	bool list = false;
};

int fail(const std::string &message, int status = exit_failure)
{
	std::fprintf(stderr, "fusebpf new: %s\n", message.c_str());
	return status;
}

// The examples directory (see the header), or "" with the reason in `why`.
fs::path examples_root(std::string &why)
{
	if (const char *env = std::getenv("FUSEBPF_EXAMPLES_DIR"); env && *env)
		return env;
	auto layout = paths::find_layout(why);
	return layout ? layout->examples_dir : fs::path();
}

// Example folders: directories holding a <name>.bpf.c.
std::vector<std::string> known_examples(const fs::path &root)
{
	std::vector<std::string> names;
	std::error_code ec;
	for (const auto &entry : fs::directory_iterator(root, ec)) {
		std::string n = entry.path().filename().string();
		if (entry.is_directory(ec) && fs::exists(entry.path() / (n + ".bpf.c"), ec))
			names.push_back(n);
	}
	std::sort(names.begin(), names.end());
	return names;
}

std::string joined(const std::vector<std::string> &words)
{
	std::string text;
	for (const auto &w : words)
		text += (text.empty() ? "" : ", ") + w;
	return text;
}

// "status-file" -> "status_file": the table name and identifier prefix.
std::string identifier_of(std::string name)
{
	std::replace(name.begin(), name.end(), '-', '_');
	return name;
}

bool is_alpha(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

bool is_ident_char(char c)
{
	return is_alpha(c) || (c >= '0' && c <= '9') || c == '_';
}

// A name a table, a file and a C identifier prefix can all be made from.
// (No std::regex: GCC 12 warns inside it with -O2 -Werror.)
bool valid_name(const std::string &name)
{
	if (name.empty() || name.size() > 48 || !is_alpha(name[0]))
		return false;
	return std::all_of(name.begin(), name.end(),
	                   [](char c) { return is_ident_char(c) || c == '-'; });
}

// Replaces "<from>_" where it starts an identifier and more identifier
// characters follow ("hide_lookup_prefilter", not "unhide_x" or "hide_").
std::string replace_prefix(const std::string &text, const std::string &from, const std::string &to)
{
	std::string out;
	const std::string needle = from + "_";
	size_t pos = 0;
	for (size_t at = text.find(needle); at != std::string::npos;
	     at = text.find(needle, at + 1)) {
		bool starts = at == 0 || !is_ident_char(text[at - 1]);
		size_t next = at + needle.size();
		if (!starts || next >= text.size() || !is_ident_char(text[next]))
			continue;
		out.append(text, pos, at - pos);
		out += to + "_";
		pos = next;
	}
	out.append(text, pos, std::string::npos);
	return out;
}

std::string read_text(const fs::path &path)
{
	std::ifstream in(path);
	std::ostringstream text;
	text << in.rdbuf();
	return text.str();
}

// The example's text with its names changed to the new filter's.
std::string renamed(std::string text, const std::string &from, const std::string &to)
{
	const std::string from_id = identifier_of(from), to_id = identifier_of(to);
	auto replace_all = [&text](const std::string &a, const std::string &b) {
		for (size_t at = text.find(a); at != std::string::npos;
		     at = text.find(a, at + b.size()))
			text.replace(at, a.size(), b);
	};
	// File names first (they contain the example name with its '-').
	replace_all(from + ".bpf.c", to + ".bpf.c");
	replace_all(from + ".bpf.o", to + ".bpf.o");
	replace_all(from + "_user.cc", to + "_user.cc");
	replace_all(from + "_user.so", to + "_user.so");
	replace_all("FUSEBPF_OPS_DEFINE(" + from_id + ")", "FUSEBPF_OPS_DEFINE(" + to_id + ")");
	// Identifiers of the <table>_<op>_<side>filter convention, maps, helpers:
	// "<from_id>_" starting a word.  Plain words ("passthrough") stay.
	return replace_prefix(text, from_id, to_id);
}

std::string readme_stub(const std::string &name, const std::string &from, bool has_user,
                        const fs::path &example_dir)
{
	const std::string scratch = "/tmp/fusebpf-" + name;
	std::string mount = "fusebpf mount --filter " + name + ".bpf.o";
	if (has_user)
		mount += " --user-filter ./" + name + "_user.so";
	mount += " " + scratch + "/backing " + scratch + "/mnt";
	std::string text = "# " + name + "\n\n";
	text += "A fuse_ops filter started from fusebpf's `" + from + "` example (`fusebpf new " +
	        name + " --from " + from +
	        "`). What the example does and how: " + (example_dir / "README.md").string() +
	        ".\n\n";
	text += "Say here what " + name +
	        " does, how (the verdicts, maps and hooks it uses), and\n"
	        "the one line a user changes first.\n\n";
	text += "## Try it\n\n```sh\nfusebpf build " + name + ".bpf.c\n";
	if (has_user)
		text += "fusebpf build " + name + "_user.cc\n";
	text += "rm -rf " + scratch + " && mkdir -p " + scratch + "/{backing,mnt}\n";
	text += "echo hello > " + scratch + "/backing/hello.txt\n";
	text += mount + "\n";
	text += "ls -l " + scratch + "/mnt\ncat " + scratch + "/mnt/hello.txt\n";
	text += "fusebpf stats " + scratch + "/mnt\n";
	text += "fusebpf umount " + scratch + "/mnt\n```\n\n";
	text += "The filter author's guide (verdicts, each op's context, helpers, maps,\n"
	        "userspace filters, costs): fusebpf-filter(7), or docs/filter-guide.md\n"
	        "in the fusebpf sources.\n";
	return text;
}

int run_new(const new_args &a)
{
	std::string why;
	fs::path root = examples_root(why);
	if (root.empty())
		return fail("cannot find the examples: " + why);
	std::vector<std::string> known = known_examples(root);
	if (a.list) {
		for (const auto &n : known)
			std::printf("%s\n", n.c_str());
		return exit_ok;
	}
	if (a.name.empty())
		return fail("give the NAME of the new filter (or --list the examples)", exit_usage);
	if (!valid_name(a.name))
		return fail(
		    "'" + a.name +
		        "' is not a usable name: a letter, then letters, digits, '_' or '-', "
		        "at most 48 characters",
		    exit_usage);
	if (std::find(known.begin(), known.end(), a.from) == known.end())
		return fail(
		    "no example named '" + a.from + "' in " + root.string() +
		        "; the examples are: " + (known.empty() ? "(none found)" : joined(known)),
		    exit_usage);
	std::error_code ec;
	fs::path target = fs::path(a.name);
	if (fs::exists(target, ec) || fs::is_symlink(target, ec))
		return fail("./" + a.name + " already exists; choose another NAME or remove it");

	fs::path example_dir = root / a.from;
	struct planned {
		fs::path source;
		std::string target_name;
	};
	std::vector<planned> files = {{example_dir / (a.from + ".bpf.c"), a.name + ".bpf.c"}};
	bool has_user = fs::exists(example_dir / (a.from + "_user.cc"), ec);
	if (has_user)
		files.push_back({example_dir / (a.from + "_user.cc"), a.name + "_user.cc"});

	if (!fs::create_directory(target, ec) || ec)
		return fail("cannot create ./" + a.name + ": " + ec.message());
	for (const auto &f : files) {
		std::ofstream out(target / f.target_name);
		out << renamed(read_text(f.source), a.from, a.name);
		if (!out)
			return fail("cannot write ./" + a.name + "/" + f.target_name);
	}
	{
		std::ofstream out(target / "README.md");
		out << readme_stub(a.name, a.from, has_user, example_dir);
		if (!out)
			return fail("cannot write ./" + a.name + "/README.md");
	}
	std::printf("fusebpf: created ./%s from the %s example:\n", a.name.c_str(), a.from.c_str());
	for (const auto &f : files)
		std::printf("  %s/%s\n", a.name.c_str(), f.target_name.c_str());
	std::printf("  %s/README.md\nnext:\n  cd %s && fusebpf build %s.bpf.c\n", a.name.c_str(),
	            a.name.c_str(), a.name.c_str());
	if (has_user)
		std::printf("  fusebpf build %s_user.cc\n", a.name.c_str());
	return exit_ok;
}

} // namespace

void add_new_commands(CLI::App &root, command_list &commands)
{
	auto args = std::make_shared<new_args>();
	CLI::App *n = root.add_subcommand("new", "Start a filter of your own from an example");
	n->description(
	    "Start a filter of your own from an example.\n\n"
	    "Creates ./NAME/ with the example's filter renamed to NAME: NAME.bpf.c (table\n"
	    "name in FUSEBPF_OPS_DEFINE() and the <table>_ prefix of functions and maps\n"
	    "changed), NAME_user.cc when the example has a userspace filter, and a README.md\n"
	    "stub whose commands build it with `fusebpf build` and mount it with\n"
	    "`fusebpf mount --filter`; no CMake needed. The examples come from\n"
	    "$FUSEBPF_EXAMPLES_DIR, an installed share/fusebpf/examples, or the source tree\n"
	    "fusebpf was built from.");
	n->add_option("NAME", args->name,
	              "The new filter's name: a letter, then letters, digits, '_' or '-'\n"
	              "(the table name is NAME with '-' as '_').");
	n->add_option("--from", args->from, "The example to start from (default: passthrough).")
	    ->option_text("EXAMPLE");
	n->add_flag("-l,--list", args->list, "List the examples and exit.");
	n->footer("EXAMPLES:\n"
	          "  fusebpf new myfilter                    # from the passthrough template\n"
	          "  fusebpf new nosecrets --from hide       # a deny list to start from\n"
	          "  fusebpf new --list                      # the examples there are\n"
	          "  cd myfilter && fusebpf build myfilter.bpf.c");
	commands.push_back({n, [args] { return run_new(*args); }});
}

} // namespace fusebpf::cli
