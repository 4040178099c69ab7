// SPDX-License-Identifier: GPL-2.0-or-later
//
// table_access: tables by name, ID or mountpoint; cache invalidation of the
// mounts that use a table (see table_access.h).
#include "cli/table_access.h"

#include "daemon/control/control_server.h"
#include "daemon/fuse/mounter.h"

#include <climits>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <optional>
#include <set>

namespace fusebpf::cli {
namespace {

using loader::error;
using loader::table_info;

// The map ID of a describe() object's table, if it has one.  The ID, not
// the name: describe() gives the kernel's map name, which may differ from
// the pin name (bpffs allows '-', map names do not).
void add_table_of(const nlohmann::json &binding, std::vector<std::string> &ids)
{
	if (!binding.is_object())
		return;
	auto t = binding.find("table");
	if (t == binding.end() || !t->is_object())
		return;
	std::uint32_t id = t->value("id", 0u);
	if (id)
		ids.push_back(std::to_string(id));
}

// The map IDs of the tables bound on a mount (its root and attachments),
// from its daemon's `status`; nullopt with `err` if it does not answer.
std::optional<std::vector<std::string>> bound_table_ids(const std::string &mountpoint,
                                                        std::string &err)
{
	auto reply = fusebpf::daemon::control_call(mountpoint, {{"cmd", "status"}}, err);
	if (!reply)
		return std::nullopt;
	if (!reply->value("ok", false)) {
		err = mountpoint +
		      ": the daemon refused `status`: " + reply->value("error", std::string("?"));
		return std::nullopt;
	}
	std::vector<std::string> ids;
	add_table_of(reply->value("root", nlohmann::json::object()), ids);
	for (const auto &a : reply->value("attachments", nlohmann::json::array()))
		add_table_of(a.value("binding", nlohmann::json::object()), ids);
	return ids;
}

} // namespace

bool looks_like_path(const std::string &arg)
{
	return arg.find('/') != std::string::npos || arg == "." || arg == "..";
}

loader::result<std::vector<table_info>> tables_of_mount(const std::string &mountpoint)
{
	char buf[PATH_MAX];
	if (!realpath(mountpoint.c_str(), buf))
		return error{mountpoint + ": " + std::strerror(errno), errno};
	std::string err;
	auto names = bound_table_ids(buf, err);
	if (!names)
		return error{err};
	std::vector<table_info> tables;
	std::set<std::string> seen;
	for (const auto &id : *names) {
		if (!seen.insert(id).second)
			continue;
		auto name = loader::resolve_table(loader::default_pin_root, id);
		if (!name)
			return std::move(name).err();
		auto t = loader::read_table(loader::default_pin_root, *name);
		if (!t)
			return std::move(t).err();
		tables.push_back(std::move(*t));
	}
	return tables;
}

loader::result<table_info> find_table(const std::string &arg)
{
	if (looks_like_path(arg)) {
		auto tables = tables_of_mount(arg);
		if (!tables)
			return std::move(tables).err();
		if (tables->empty())
			return error{arg +
			             ": no ops table is bound on this mount (fusebpf status " +
			             arg + ")"};
		return std::move(tables->front());
	}
	auto name = loader::resolve_table(loader::default_pin_root, arg);
	if (!name)
		return std::move(name).err();
	return loader::read_table(loader::default_pin_root, *name);
}

std::vector<std::string> fusebpf_mounts()
{
	std::vector<std::string> mounts;
	for (const auto &m : fusebpf::daemon::read_mountinfo())
		if (m.fstype == "fuse.fusebpf")
			mounts.push_back(m.mountpoint);
	return mounts;
}

std::vector<std::string> mounts_using(std::uint32_t table_id, std::vector<std::string> &warnings)
{
	std::vector<std::string> using_it;
	for (const auto &mnt : fusebpf_mounts()) {
		std::string err;
		auto ids = bound_table_ids(mnt, err);
		if (!ids)
			warnings.push_back(err);
		else if (std::find(ids->begin(), ids->end(), std::to_string(table_id)) !=
		         ids->end())
			using_it.push_back(mnt);
	}
	return using_it;
}

unsigned invalidate_mounts_using(std::uint32_t table_id, std::vector<std::string> &warnings)
{
	unsigned done = 0;
	for (const auto &mnt : fusebpf_mounts()) {
		std::string err;
		auto reply = fusebpf::daemon::control_call(
		    mnt, {{"cmd", "invalidate"}, {"table_id", table_id}}, err);
		if (!reply)
			warnings.push_back(mnt + ": " + err);
		else if (!reply->value("ok", false))
			warnings.push_back(mnt + ": the daemon refused to invalidate its caches: " +
			                   reply->value("error", std::string("?")));
		else if (reply->value(nlohmann::json::json_pointer("/invalidated/nodes"), 0) > 0)
			done++;
	}
	return done;
}

} // namespace fusebpf::cli
