// SPDX-License-Identifier: GPL-2.0-or-later
//
// `fusebpf map list|dump|set|delete`: read and change a loaded filter's own
// maps (deny lists, policies) through their pins, with keys and values
// typed as text or numbers (map_codec.h picks how from the map's BTF).
//
// After a change, every fusebpf mount whose bindings use the table is told
// to drop the kernel's cached entries and attributes (control command
// {"cmd":"invalidate","table_id":N}), so that a name added to a deny list
// vanishes at once rather than when its entry times out.  Differs from
// `bpftool map update pinned ...`, which takes hex bytes and invalidates
// nothing.  Limits: one key per call; ring buffers and prog arrays are not
// dumped (use `fusebpf trace`, `fusebpf inspect`).
#include "cli/command.h"
#include "cli/map_codec.h"
#include "cli/readable.h"
#include "cli/table_access.h"

#include "common/unique_fd.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace fusebpf::cli {
namespace {

struct map_args {
	std::string table;
	std::string map;
	std::string key;
	std::string value;
	bool json = false;
};

void error_line(const std::string &cmd, const std::string &msg)
{
	std::fprintf(stderr, "fusebpf map %s: %s\n", cmd.c_str(), msg.c_str());
}

// One opened map: its fd, kernel info and the kinds of its keys and values.
struct opened_map {
	loader::table_info table;
	loader::map_info info;
	unique_fd fd;
	map_field key, value;
	std::uint32_t kernel_type = 0;
};

struct btf_deleter {
	void operator()(struct btf *b) const { btf__free(b); }
};

// Opens MAP of TABLE; on failure prints the error and returns false.
bool open_map(const std::string &cmd, const map_args &a, opened_map &m)
{
	auto t = find_table(a.table);
	if (!t) {
		error_line(cmd, t.message());
		return false;
	}
	m.table = std::move(*t);
	const loader::map_info *found = nullptr;
	for (const auto &mi : m.table.maps)
		if (mi.name == a.map)
			found = &mi;
	if (!found) {
		std::string names;
		for (const auto &mi : m.table.maps)
			names += (names.empty() ? "" : ", ") + mi.name;
		error_line(cmd, "table " + m.table.name + " has no map '" + a.map +
		                    "' (its maps: " + (names.empty() ? "none" : names) + ")");
		return false;
	}
	m.info = *found;
	m.fd.reset(bpf_obj_get(m.info.pin.c_str()));
	if (m.fd.get() < 0) {
		error_line(cmd, m.info.pin + ": " + std::strerror(errno));
		return false;
	}
	struct bpf_map_info info {};
	__u32 len = sizeof(info);
	if (bpf_obj_get_info_by_fd(m.fd.get(), &info, &len)) {
		error_line(cmd, m.info.pin + ": " + std::strerror(errno));
		return false;
	}
	m.kernel_type = info.type;
	std::unique_ptr<struct btf, btf_deleter> btf;
	if (info.btf_id)
		btf.reset(btf__load_from_kernel_by_id(info.btf_id));
	m.key = field_of(btf.get(), btf ? info.btf_key_type_id : 0, info.key_size);
	m.value = field_of(btf.get(), btf ? info.btf_value_type_id : 0, info.value_size);
	return true;
}

bool holds_entries(const opened_map &m)
{
	switch (m.kernel_type) {
	case BPF_MAP_TYPE_RINGBUF:
	case BPF_MAP_TYPE_PROG_ARRAY:
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
		return false;
	default:
		return m.info.max_entries > 0;
	}
}

// Tells the mounts; prints what happened.
void invalidate_after_change(const opened_map &m)
{
	std::vector<std::string> warnings;
	unsigned n = invalidate_mounts_using(m.table.id, warnings);
	for (const auto &w : warnings)
		std::fprintf(stderr, "fusebpf map: warning: %s\n", w.c_str());
	if (n)
		std::printf("fusebpf: dropped the kernel caches of %s mount%s using table %s\n",
		            count_text(n).c_str(), n == 1 ? "" : "s", m.table.name.c_str());
}

int run_list(const map_args &a)
{
	auto t = find_table(a.table);
	if (!t) {
		error_line("list", t.message());
		return exit_failure;
	}
	nlohmann::json rows = nlohmann::json::array();
	for (const auto &mi : t->maps) {
		map_args one = a;
		one.map = mi.name;
		opened_map m;
		if (!open_map("list", one, m))
			return exit_failure;
		rows.push_back({{"name", mi.name},
		                {"id", mi.id},
		                {"type", mi.type},
		                {"max_entries", mi.max_entries},
		                {"key", m.key.describe()},
		                {"value", m.value.describe()},
		                {"pin", mi.pin}});
	}
	if (a.json) {
		std::cout
		    << nlohmann::json{{"table", t->name}, {"id", t->id}, {"maps", rows}}.dump()
		    << "\n";
		return exit_ok;
	}
	std::printf("table %s (map ID %u)\n", t->name.c_str(), t->id);
	std::printf("%-16s %-8s %-10s %-12s %-14s %-14s %s\n", "MAP", "ID", "TYPE", "MAX_ENTRIES",
	            "KEY", "VALUE", "PIN");
	for (const auto &r : rows)
		std::printf(
		    "%-16s %-8u %-10s %-12s %-14s %-14s %s\n", r["name"].get<std::string>().c_str(),
		    r["id"].get<unsigned>(), r["type"].get<std::string>().c_str(),
		    count_text(r["max_entries"].get<unsigned>()).c_str(),
		    r["key"].get<std::string>().c_str(), r["value"].get<std::string>().c_str(),
		    r["pin"].get<std::string>().c_str());
	return exit_ok;
}

int run_dump(const map_args &a)
{
	opened_map m;
	if (!open_map("dump", a, m))
		return exit_failure;
	if (!holds_entries(m)) {
		error_line("dump", "map " + a.map + " is a " + m.info.type +
		                       ": it has no entries to dump" +
		                       (m.kernel_type == BPF_MAP_TYPE_RINGBUF
		                            ? " (read its events with fusebpf trace)"
		                            : ""));
		return exit_failure;
	}
	std::vector<unsigned char> key(m.key.size), next(m.key.size), value(m.value.size);
	nlohmann::json entries = nlohmann::json::array();
	std::vector<std::pair<std::string, std::string>> rows; // for people
	const void *prev = nullptr;
	while (bpf_map_get_next_key(m.fd.get(), prev, next.data()) == 0) {
		key = next;
		prev = key.data();
		if (bpf_map_lookup_elem(m.fd.get(), key.data(), value.data()))
			continue; // deleted meanwhile
		entries.push_back({{"key", decode(m.key, key.data(), decode_style::raw)},
		                   {"value", decode(m.value, value.data(), decode_style::raw)}});
		rows.emplace_back(decode(m.key, key.data(), decode_style::people),
		                  decode(m.value, value.data(), decode_style::people));
	}
	if (a.json) {
		std::cout << nlohmann::json{{"table", m.table.name},
		                            {"map", a.map},
		                            {"entries", entries}}
		                 .dump()
		          << "\n";
		return exit_ok;
	}
	std::printf("%-32s %s\n", "KEY", "VALUE");
	for (const auto &[k, v] : rows)
		std::printf("%-32s %s\n", k.c_str(), v.c_str());
	return exit_ok;
}

int run_set(const map_args &a)
{
	opened_map m;
	if (!open_map("set", a, m))
		return exit_failure;
	if (!holds_entries(m)) {
		error_line("set",
		           "map " + a.map + " is a " + m.info.type + ": it takes no entries");
		return exit_failure;
	}
	std::vector<unsigned char> key, value;
	if (auto err = encode(m.key, a.key, key)) {
		error_line("set", "key: " + *err);
		return exit_usage;
	}
	std::string text = a.value;
	if (text.empty()) {
		if (m.value.k != map_field::kind::integer) {
			error_line("set",
			           "map " + a.map + " needs a VALUE (" + m.value.describe() + ")");
			return exit_usage;
		}
		text = "1"; // a set membership: deny lists and the like
	}
	if (auto err = encode(m.value, text, value)) {
		error_line("set", "value: " + *err);
		return exit_usage;
	}
	if (bpf_map_update_elem(m.fd.get(), key.data(), value.data(), BPF_ANY)) {
		int e = errno;
		error_line("set", m.table.name + "/" + a.map + "[" + a.key + "]: " +
		                      std::strerror(e) + (e == E2BIG ? " (the map is full)" : "") +
		                      (e == EPERM ? " (a read-only map, e.g. .rodata)" : ""));
		return exit_failure;
	}
	std::printf("fusebpf: %s/%s[%s] = %s\n", m.table.name.c_str(), a.map.c_str(), a.key.c_str(),
	            text.c_str());
	invalidate_after_change(m);
	return exit_ok;
}

int run_delete(const map_args &a)
{
	opened_map m;
	if (!open_map("delete", a, m))
		return exit_failure;
	std::vector<unsigned char> key;
	if (auto err = encode(m.key, a.key, key)) {
		error_line("delete", "key: " + *err);
		return exit_usage;
	}
	if (bpf_map_delete_elem(m.fd.get(), key.data())) {
		int e = errno;
		error_line("delete",
		           m.table.name + "/" + a.map + "[" + a.key + "]: " +
		               (e == ENOENT ? std::string("no such key") : std::strerror(e)));
		return exit_failure;
	}
	std::printf("fusebpf: deleted %s/%s[%s]\n", m.table.name.c_str(), a.map.c_str(),
	            a.key.c_str());
	invalidate_after_change(m);
	return exit_ok;
}

void add_table_option(CLI::App *cmd, map_args &a)
{
	cmd->add_option("TABLE", a.table,
	                "The table: its name or map ID (fusebpf list), or a fusebpf\n"
	                "MOUNTPOINT (the table bound at its root, e.g. one that\n"
	                "`fusebpf mount --filter` loaded).")
	    ->required();
}

} // namespace

