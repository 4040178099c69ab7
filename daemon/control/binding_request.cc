// SPDX-License-Identifier: GPL-2.0-or-later
//
// binding_request: binding specs -> bindings, with the daemon's own loads
// unpinned by RAII; see binding_request.h.
#include "daemon/control/binding_request.h"

#include "daemon/filter/binding_source.h"
#include "daemon/filter/user_filter_library.h"
#include "loader/load.h"
#include "loader/tables.h"

#include <spdlog/spdlog.h>

#include <unistd.h>

#include <cctype>
#include <cerrno>

namespace fusebpf::daemon {

loaded_table::~loaded_table()
{
	auto r = loader::unload_table(pin_root_, name_);
	if (r)
		spdlog::info("unloaded table {}", name_);
	else
		spdlog::warn("cannot unload table {}: {}", name_, r.message());
}

std::string default_table_name(const std::string &object_path, unsigned attach_number)
{
	std::string stem = object_path.substr(object_path.rfind('/') + 1);
	for (const char *suffix : {".bpf.o", ".o"})
		if (stem.size() > std::string_view(suffix).size() &&
		    stem.ends_with(std::string_view(suffix))) {
			stem.resize(stem.size() - std::string_view(suffix).size());
			break;
		}
	for (char &c : stem)
		if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-')
			c = '_';
	std::string suffix = "-d" + std::to_string(getpid());
	if (attach_number)
		suffix += "-" + std::to_string(attach_number);
	// Table names are at most 63 bytes (loader::check_table_name).
	if (stem.size() + suffix.size() > 63)
		stem.resize(63 - suffix.size());
	if (stem.empty())
		stem = "filter";
	return stem + suffix;
}

loader::result<made_binding> make_binding(const binding_spec &spec, unsigned attach_number)
{
	made_binding made;
	if (spec.none) {
		if (!spec.filter_object.empty() || !spec.ops.empty() || !spec.user_filter.empty())
			return loader::error{
			    "--none binds no table: it takes no --filter, --ops or "
			    "--user-filter",
			    EINVAL};
		made.binding = filter::binding::none();
		return made;
	}
	if (!spec.filter_object.empty() && !spec.ops.empty())
		return loader::error{"give either --filter FILE.bpf.o or --ops NAME|ID, not both",
		                     EINVAL};
	if (spec.empty())
		return loader::error{"nothing to attach: give --filter FILE.bpf.o, --ops NAME|ID "
		                     "or --user-filter LIB.so",
		                     EINVAL};

	std::shared_ptr<const loader::ops_table> table;
	if (!spec.filter_object.empty()) {
		loader::load_options o;
		o.name = spec.table_name.empty()
		             ? default_table_name(spec.filter_object, attach_number)
		             : spec.table_name;
		auto info = loader::load_filter(spec.filter_object, o);
		if (!info)
			return loader::error{info.message(), info.err().errno_value};
		made.loaded = std::make_shared<loaded_table>(info->name, o.pin_root);
		made.filter_object = spec.filter_object;
		spdlog::info("loaded {} as table {} (map ID {})", spec.filter_object, info->name,
		             info->id);
		// By its pinned name, which the binding then shows (a map ID would
		// give the kernel's 15-character map name).
		auto opened = filter::open_table(info->name, o.pin_root);
		if (!opened)
			return loader::error{"table " + info->name + " loaded from " +
			                         spec.filter_object + ": " + opened.message(),
			                     opened.err().errno_value};
		table = std::move(*opened);
	} else if (!spec.ops.empty()) {
		// A map ID is opened through its pin when it has one, for the name.
		auto pinned = loader::resolve_table(loader::default_pin_root, spec.ops);
		auto opened = filter::open_table(pinned ? *pinned : spec.ops);
		if (!opened)
			return loader::error{"--ops " + spec.ops + ": " + opened.message(),
			                     opened.err().errno_value};
		table = std::move(*opened);
	} else if (!spec.table_name.empty()) {
		return loader::error{"--name names the table --filter loads: it needs --filter",
		                     EINVAL};
	}

	std::shared_ptr<filter::user_filter> user;
	if (!spec.user_filter.empty()) {
		auto lib = filter::load_user_filter(spec.user_filter, spec.user_filter_arg);
		if (!lib)
			return loader::error{"--user-filter " + spec.user_filter + ": " +
			                         lib.message(),
			                     lib.err().errno_value};
		user = std::move(*lib);
		made.user_filter = spec.user_filter;
	}
	made.binding = filter::binding::make(std::move(table), std::move(user));
	return made;
}

} // namespace fusebpf::daemon
