// SPDX-License-Identifier: GPL-2.0-or-later
//
// fusebpf: the one command-line tool. It mounts backing directories through
// the fusebpf daemon and loads, lists, inspects and unloads BPF filter ops
// tables. Each subcommand group is in its own cmd_<group>.cc (see command.h).
// Run under the name mount.fuse.fusebpf it is mount(8)'s helper
// (mount_helper.cc). Usage errors (an unknown command or option, a bad
// value) exit 2 with one message; `fusebpf COMMAND --help` exits 0.
#include "cli/command.h"

#include <cstdio>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace {

// The top-level --help lists each subcommand with the first line of its
// description only (its summary, see command.h); `fusebpf CMD --help` shows
// the whole text.
class summary_formatter : public CLI::Formatter {
public:
	std::string make_subcommand(const CLI::App *sub) const override
	{
		const std::string &text = sub->get_description();
		std::string summary = text.substr(0, text.find('\n'));
		std::ostringstream out;
		CLI::detail::format_help(out, sub->get_display_name(true), summary,
		                         get_column_width());
		return out.str();
	}
};

} // namespace

int main(int argc, char **argv)
{
	CLI::App app{"fusebpf - FUSE-BPF filters for a stacked FUSE file system on stock Linux.\n\n"
	             "A FUSE mount mirrors a backing directory; BPF programs pre- and post-filter\n"
	             "its operations, userspace filters take over where BPF declines, and file\n"
	             "data moves through the kernel's FUSE passthrough. Run\n"
	             "`fusebpf COMMAND --help` for the options of a command.",
	             "fusebpf"};
	app.require_subcommand(1);
	app.formatter(std::make_shared<summary_formatter>());
	app.set_version_flag("--version", "fusebpf " FUSEBPF_VERSION);

	fusebpf::cli::command_list commands;
	fusebpf::cli::add_mount_commands(app, commands);
	fusebpf::cli::add_loader_commands(app, commands);
	fusebpf::cli::add_attach_commands(app, commands);
	fusebpf::cli::add_new_commands(app, commands);
	fusebpf::cli::add_selftest_commands(app, commands);
	fusebpf::cli::add_map_commands(app, commands);
	fusebpf::cli::add_trace_commands(app, commands);

	// Run as mount.fuse.fusebpf by mount(8): the same as `fusebpf mount`.
	std::vector<std::string> helper_argv;
	if (fusebpf::cli::is_mount_helper(argv[0])) {
		int rc = fusebpf::cli::mount_helper_args(argc, argv, helper_argv);
		if (rc >= 0)
			return rc;
	}

	// The first word that is not an option must name a command.
	if (helper_argv.empty() && argc > 1 && argv[1][0] != '-') {
		bool known = false;
		std::string names;
		for (const CLI::App *sub : app.get_subcommands([](CLI::App *) { return true; })) {
			known = known || sub->check_name(argv[1]);
			names += (names.empty() ? "" : ", ") + sub->get_name();
		}
		if (!known) {
			std::fprintf(stderr,
			             "fusebpf: unknown command '%s'\ncommands: %s\n"
			             "(see fusebpf --help)\n",
			             argv[1], names.c_str());
			return fusebpf::cli::exit_usage;
		}
	}

	try {
		if (helper_argv.empty()) {
			app.parse(argc, argv);
		} else {
			// CLI11 takes the arguments in reverse, without the program name.
			std::vector<std::string> rev(helper_argv.rbegin(), helper_argv.rend() - 1);
			app.parse(rev);
		}
	} catch (const CLI::ParseError &e) {
		int rc = app.exit(e);
		return rc == 0 ? fusebpf::cli::exit_ok : fusebpf::cli::exit_usage;
	}
	for (auto &cmd : commands)
		if (cmd.app->parsed())
			return cmd.run();
	std::fputs(app.help().c_str(), stderr);
	return fusebpf::cli::exit_usage;
}