void add_map_commands(CLI::App &root, command_list &commands)
{
	CLI::App *map = root.add_subcommand(
	    "map", "Read and change a loaded filter's maps (deny lists, policies).\n\n"
	           "A filter's own maps are pinned with its table under\n"
	           "/sys/fs/bpf/fusebpf/TABLE/maps/. Keys and values are typed as text or\n"
	           "numbers: the map's BTF says which (char arrays and structs made of one\n"
	           "are strings, zero-padded; ints and enums are numbers, and a number at\n"
	           "a limit of its type shows as, and may be typed as, U32_MAX, S64_MIN...;\n"
	           "structs of numbers and strings show member by member, dev=3,name=log,\n"
	           "or, for two numbers named lo/hi, min/max, start/end..., as a range\n"
	           "0..U32_MAX, and are typed the same way or as hex; other types are hex\n"
	           "bytes). --json shows numbers as digits and structs as hex. After `set` or "
	           "`delete`, every fusebpf mount that uses the\n"
	           "table drops the kernel's cached entries and attributes, so the change\n"
	           "shows at once. bpftool works on the same pins but takes hex bytes and\n"
	           "leaves the caches alone.");
	map->require_subcommand(1);
	map->footer("EXAMPLES:\n"
	            "  fusebpf map list /mnt/data                      # the maps of its table\n"
	            "  fusebpf map set /mnt/data deny_list secret.txt  # hide a name at once\n"
	            "  fusebpf map dump hide deny_list\n"
	            "  fusebpf map delete hide deny_list secret.txt\n"
	            "  fusebpf map set uid_policy uid_dir 1001 app1001");

	auto l = std::make_shared<map_args>();
	CLI::App *list = map->add_subcommand("list", "List the maps of a table with their types.");
	add_table_option(list, *l);
	list->add_flag("--json", l->json, "Print one JSON object.");
	commands.push_back({list, [l] { return run_list(*l); }});

	auto d = std::make_shared<map_args>();
	CLI::App *dump = map->add_subcommand("dump", "Print every entry of a map.");
	add_table_option(dump, *d);
	dump->add_option("MAP", d->map, "The map's name (fusebpf map list).")->required();
	dump->add_flag("--json", d->json,
	               "Print one JSON object: {\"table\", \"map\", \"entries\": [{\"key\", "
	               "\"value\"}]}.");
	commands.push_back({dump, [d] { return run_dump(*d); }});

	auto s = std::make_shared<map_args>();
	CLI::App *set = map->add_subcommand(
	    "set", "Add or replace one entry, then drop the caches of the mounts using it.\n\n"
	           "VALUE defaults to 1 when the map's values are numbers (set membership).");
	add_table_option(set, *s);
	set->add_option("MAP", s->map, "The map's name.")->required();
	set->add_option("KEY", s->key, "The key: text, a number, or hex bytes.")->required();
	set->add_option("VALUE", s->value, "The value (default 1 for numbers).");
	commands.push_back({set, [s] { return run_set(*s); }});

	auto x = std::make_shared<map_args>();
	CLI::App *del = map->add_subcommand(
	    "delete", "Delete one entry, then drop the caches of the mounts using it.");
	add_table_option(del, *x);
	del->add_option("MAP", x->map, "The map's name.")->required();
	del->add_option("KEY", x->key, "The key.")->required();
	commands.push_back({del, [x] { return run_delete(*x); }});
}

} // namespace fusebpf::cli
