// SPDX-License-Identifier: GPL-2.0-or-later
//
// Reading loaded tables back from bpffs and the kernel; see tables.h.
#include "loader/tables.h"

#include "common/unique_fd.h"
#include "loader/sections.h"

#include <fusebpf/filter_abi.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <map>
#include <sys/stat.h>

namespace fusebpf::loader {

namespace {

std::string errno_text(int e)
{
	return std::strerror(e);
}

bool all_digits(std::string_view s)
{
	return !s.empty() &&
	       std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

result<unique_fd> open_pin(const std::string &path)
{
	unique_fd fd(bpf_obj_get(path.c_str()));
	if (!fd) {
		int e = errno;
		return error{"cannot open pinned object " + path + ": " + errno_text(e), e};
	}
	return fd;
}

std::vector<std::string> entries_of(const std::string &dir)
{
	std::vector<std::string> names;
	DIR *d = ::opendir(dir.c_str());
	if (!d)
		return names;
	while (struct dirent *ent = ::readdir(d)) {
		std::string_view n = ent->d_name;
		if (n != "." && n != "..")
			names.emplace_back(n);
	}
	::closedir(d);
	std::sort(names.begin(), names.end());
	return names;
}

} // namespace

result<program_info> program_info_of_fd(int fd)
{
	bpf_prog_info info{};
	__u32 len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0) {
		int e = errno;
		return error{"cannot read program info: " + errno_text(e), e};
	}
	program_info out;
	out.id = info.id;
	out.name = info.name;
	const char *type = libbpf_bpf_prog_type_str(static_cast<enum bpf_prog_type>(info.type));
	out.type = type ? type : std::to_string(info.type);
	out.xlated_insns = info.xlated_prog_len / 8; // sizeof(struct bpf_insn)
	out.jited_bytes = info.jited_prog_len;
	out.verified_insns = info.verified_insns;
	out.run_count = info.run_cnt;
	out.run_time_ns = info.run_time_ns;
	return out;
}

result<map_info> map_info_of_fd(int fd)
{
	bpf_map_info info{};
	__u32 len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0) {
		int e = errno;
		return error{"cannot read map info: " + errno_text(e), e};
	}
	map_info out;
	out.id = info.id;
	out.name = info.name;
	const char *type = libbpf_bpf_map_type_str(static_cast<enum bpf_map_type>(info.type));
	out.type = type ? type : std::to_string(info.type);
	out.max_entries = info.max_entries;
	return out;
}

result<table_info> read_table(std::string_view pin_root, std::string_view name)
{
	table_info t;
	t.name = std::string(name);
	t.pin_dir = table_dir(pin_root, name);
	auto table = open_pin(table_pin(pin_root, name));
	if (!table) {
		if (table.err().errno_value == ENOENT)
			return error{"no table named '" + std::string(name) + "' is loaded (" +
			                 t.pin_dir + "/table does not exist)",
			             ENOENT};
		return std::move(table).err();
	}
	auto tinfo = map_info_of_fd(table->get());
	if (!tinfo)
		return std::move(tinfo).err();
	t.id = tinfo->id;
	t.slot_count = tinfo->max_entries;

	// The kernel cuts program names at 15 bytes; the pins carry the full ones.
	std::map<std::uint32_t, std::string> pinned_names;
	std::string progs_dir = t.pin_dir + "/progs";
	for (const auto &entry : entries_of(progs_dir)) {
		auto fd = open_pin(progs_dir + "/" + entry);
		if (!fd)
			continue;
		if (auto pinfo = program_info_of_fd(fd->get()))
			pinned_names[pinfo->id] = entry;
	}

	for (std::uint32_t slot = 0; slot < t.slot_count; slot++) {
		// A userspace lookup in a prog array returns the program's ID.
		__u32 prog_id = 0;
		if (bpf_map_lookup_elem(table->get(), &slot, &prog_id) != 0)
			continue; // empty slot (ENOENT)
		unique_fd prog(bpf_prog_get_fd_by_id(prog_id));
		if (!prog)
			continue; // freed meanwhile
		auto pinfo = program_info_of_fd(prog.get());
		if (!pinfo)
			return std::move(pinfo).err();
		if (auto it = pinned_names.find(pinfo->id); it != pinned_names.end())
			pinfo->name = it->second;
		slot_name sn = describe_slot(slot);
		t.slots.push_back({slot, sn.op, sn.side, section_of_slot(slot), std::move(*pinfo)});
	}

	std::string maps_dir = t.pin_dir + "/maps";
	for (const auto &entry : entries_of(maps_dir)) {
		auto fd = open_pin(maps_dir + "/" + entry);
		if (!fd)
			continue; // not a map pin
		auto minfo = map_info_of_fd(fd->get());
		if (!minfo)
			continue;
		minfo->pin = maps_dir + "/" + entry;
		minfo->name = entry; // the pin's name: the kernel's is cut at 15 bytes
		t.maps.push_back(std::move(*minfo));
	}
	return t;
}

result<std::vector<table_info>> list_tables(std::string_view pin_root)
{
	std::vector<table_info> tables;
	for (const auto &name : entries_of(std::string(pin_root))) {
		auto t = read_table(pin_root, name);
		if (t)
			tables.push_back(std::move(*t));
		else if (t.err().errno_value != ENOENT)
			return std::move(t).err();
	}
	return tables;
}

result<std::string> resolve_table(std::string_view pin_root, std::string_view name_or_id)
{
	if (!all_digits(name_or_id)) {
		struct stat st {};
		std::string pin = table_pin(pin_root, name_or_id);
		if (::stat(pin.c_str(), &st) != 0)
			return error{"no table named '" + std::string(name_or_id) +
			                 "' is loaded (see fusebpf list)",
			             ENOENT};
		return std::string(name_or_id);
	}
	auto tables = list_tables(pin_root);
	if (!tables)
		return std::move(tables).err();
	for (const auto &t : *tables)
		if (std::to_string(t.id) == name_or_id)
			return t.name;
	return error{"no loaded table has map ID " + std::string(name_or_id) +
	                 " (see fusebpf list; tables are found by their pins under " +
	                 std::string(pin_root) + ")",
	             ENOENT};
}

status unload_table(std::string_view pin_root, std::string_view name_or_id)
{
	auto name = resolve_table(pin_root, name_or_id);
	if (!name)
		return std::move(name).err();
	return remove_table_dir(table_dir(pin_root, *name));
}

} // namespace fusebpf::loader
