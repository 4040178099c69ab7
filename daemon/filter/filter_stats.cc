// SPDX-License-Identifier: GPL-2.0-or-later
//
// filter_stats: verdict kinds, JSON and the human table; see filter_stats.h.
#include "daemon/filter/filter_stats.h"

#include "daemon/filter/op_traits.h"

#include <fusebpf/filter_abi.h>

#include <cstdio>

namespace fusebpf::filter {

verdict_kind kind_of_verdict(int verdict)
{
	switch (verdict) {
	case BPF_FUSE_CONTINUE:
		return verdict_kind::continue_;
	case BPF_FUSE_USER:
		return verdict_kind::user;
	case BPF_FUSE_USER_PREFILTER:
		return verdict_kind::user_prefilter;
	case BPF_FUSE_POSTFILTER:
		return verdict_kind::postfilter;
	case BPF_FUSE_USER_POSTFILTER:
		return verdict_kind::user_postfilter;
	case BPF_FUSE_CALL_DEFAULT:
		return verdict_kind::call_default;
	default:
		return verdict < 0 ? verdict_kind::error_code : verdict_kind::count_;
	}
}

const char *verdict_kind_name(verdict_kind k)
{
	static constexpr const char *names[] = {
	    "CONTINUE",        "USER",         "USER_PREFILTER", "POSTFILTER",
	    "USER_POSTFILTER", "CALL_DEFAULT", "errno"};
	return k < verdict_kind::count_ ? names[static_cast<int>(k)] : "invalid";
}

static constexpr const char *user_call_names[] = {"handler", "prefilter", "postfilter"};
static constexpr const char *filter_error_names[] = {"invalid_verdict", "run_failure",
                                                     "user_exception"};

std::uint64_t filter_stats::user_fallbacks(std::uint32_t opcode) const
{
	std::uint64_t n = 0;
	for (const auto &c : at(opcode).user)
		n += get(c);
	return n;
}

std::uint64_t filter_stats::total_bpf_runs() const
{
	std::uint64_t n = 0;
	for (std::uint32_t op = 0; op < FUSE_OPCODE_MAX; op++)
		n += bpf_runs(op);
	return n;
}

std::uint64_t filter_stats::total_errors(filter_error e) const
{
	std::uint64_t n = 0;
	for (std::uint32_t op = 0; op < FUSE_OPCODE_MAX; op++)
		n += errors(op, e);
	return n;
}

nlohmann::json filter_stats::opcode_json(std::uint32_t opcode) const
{
	const counters &c = at(opcode);
	nlohmann::json j;
	j["filtered"] = get(c.filtered);
	j["bpf_runs"] = get(c.bpf_runs);
	nlohmann::json verdicts = nlohmann::json::object();
	for (int k = 0; k < static_cast<int>(verdict_kind::count_); k++)
		verdicts[verdict_kind_name(static_cast<verdict_kind>(k))] = get(c.verdicts[k]);
	j["verdicts"] = std::move(verdicts);
	j["user_fallbacks"] = user_fallbacks(opcode);
	nlohmann::json user = nlohmann::json::object();
	for (int k = 0; k < static_cast<int>(user_call::count_); k++)
		user[user_call_names[k]] = get(c.user[k]);
	j["user"] = std::move(user);
	nlohmann::json errors = nlohmann::json::object();
	for (int k = 0; k < static_cast<int>(filter_error::count_); k++)
		errors[filter_error_names[k]] = get(c.errors[k]);
	j["filter_errors"] = std::move(errors);
	nlohmann::json hist = nlohmann::json::array();
	for (const auto &b : c.latency)
		hist.push_back(get(b));
	j["latency_ns_log2"] = std::move(hist);
	return j;
}

nlohmann::json filter_stats::to_json() const
{
	nlohmann::json j = nlohmann::json::object();
	for (const auto &e : filtered_opcodes)
		j[e.name] = opcode_json(e.opcode);
	return j;
}

void filter_stats::merge_into(nlohmann::json &ops) const
{
	for (const auto &e : filtered_opcodes) {
		nlohmann::json &entry = ops[e.name];
		if (!entry.is_object())
			entry = nlohmann::json::object();
		entry.update(opcode_json(e.opcode));
	}
}

// The upper bound (2^(i+1) ns) of the bucket holding the median pass.
static std::uint64_t median_upper_ns(const std::array<std::uint64_t, latency_buckets> &hist)
{
	std::uint64_t total = 0;
	for (auto n : hist)
		total += n;
	if (total == 0)
		return 0;
	std::uint64_t seen = 0;
	for (int i = 0; i < latency_buckets; i++) {
		seen += hist[i];
		if (seen * 2 >= total)
			return 1ull << (i + 1);
	}
	return 1ull << latency_buckets;
}

std::string filter_stats::to_table() const
{
	std::string out;
	char line[256];
	std::snprintf(line, sizeof(line), "%-16s %9s %9s %8s %8s %8s %8s %8s %8s %8s %8s %7s %9s\n",
	              "OP", "FILTERED", "BPF_RUNS", "CONT", "USER", "USR_PRE", "POST", "USR_POST",
	              "DEFAULT", "ERRNO", "USERSPC", "ERRORS", "MEDIAN<ns");
	out += line;
	for (const auto &e : filtered_opcodes) {
		const counters &c = at(e.opcode);
		if (get(c.filtered) == 0)
			continue;
		std::uint64_t v[static_cast<int>(verdict_kind::count_)];
		for (int k = 0; k < static_cast<int>(verdict_kind::count_); k++)
			v[k] = get(c.verdicts[k]);
		std::uint64_t errs = 0;
		for (const auto &x : c.errors)
			errs += get(x);
		std::array<std::uint64_t, latency_buckets> hist{};
		for (int i = 0; i < latency_buckets; i++)
			hist[i] = get(c.latency[i]);
		std::snprintf(line, sizeof(line),
		              "%-16s %9llu %9llu %8llu %8llu %8llu %8llu %8llu %8llu %8llu %8llu "
		              "%7llu %9llu\n",
		              e.name, (unsigned long long)get(c.filtered),
		              (unsigned long long)get(c.bpf_runs), (unsigned long long)v[0],
		              (unsigned long long)v[1], (unsigned long long)v[2],
		              (unsigned long long)v[3], (unsigned long long)v[4],
		              (unsigned long long)v[5], (unsigned long long)v[6],
		              (unsigned long long)user_fallbacks(e.opcode),
		              (unsigned long long)errs, (unsigned long long)median_upper_ns(hist));
		out += line;
	}
	return out;
}

} // namespace fusebpf::filter
