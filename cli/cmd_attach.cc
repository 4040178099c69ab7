// SPDX-License-Identifier: GPL-2.0-or-later
//
// `fusebpf attach`, `fusebpf detach`, `fusebpf status`, `fusebpf
// invalidate`: filters on a live mount, without unmounting.
//
// Each finds the mount that holds the path given (mount_locator.h), sends
// one command over the mount's root-only control socket
// (daemon/control/control_commands.h documents the JSON) and prints the answer.
// The daemon does the work: it loads --filter objects itself (and unloads
// them when they are detached or replaced, or at unmount), finds the
// directory, stores the binding and invalidates the kernel's caches so the
// change is seen at once. Differs from cmd_mount.cc (mount, umount, stats),
// which starts and stops daemons.
#include "cli/command.h"

#include "cli/mount_locator.h"
#include "cli/readable.h"
#include "daemon/control/control_server.h"

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>

namespace fusebpf::cli {
namespace {

struct attach_args {
	std::string path;
	std::string filter;
	std::string name;
	std::string ops;
	std::string user_filter;
	std::string user_filter_arg;
	bool json = false;
};

struct detach_args {
	std::string path;
	bool none = false;
	bool json = false;
};

struct status_args {
	std::string path;
	bool json = false;
};

struct invalidate_args {
	std::string path;
	unsigned table_id = 0;
	bool json = false;
};

void error_line(const std::string &msg)
{
	std::fprintf(stderr, "fusebpf: %s\n", msg.c_str());
}

// Sends req to the daemon of the mount holding `path` (with "path" set to
// the path inside the mount). Returns the reply without "ok", or nullopt
// after printing the error.
std::optional<nlohmann::json> call(const std::string &path, nlohmann::json req,
                                   mount_location &where)
{
	std::string err;
	auto loc = locate_mount(path, err);
	if (!loc) {
		error_line(err);
		return std::nullopt;
	}
	where = *loc;
	req["path"] = loc->inside;
	auto reply = daemon::control_call(loc->mountpoint, req, err, 120);
	if (!reply) {
		error_line(err);
		return std::nullopt;
	}
	if (!reply->value("ok", false)) {
		error_line(reply->value("error", std::string("the daemon refused")));
		return std::nullopt;
	}
	reply->erase("ok");
	return reply;
}

std::string absolute(const std::string &path, std::string &error)
{
	char buf[PATH_MAX];
	if (!realpath(path.c_str(), buf)) {
		error = path + ": " + std::strerror(errno);
		return {};
	}
	return buf;
}

std::string invalidated_text(const nlohmann::json &inv)
{
	if (!inv.is_object())
		return "";
	return " (kernel caches dropped: " + count_text(inv.value("entries", std::uint64_t(0))) +
	       " entries, " + count_text(inv.value("inodes", std::uint64_t(0))) + " inodes)";
}

int run_attach(const attach_args &a)
{
	nlohmann::json req = {{"cmd", "attach"}};
	std::string err;
	if (!a.filter.empty()) {
		req["filter"] = absolute(a.filter, err);
		if (!err.empty()) {
			error_line(err);
			return exit_failure;
		}
	}
	if (!a.user_filter.empty()) {
		req["user_filter"] = absolute(a.user_filter, err);
		if (!err.empty()) {
			error_line(err);
			return exit_failure;
		}
	}
	if (!a.name.empty())
		req["name"] = a.name;
	if (!a.ops.empty())
		req["ops"] = a.ops;
	if (!a.user_filter_arg.empty())
		req["user_filter_arg"] = a.user_filter_arg;
	mount_location where;
	auto reply = call(a.path, req, where);
	if (!reply)
		return exit_failure;
	if (a.json) {
		std::cout << reply->dump() << "\n";
		return exit_ok;
	}
	std::printf("fusebpf: %s %s at %s on %s%s\n",
	            reply->value("replaced", false) ? "replaced by" : "attached",
	            (*reply)["binding"].value("description", std::string("?")).c_str(),
	            reply->value("path", std::string("/")).c_str(), where.mountpoint.c_str(),
	            invalidated_text((*reply)["invalidated"]).c_str());
	return exit_ok;
}

int run_detach(const detach_args &a)
{
	mount_location where;
	auto reply = call(a.path, {{"cmd", "detach"}, {"none", a.none}}, where);
	if (!reply)
		return exit_failure;
	if (a.json) {
		std::cout << reply->dump() << "\n";
		return exit_ok;
	}
	std::string path = reply->value("path", std::string("/"));
	if (a.none)
		std::printf("fusebpf: no table at %s on %s from now on%s\n", path.c_str(),
		            where.mountpoint.c_str(),
		            invalidated_text((*reply)["invalidated"]).c_str());
	else
		std::printf("fusebpf: detached %s from %s on %s; it now runs with %s%s\n",
		            reply->value("detached", std::string("?")).c_str(), path.c_str(),
		            where.mountpoint.c_str(),
		            (*reply)["now"].value("description", std::string("?")).c_str(),
		            invalidated_text((*reply)["invalidated"]).c_str());
	return exit_ok;
}

int run_status(const status_args &a)
{
	mount_location where;
	auto reply = call(a.path, {{"cmd", "status"}}, where);
	if (!reply)
		return exit_failure;
	if (a.json) {
		std::cout << reply->dump() << "\n";
		return exit_ok;
	}
	std::string log = reply->value("log", std::string("?"));
	std::printf("mount  %s\nroot   %s\nlog    %s\n", where.mountpoint.c_str(),
	            (*reply)["root"].value("description", std::string("none")).c_str(),
	            log == "syslog" ? "system log" : log.c_str());
	const auto &list = (*reply)["attachments"];
	if (list.empty()) {
		std::printf("\nnothing attached\n");
		return exit_ok;
	}
	std::printf("\n%-24s %-7s %s\n", "PATH", "SOURCE", "BINDING");
	for (const auto &e : list) {
		std::string desc = e["binding"].value("description", std::string("?"));
		if (e.contains("loaded_table") && e["loaded_table"].is_string())
			desc += ", loaded from " + e.value("object", std::string("?"));
		std::printf("%-24s %-7s %s\n", e.value("path", std::string("?")).c_str(),
		            e.value("source", std::string("?")).c_str(), desc.c_str());
	}
	return exit_ok;
}

int run_invalidate(const invalidate_args &a)
{
	nlohmann::json req = {{"cmd", "invalidate"}};
	if (a.table_id)
		req["table_id"] = a.table_id;
	mount_location where;
	auto reply = call(a.path, req, where);
	if (!reply)
		return exit_failure;
	if (a.json) {
		std::cout << reply->dump() << "\n";
		return exit_ok;
	}
	const auto &inv = (*reply)["invalidated"];
	std::printf("fusebpf: %s: dropped the kernel's caches of %s nodes (%s entries, "
	            "%s inodes)\n",
	            where.mountpoint.c_str(),
	            count_text(inv.value("nodes", std::uint64_t(0))).c_str(),
	            count_text(inv.value("entries", std::uint64_t(0))).c_str(),
	            count_text(inv.value("inodes", std::uint64_t(0))).c_str());
	return exit_ok;
}

constexpr const char *root_only =
    "Talks to the mount's daemon over its control socket\n"
    "/run/fusebpf/<connection>.sock (mode 0600, peers other than uid 0 are\n"
    "refused): root only.";

} // namespace

void add_attach_commands(CLI::App &root, command_list &commands)
{
	auto a = std::make_shared<attach_args>();
	CLI::App *attach = root.add_subcommand(
	    "attach",
	    std::string("Bind a filter to a live mount or one of its subtrees.\n\n"
	                "PATH is MOUNTPOINT (the whole mount) or a directory inside it: its\n"
	                "subtree gets the table, replacing what was attached there, and\n"
	                "every directory below inherits it unless it has one of its own. The\n"
	                "change is seen at once: the daemon drops the kernel's cached entries,\n"
	                "attributes and pages of the subtree. Ops already running finish\n"
	                "with the old table; none fails. Files opened before keep the data\n"
	                "path they were opened with (passthrough or not) until closed.\n") +
	        root_only);
	attach->add_option("PATH", a->path, "MOUNTPOINT or MOUNTPOINT/SUBDIR (a directory).")
	    ->required();
	CLI::Option *filter =
	    attach
	        ->add_option("--filter", a->filter,
	                     "A filter object to load: the daemon loads and pins it, and\n"
	                     "unloads it when it is detached or replaced, or at unmount.")
	        ->option_text("FILE.bpf.o");
	attach
	    ->add_option("--name", a->name,
	                 "Pin name of the --filter table (default: file name without\n"
	                 ".bpf.o, -d<daemon pid>-<n>).")
	    ->option_text("NAME")
	    ->needs(filter);
	attach
	    ->add_option("--ops", a->ops,
	                 "A table loaded with `fusebpf load` (map ID or name); never\n"
	                 "unloaded by the daemon.")
	    ->option_text("NAME|ID")
	    ->excludes(filter);
	attach
	    ->add_option("--user-filter", a->user_filter,
	                 "A userspace filter library to bind with the table (or alone).")
	    ->option_text("LIB.so");
	attach
	    ->add_option("--user-filter-arg", a->user_filter_arg,
	                 "A string passed to the library's factory function.")
	    ->option_text("STRING");
	attach->add_flag("--json", a->json, "Print the daemon's JSON answer.");
	attach->footer("EXAMPLES:\n"
	               "  fusebpf attach /mnt/data/private --filter deny.bpf.o\n"
	               "  fusebpf attach /mnt/data --ops hide      # replace the mount's table\n"
	               "  fusebpf attach /mnt/data/v --user-filter ./virtual.so\n"
	               "  fusebpf status /mnt/data");
	commands.push_back({attach, [a] {
		                    if (a->filter.empty() && a->ops.empty() &&
		                        a->user_filter.empty()) {
			                    error_line("attach: give --filter FILE.bpf.o, --ops "
			                               "NAME|ID or --user-filter LIB.so");
			                    return exit_usage;
		                    }
		                    return run_attach(*a);
	                    }});

	auto d = std::make_shared<detach_args>();
	CLI::App *detach = root.add_subcommand(
	    "detach",
	    std::string("Remove the filter attached at a directory of a live mount.\n\n"
	                "At a subdirectory, the subtree inherits its parent's table again.\n"
	                "At MOUNTPOINT, the mount runs with no table. With --none, the\n"
	                "subtree runs with no table even if an ancestor has one (a binding\n"
	                "of its own that `fusebpf detach` without --none removes again).\n"
	                "Detaching where nothing is attached is an error. A table the daemon\n"
	                "loaded (attach --filter) is unloaded. Kernel caches are dropped as\n"
	                "for attach.\n") +
	        root_only);
	detach->add_option("PATH", d->path, "MOUNTPOINT or MOUNTPOINT/SUBDIR.")->required();
	detach->add_flag("--none", d->none, "Run the subtree with no table at all.");
	detach->add_flag("--json", d->json, "Print the daemon's JSON answer.");
	detach->footer("EXAMPLES:\n"
	               "  fusebpf detach /mnt/data/private        # inherit /mnt/data's table\n"
	               "  fusebpf detach --none /mnt/data/fast     # no filters below fast/\n"
	               "  fusebpf detach /mnt/data                # the mount without a table");
	commands.push_back({detach, [d] { return run_detach(*d); }});

	auto s = std::make_shared<status_args>();
	CLI::App *status = root.add_subcommand(
	    "status",
	    std::string("Show which filters are attached where on a mount.\n\n"
	                "Lists what the root resolves to, where the daemon logs (system log,\n"
	                "a file, or stderr for -f) and every attachment: the directory\n"
	                "(relative to the mount), where it came from (mount or attach) and\n"
	                "the binding (table name and map ID, user filter). --json adds the\n"
	                "ops each binding filters.\n") +
	        root_only);
	status->add_option("MOUNTPOINT", s->path, "The mount (or any path inside it).")->required();
	status->add_flag("--json", s->json, "Print one JSON object.");
	status->footer("EXAMPLES:\n"
	               "  fusebpf status /mnt/data\n"
	               "  fusebpf status --json /mnt/data | jq '.attachments[].path'");
	commands.push_back({status, [s] { return run_status(*s); }});

	auto v = std::make_shared<invalidate_args>();
	CLI::App *invalidate = root.add_subcommand(
	    "invalidate",
	    std::string("Drop the kernel's caches of a mount, so filters are asked again.\n\n"
	                "After a filter's map changed (a hide list, a policy), cached entries\n"
	                "and attributes would keep the old answers until they expire; this\n"
	                "drops every entry, attribute and page the kernel caches for the\n"
	                "mount, or with --table only for nodes whose binding uses that table.\n") +
	        root_only);
	invalidate->add_option("MOUNTPOINT", v->path, "The mount (or any path inside it).")
	    ->required();
	invalidate
	    ->add_option("--table", v->table_id,
	                 "Only nodes filtered by the table with this map ID.")
	    ->option_text("ID")
	    ->check(CLI::PositiveNumber);
	invalidate->add_flag("--json", v->json, "Print the daemon's JSON answer.");
	invalidate->footer("EXAMPLES:\n"
	                   "  fusebpf invalidate /mnt/data\n"
	                   "  fusebpf invalidate --table 42 /mnt/data");
	commands.push_back({invalidate, [v] { return run_invalidate(*v); }});
}

} // namespace fusebpf::cli
