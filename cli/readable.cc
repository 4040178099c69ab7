// SPDX-License-Identifier: GPL-2.0-or-later
//
// Numbers for people: digit groups, seconds, type limits (readable.h).
#include "cli/readable.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace fusebpf::cli {
namespace {

std::uint64_t low_bytes(std::uint64_t v, unsigned size)
{
	return size >= 8 ? v : v & ((std::uint64_t(1) << (size * 8)) - 1);
}

struct limit {
	const char *suffix; // "_MAX" or "_MIN"
	char prefix;        // 'U' or 'S'
	std::uint64_t bits; // the low `size` bytes
};

// The limits of a `size`-byte type: U_MAX, or S_MIN and S_MAX.
int limits_of(unsigned size, bool is_signed, limit out[2])
{
	std::uint64_t all = low_bytes(~std::uint64_t(0), size);
	if (!is_signed) {
		out[0] = {"_MAX", 'U', all};
		return 1;
	}
	std::uint64_t min = std::uint64_t(1) << (size * 8 - 1);
	out[0] = {"_MIN", 'S', min};
	out[1] = {"_MAX", 'S', min - 1};
	return 2;
}

std::string name_of(const limit &l, unsigned size)
{
	return l.prefix + std::to_string(size * 8) + l.suffix;
}

} // namespace

std::string count_text(std::uint64_t n)
{
	std::string digits = std::to_string(n);
	if (digits.size() < 5)
		return digits;
	std::string out;
	for (std::size_t i = 0; i < digits.size(); i++) {
		if (i && (digits.size() - i) % 3 == 0)
			out += ',';
		out += digits[i];
	}
	return out;
}

std::string seconds_text(double secs)
{
	char buf[64];
	std::snprintf(buf, sizeof(buf), "%.6f", secs);
	std::string s = buf;
	while (s.back() == '0')
		s.pop_back();
	if (s.back() == '.')
		s.pop_back();
	return s;
}

std::optional<std::string> limit_name(std::uint64_t bits, unsigned size, bool is_signed)
{
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return std::nullopt;
	limit ls[2];
	int n = limits_of(size, is_signed, ls);
	for (int i = 0; i < n; i++)
		if (low_bytes(bits, size) == ls[i].bits)
			return name_of(ls[i], size);
	return std::nullopt;
}

std::optional<std::uint64_t> limit_value(const std::string &text, unsigned size, bool is_signed)
{
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return std::nullopt;
	std::string upper = text;
	std::transform(upper.begin(), upper.end(), upper.begin(),
	               [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
	limit ls[2];
	int n = limits_of(size, is_signed, ls);
	for (int i = 0; i < n; i++)
		if (upper == name_of(ls[i], size))
			return ls[i].bits;
	return std::nullopt;
}

} // namespace fusebpf::cli
