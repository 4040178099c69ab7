// SPDX-License-Identifier: GPL-2.0-or-later
//
// map_codec: BTF-driven conversion between typed text and map key/value
// bytes for `fusebpf map` (see map_codec.h).
#include "cli/map_codec.h"

#include <bpf/btf.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

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

} // namespace

std::string map_field::describe() const
{
	switch (k) {
	case kind::integer:
		return (is_signed ? "s" : "u") + std::to_string(size * 8);
	case kind::string:
		return "string[" + std::to_string(size) + "]";
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
			       "; decimal, 0x hex or 0 octal)";
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
	case map_field::kind::bytes: {
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
	}
	return "unknown field kind";
}

std::string decode(const map_field &field, const unsigned char *data)
{
	switch (field.k) {
	case map_field::kind::integer: {
		std::uint64_t v = 0;
		std::memcpy(&v, data, field.size);
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
	case map_field::kind::bytes:
		break;
	}
	std::string hex;
	char buf[3];
	for (std::uint32_t i = 0; i < field.size; i++) {
		std::snprintf(buf, sizeof(buf), "%02x", data[i]);
		hex += buf;
	}
	return hex;
}

} // namespace fusebpf::cli
