// SPDX-License-Identifier: GPL-2.0-or-later
//
// map_codec: BTF-driven conversion between typed text and map key/value
// bytes for `fusebpf map` (see map_codec.h).
#include "cli/map_codec.h"

#include "cli/readable.h"

#include <bpf/btf.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <utility>

namespace fusebpf::cli {
namespace {

bool is_int_size(std::uint32_t size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

// An array of 1-byte ints (char name[64]) of `size` bytes?
bool is_char_array(const struct btf *b, const struct btf_type *t, std::uint32_t size)
{
	if (!btf_is_array(t))
		return false;
	const struct btf_array *a = btf_array(t);
	const struct btf_type *elem = btf__type_by_id(b, btf__resolve_type(b, a->type));
	return elem && btf_is_int(elem) && elem->size == 1 && a->nelems == size;
}

std::string btf_type_name(const struct btf *b, std::uint32_t id)
{
	const struct btf_type *t = btf__type_by_id(b, id);
	if (!t)
		return "";
	const char *name = btf__name_by_offset(b, t->name_off);
	std::string prefix = btf_is_struct(t) ? "struct " : btf_is_union(t) ? "union " : "";
	if (name && *name)
		return prefix + name;
	if (btf_is_array(t))
		return btf_type_name(b, btf_array(t)->type) + "[" +
		       std::to_string(btf_array(t)->nelems) + "]";
	return prefix + "?";
}

// Two member names that make a struct of two integers a range.
bool range_names(const std::string &a, const std::string &b)
{
	static const std::pair<const char *, const char *> pairs[] = {
	    {"lo", "hi"},     {"low", "high"},   {"min", "max"},
	    {"start", "end"}, {"first", "last"}, {"from", "to"}};
	for (const auto &[x, y] : pairs)
		if (a == x && b == y)
			return true;
	return false;
}

// The kind of a resolved non-struct BTF type of `size` bytes, if it is an
// integer or a string; nullopt for anything else.
std::optional<map_field> scalar_of(const struct btf *b, const struct btf_type *t,
                                   std::uint32_t size)
{
	map_field f;
	f.size = size;
	if (t && btf_is_int(t) && t->size == size && is_int_size(size)) {
		f.k = map_field::kind::integer;
		f.is_signed = btf_int_encoding(t) & BTF_INT_SIGNED;
		return f;
	}
	if (t && btf_is_enum(t) && t->size == size && is_int_size(size)) {
		f.k = map_field::kind::integer;
		return f;
	}
	if (t && is_char_array(b, t, size)) {
		f.k = map_field::kind::string;
		return f;
	}
	return std::nullopt;
}

// A struct of integers and strings, member by member; false if it is not one.
bool members_of(const struct btf *b, const struct btf_type *t, map_field &f)
{
	const struct btf_member *m = btf_members(t);
	for (unsigned i = 0; i < btf_vlen(t); i++, m++) {
		const char *name = btf__name_by_offset(b, m->name_off);
		std::uint32_t bit_off = btf_member_bit_offset(t, i);
		if (!name || !*name || btf_member_bitfield_size(t, i) || bit_off % 8)
			return false;
		int id = btf__resolve_type(b, m->type);
		const struct btf_type *mt = id < 0 ? nullptr : btf__type_by_id(b, id);
		long size = id < 0 ? -1 : btf__resolve_size(b, id);
		if (size <= 0 || bit_off / 8 + size > f.size)
			return false;
		auto member = scalar_of(b, mt, static_cast<std::uint32_t>(size));
		if (!member)
			return false;
		f.members.push_back({name, bit_off / 8, *member});
	}
	if (f.members.empty())
		return false;
	f.k = map_field::kind::fields;
	f.is_range = f.members.size() == 2 && f.members[0].field.k == map_field::kind::integer &&
	             f.members[1].field.k == map_field::kind::integer &&
	             range_names(f.members[0].name, f.members[1].name);
	return true;
}

std::string hex_of(const unsigned char *data, std::uint32_t size)
{
	std::string hex;
	char buf[3];
	for (std::uint32_t i = 0; i < size; i++) {
		std::snprintf(buf, sizeof(buf), "%02x", data[i]);
		hex += buf;
	}
	return hex;
}

std::optional<std::string> encode_hex(const map_field &field, const std::string &text,
                                      std::vector<unsigned char> &out)
{
	std::string hex = text.rfind("0x", 0) == 0 ? text.substr(2) : text;
	if (hex.size() != field.size * 2)
		return "'" + text + "' must be " + std::to_string(field.size * 2) +
		       " hex digits (" + field.describe() +
		       (field.type_name.empty() ? "" : ", " + field.type_name) + ")";
	for (std::uint32_t i = 0; i < field.size; i++) {
		unsigned byte;
		if (std::sscanf(hex.c_str() + 2 * i, "%2x", &byte) != 1 ||
		    !std::isxdigit(static_cast<unsigned char>(hex[2 * i])) ||
		    !std::isxdigit(static_cast<unsigned char>(hex[2 * i + 1])))
			return "'" + text + "' is not hex";
		out[i] = static_cast<unsigned char>(byte);
	}
	return std::nullopt;
}

bool all_hex(const std::string &text)
{
	std::string hex = text.rfind("0x", 0) == 0 ? text.substr(2) : text;
	return !hex.empty() && std::all_of(hex.begin(), hex.end(),
	                                   [](unsigned char c) { return std::isxdigit(c) != 0; });
}

// "lo..hi" or "name=value,name=value" (members not named stay 0) into `out`.
std::optional<std::string> encode_members(const map_field &field, const std::string &text,
                                          std::vector<unsigned char> &out)
{
	std::vector<std::pair<std::string, std::string>> given;
	std::size_t dots = text.find("..");
	if (field.is_range && dots != std::string::npos) {
		given = {{field.members[0].name, text.substr(0, dots)},
		         {field.members[1].name, text.substr(dots + 2)}};
	} else {
		std::size_t start = 0;
		while (start <= text.size()) {
			std::size_t comma = std::min(text.find(',', start), text.size());
			std::string item = text.substr(start, comma - start);
			std::size_t eq = item.find('=');
			if (eq == std::string::npos) {
				std::string forms = field.is_range ? "LO..HI, " : "";
				return "'" + text + "' is not " + forms + "NAME=VALUE,... of " +
				       field.describe() + " nor " + std::to_string(field.size * 2) +
				       " hex digits";
			}
			given.emplace_back(item.substr(0, eq), item.substr(eq + 1));
			start = comma + 1;
		}
	}
	for (const auto &kv : given) {
		const std::string &name = kv.first;
		const std::string &value = kv.second;
		auto m = std::find_if(field.members.begin(), field.members.end(),
		                      [&](const map_member &x) { return x.name == name; });
		if (m == field.members.end())
			return "'" + name + "' is not a member of " + field.describe();
		std::vector<unsigned char> bytes;
		if (auto err = encode(m->field, value, bytes))
			return name + ": " + *err;
		std::memcpy(out.data() + m->offset, bytes.data(), bytes.size());
	}
	return std::nullopt;
}

} // namespace

std::string map_field::describe() const
{
	switch (k) {
	case kind::integer:
		return (is_signed ? "s" : "u") + std::to_string(size * 8);
	case kind::string:
		return "string[" + std::to_string(size) + "]";
	case kind::fields: {
		std::string s;
		for (const auto &m : members)
			s += (s.empty() ? "{" : ",") + m.name + ":" + m.field.describe();
		return s + "}";
	}
	case kind::bytes:
		break;
	}
	return "bytes[" + std::to_string(size) + "]";
}

map_field field_of(const struct btf *b, std::uint32_t type_id, std::uint32_t size)
{
	map_field f;
	f.size = size;
	if (b && type_id) {
		f.type_name = btf_type_name(b, type_id);
		int resolved = btf__resolve_type(b, type_id);
		const struct btf_type *t = resolved < 0 ? nullptr : btf__type_by_id(b, resolved);
		// A struct with one member at offset 0 is its member (struct hide_key).
		if (t && btf_is_struct(t) && btf_vlen(t) == 1 && btf_members(t)[0].offset == 0) {
			resolved = btf__resolve_type(b, btf_members(t)[0].type);
			t = resolved < 0 ? nullptr : btf__type_by_id(b, resolved);
		}
		if (auto scalar = scalar_of(b, t, size)) {
			scalar->type_name = f.type_name;
			return *scalar;
		}
		if (t && btf_is_struct(t) && t->size == size && members_of(b, t, f))
			return f;
		f.members.clear();
		f.k = map_field::kind::bytes;
		return f;
	}
	f.k = is_int_size(size) ? map_field::kind::integer : map_field::kind::string;
	return f;
}

std::optional<std::string> encode(const map_field &field, const std::string &text,
                                  std::vector<unsigned char> &out)
{
	out.assign(field.size, 0);
	switch (field.k) {
	case map_field::kind::integer: {
		if (text.empty())
			return "an empty string is not a number";
		if (auto limit = limit_value(text, field.size, field.is_signed)) {
			std::memcpy(out.data(), &*limit, field.size); // little-endian, as the ABI
			return std::nullopt;
		}
		char *end = nullptr;
		errno = 0;
		std::uint64_t v;
		if (field.is_signed || text[0] == '-') {
			long long s = std::strtoll(text.c_str(), &end, 0);
			v = static_cast<std::uint64_t>(s);
			if (!field.is_signed && s < 0)
				return "'" + text + "' is negative; the type " + field.describe() +
				       " is unsigned";
			if (field.size < 8) {
				long long lim = 1LL << (field.size * 8 - 1);
				if (s < -lim || s >= lim)
					errno = ERANGE;
			}
		} else {
			v = std::strtoull(text.c_str(), &end, 0);
			if (field.size < 8 && v >> (field.size * 8))
				errno = ERANGE;
		}
		if (*end != '\0')
			return "'" + text + "' is not a number (the type is " + field.describe() +
			       "; decimal, 0x hex, 0 octal or a limit such as " +
			       (field.is_signed ? "S" : "U") + std::to_string(field.size * 8) +
			       "_MAX)";
		if (errno == ERANGE)
			return "'" + text + "' does not fit in " + field.describe();
		std::memcpy(out.data(), &v, field.size); // little-endian, as the ABI
		return std::nullopt;
	}
	case map_field::kind::string:
		if (text.size() >= field.size)
			return "'" + text + "' is " + std::to_string(text.size()) +
			       " bytes; this map's strings hold at most " +
			       std::to_string(field.size - 1) + " (plus the NUL)";
		std::memcpy(out.data(), text.data(), text.size());
		return std::nullopt;
	case map_field::kind::fields:
		if (all_hex(text) && text.size() >= field.size * 2)
			return encode_hex(field, text, out);
		return encode_members(field, text, out);
	case map_field::kind::bytes:
		return encode_hex(field, text, out);
	}
	return "unknown field kind";
}

std::string decode(const map_field &field, const unsigned char *data, decode_style style)
{
	switch (field.k) {
	case map_field::kind::integer: {
		std::uint64_t v = 0;
		std::memcpy(&v, data, field.size);
		if (style == decode_style::people)
			if (auto name = limit_name(v, field.size, field.is_signed))
				return *name;
		if (field.is_signed && field.size < 8 && (v >> (field.size * 8 - 1)) & 1)
			v |= ~std::uint64_t(0) << (field.size * 8); // sign-extend
		return field.is_signed ? std::to_string(static_cast<std::int64_t>(v))
		                       : std::to_string(v);
	}
	case map_field::kind::string: {
		std::string s;
		for (std::uint32_t i = 0; i < field.size && data[i]; i++)
			s += static_cast<char>(data[i]);
		return s;
	}
	case map_field::kind::fields: {
		if (style == decode_style::raw)
			break;
		if (field.is_range)
			return decode(field.members[0].field, data + field.members[0].offset,
			              style) +
			       ".." +
			       decode(field.members[1].field, data + field.members[1].offset,
			              style);
		std::string s;
		for (const auto &m : field.members)
			s += (s.empty() ? "" : ",") + m.name + "=" +
			     decode(m.field, data + m.offset, style);
		return s;
	}
	case map_field::kind::bytes:
		break;
	}
	return hex_of(data, field.size);
}

} // namespace fusebpf::cli
