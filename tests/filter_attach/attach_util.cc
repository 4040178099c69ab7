// SPDX-License-Identifier: GPL-2.0-or-later
//
// attach_util: see attach_util.h.
#include "tests/filter_attach/attach_util.h"

#include "loader/tables.h"

#include <sys/stat.h>

#include <cerrno>
#include <fstream>
#include <sstream>

namespace fusebpf::attach_test {

test::command_result cli(const std::vector<std::string> &args, int timeout_ms)
{
	std::vector<std::string> argv{test::cli_path()};
	argv.insert(argv.end(), args.begin(), args.end());
	return test::run_command(argv, timeout_ms);
}

std::optional<nlohmann::json> cli_json(std::vector<std::string> args, std::string &why)
{
	args.push_back("--json");
	test::command_result r = cli(args);
	std::vector<std::string> argv{"fusebpf"};
	argv.insert(argv.end(), args.begin(), args.end());
	if (!r.exited_ok()) {
		why = test::shell_join(argv) + ": " + r.describe() + ": " + r.err;
		return std::nullopt;
	}
	try {
		return nlohmann::json::parse(r.out);
	} catch (const std::exception &e) {
		why = test::shell_join(argv) + " printed no JSON (" + e.what() + "): " + r.out;
		return std::nullopt;
	}
}

void write_file(const std::string &path, const std::string &text)
{
	std::ofstream(path) << text;
}

int stat_errno(const std::string &path)
{
	struct stat st;
	return stat(path.c_str(), &st) == 0 ? 0 : errno;
}

bool table_pinned(const std::string &name)
{
	return static_cast<bool>(loader::read_table(loader::default_pin_root, name));
}

std::vector<std::string> pinned_tables_starting(const std::string &prefix)
{
	std::vector<std::string> names;
	auto tables = loader::list_tables(loader::default_pin_root);
	if (tables)
		for (const auto &t : *tables)
			if (t.name.rfind(prefix, 0) == 0)
				names.push_back(t.name);
	return names;
}

} // namespace fusebpf::attach_test
