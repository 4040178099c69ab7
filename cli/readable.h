// SPDX-License-Identifier: GPL-2.0-or-later
//
// How the CLI prints numbers for people (tables and messages; --json always
// prints the raw numbers):
//   - a count or size (requests, errors, runs, instructions, bytes,
//     entries, nodes, events) of five digits or more is grouped in threes
//     with commas: 9999, 12,345, 4,294,967,295;
//   - an identifier (map and program IDs, pids, uids, slots) and a map's
//     keys and values print as they are stored, so they can be typed back;
//     an integer at a limit of its type prints as the limit's name, which
//     `fusebpf map set|delete` also take: U32_MAX, S64_MIN (limit_name());
//   - seconds print as the shortest decimal: 10 s, 2.5 s, 0.125 s.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace fusebpf::cli {

// "9999", "12,345", "18,446,744,073,709,551,615".
std::string count_text(std::uint64_t n);

// "10", "2.5", "0.125" (at most 6 decimals, no trailing zeros).
std::string seconds_text(double secs);

// The name of the limit of a `size`-byte integer type (1, 2, 4 or 8) that
// `bits` (the value's low `size` bytes) equals: U<N>_MAX for unsigned
// types; S<N>_MIN and S<N>_MAX for signed ones. None for other values (0
// is 0, -1 of a signed type is -1).
std::optional<std::string> limit_name(std::uint64_t bits, unsigned size, bool is_signed);

// The value of a limit name (as limit_name() prints it, any letter case)
// for a `size`-byte integer type, as the low `size` bytes of the result;
// none when `text` is not the name of one of that type's limits.
std::optional<std::uint64_t> limit_value(const std::string &text, unsigned size, bool is_signed);

} // namespace fusebpf::cli
