// SPDX-License-Identifier: GPL-2.0-or-later
//
// filter_stats: what the filter engine counts, per FUSE opcode.
//
// The daemon's op_stats (daemon/fuse/op_stats.h) counts every request and every
// error reply; these counters are about the filters only, so they merge into
// the same "ops" object of `fusebpf stats --json` (contracts.md) as extra
// fields of each opcode, without renaming anything:
//
//   "LOOKUP": {"requests": .., "errors": ..,                 <- op_stats
//              "filtered": N,        requests that went through the engine
//              "bpf_runs": N,        BPF_PROG_RUN calls made for them
//              "verdicts": {"CONTINUE": N, "USER": N, "USER_PREFILTER": N,
//                           "POSTFILTER": N, "USER_POSTFILTER": N,
//                           "CALL_DEFAULT": N, "errno": N},
//              "user_fallbacks": N,  times userspace took part (sum of:)
//              "user": {"handler": N, "prefilter": N, "postfilter": N},
//              "filter_errors": {"invalid_verdict": N, "run_failure": N,
//                                "user_exception": N},
//              "latency_ns_log2": [b0, b1, ... b31]}
//
// verdicts counts every verdict a BPF program returned (prefilter, default
// filter and postfilter alike); "errno" is any negative value.  Bucket i of
// the latency histogram counts engine passes (prefilters + backing op +
// postfilters) that took [2^i, 2^(i+1)) ns; bucket 0 also holds 0 ns and the
// last one everything longer.
//
// Lock-free: relaxed atomic adds only, as op_stats.  Readers see each
// counter exactly, the set of them without a snapshot guarantee.
#pragma once

#include <nlohmann/json.hpp>

#include <fusebpf/fuse_wire.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

namespace fusebpf::filter {

enum class verdict_kind : std::uint8_t {
	continue_ = 0,
	user,
	user_prefilter,
	postfilter,
	user_postfilter,
	call_default,
	error_code, // a negative errno
	count_,
};

// The kind of a verdict value, or verdict_kind::count_ for an invalid one.
verdict_kind kind_of_verdict(int verdict);
const char *verdict_kind_name(verdict_kind k);

enum class user_call : std::uint8_t {
	handler = 0,
	prefilter,
	postfilter,
	count_
};
enum class filter_error : std::uint8_t {
	invalid_verdict = 0, // a value that is neither a verdict nor a negative errno
	run_failure,         // BPF_PROG_RUN failed (the program did not run)
	user_exception,      // a userspace filter threw
	count_,
};

inline constexpr int latency_buckets = 32;

// The log2 bucket of a duration.
constexpr int latency_bucket(std::uint64_t ns)
{
	if (ns < 2)
		return 0;
	int b = 63 - __builtin_clzll(ns);
	return b < latency_buckets ? b : latency_buckets - 1;
}

class filter_stats {
public:
	void count_filtered(std::uint32_t opcode) { add(at(opcode).filtered); }
	void count_bpf_run(std::uint32_t opcode) { add(at(opcode).bpf_runs); }
	void count_verdict(std::uint32_t opcode, verdict_kind k)
	{
		if (k < verdict_kind::count_)
			add(at(opcode).verdicts[static_cast<int>(k)]);
	}
	void count_user(std::uint32_t opcode, user_call c)
	{
		add(at(opcode).user[static_cast<int>(c)]);
	}
	void count_error(std::uint32_t opcode, filter_error e)
	{
		add(at(opcode).errors[static_cast<int>(e)]);
	}
	void record_latency(std::uint32_t opcode, std::uint64_t ns)
	{
		add(at(opcode).latency[latency_bucket(ns)]);
	}

	// Readers (tests, the stats report).
	std::uint64_t filtered(std::uint32_t opcode) const { return get(at(opcode).filtered); }
	std::uint64_t bpf_runs(std::uint32_t opcode) const { return get(at(opcode).bpf_runs); }
	std::uint64_t verdicts(std::uint32_t opcode, verdict_kind k) const
	{
		return get(at(opcode).verdicts[static_cast<int>(k)]);
	}
	std::uint64_t user(std::uint32_t opcode, user_call c) const
	{
		return get(at(opcode).user[static_cast<int>(c)]);
	}
	std::uint64_t user_fallbacks(std::uint32_t opcode) const;
	std::uint64_t errors(std::uint32_t opcode, filter_error e) const
	{
		return get(at(opcode).errors[static_cast<int>(e)]);
	}
	std::uint64_t latency(std::uint32_t opcode, int bucket) const
	{
		return get(at(opcode).latency[bucket]);
	}
	// Sums over all opcodes (tests, the table's footer).
	std::uint64_t total_bpf_runs() const;
	std::uint64_t total_errors(filter_error e) const;

	// The per-opcode object described above, for one filtered opcode.
	nlohmann::json opcode_json(std::uint32_t opcode) const;
	// {"LOOKUP": {...}, ...} for every opcode that has a filter op.
	nlohmann::json to_json() const;
	// Adds the fields above to ops[NAME] of a stats report (creating objects
	// that are missing, leaving the other fields alone).
	void merge_into(nlohmann::json &ops) const;
	// A human table: one row per opcode with filtered requests, columns for
	// the verdict kinds, userspace calls, errors and the median latency.
	std::string to_table() const;

private:
	struct counters {
		std::atomic<std::uint64_t> filtered{0};
		std::atomic<std::uint64_t> bpf_runs{0};
		std::array<std::atomic<std::uint64_t>, static_cast<int>(verdict_kind::count_)>
		    verdicts{};
		std::array<std::atomic<std::uint64_t>, static_cast<int>(user_call::count_)> user{};
		std::array<std::atomic<std::uint64_t>, static_cast<int>(filter_error::count_)>
		    errors{};
		std::array<std::atomic<std::uint64_t>, latency_buckets> latency{};
	};

	static void add(std::atomic<std::uint64_t> &c)
	{
		c.fetch_add(1, std::memory_order_relaxed);
	}
	static std::uint64_t get(const std::atomic<std::uint64_t> &c)
	{
		return c.load(std::memory_order_relaxed);
	}
	// Opcodes are undecorated by the engine; anything out of range lands in
	// the spare last row, which no report shows.
	counters &at(std::uint32_t opcode)
	{
		return per_opcode_[opcode < FUSE_OPCODE_MAX ? opcode
		                                            : std::uint32_t{FUSE_OPCODE_MAX}];
	}
	const counters &at(std::uint32_t opcode) const
	{
		return per_opcode_[opcode < FUSE_OPCODE_MAX ? opcode
		                                            : std::uint32_t{FUSE_OPCODE_MAX}];
	}

	std::array<counters, FUSE_OPCODE_MAX + 1> per_opcode_{};
};

} // namespace fusebpf::filter
