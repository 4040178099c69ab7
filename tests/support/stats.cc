// SPDX-License-Identifier: GPL-2.0-or-later
//
// stats implementation: one `fusebpf stats --json` run per call.
#include "tests/support/stats.h"

#include "tests/support/process.h"

namespace fusebpf::test {

std::optional<nlohmann::json> read_stats(const std::string &mountpoint, std::string &why)
{
	std::vector<std::string> argv{cli_path(), "stats", mountpoint, "--json"};
	auto r = run_command(argv, 30000);
	if (!r.exited_ok()) {
		why = shell_join(argv) + ": " + r.describe() + "\nstderr: " + r.err;
		return std::nullopt;
	}
	auto j = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
	if (j.is_discarded() || !j.is_object()) {
		why = shell_join(argv) + ": stdout is not one JSON object:\n" + r.out;
		return std::nullopt;
	}
	return j;
}

std::optional<uint64_t> op_counter(const nlohmann::json &stats, const std::string &op,
                                   const std::string &field)
{
	auto ops = stats.find("ops");
	if (ops == stats.end() || !ops->is_object())
		return std::nullopt;
	auto entry = ops->find(op);
	if (entry == ops->end() || !entry->is_object())
		return std::nullopt;
	auto value = entry->find(field);
	if (value == entry->end() || !value->is_number_unsigned())
		return std::nullopt;
	return value->get<uint64_t>();
}

} // namespace fusebpf::test
