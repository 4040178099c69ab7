// SPDX-License-Identifier: GPL-2.0-or-later
//
// map_codec: how `fusebpf map` turns the strings a user types into the
// bytes of a BPF map's keys and values, and back.
//
// Each side (key, value) of a map gets a kind, chosen from the map's BTF
// when the kernel has it (maps of objects built with -g always do):
//   - integer: a BTF int or enum (also a struct whose only member is one),
//     1, 2, 4 or 8 bytes, signed or not; typed as decimal, 0x hex or 0 octal;
//   - string: an array of 1-byte ints (char[N]), or a struct that is only
//     such an array (struct { char name[64]; }); typed as text, stored
//     NUL-terminated and zero-padded, so "secret" matches a key the BPF side
//     built with memset + copy;
//   - fields: a struct whose members are all integers or strings (no
//     bitfields); shown member by member, "dev=3,name=log", or, for two
//     integers named lo/hi, low/high, min/max, start/end, first/last or
//     from/to, as a range, "0..U32_MAX"; typed in either form or as hex;
//   - bytes: anything else (nested structs, unions, datasecs); typed and
//     shown as hex ("0a1b..."), exactly the size of the type.
// An integer at a limit of its type is shown as the limit's name and may be
// typed as one (U32_MAX, S64_MIN; readable.h). --json output (style raw)
// shows integers as numbers' decimal text and fields as hex.
// Without BTF the size decides: 1, 2, 4 or 8 bytes is an unsigned integer,
// any other size a string.  Differs from bpftool, which takes every key as
// hex bytes.  Limits: no nested structs member by member (use hex); a
// string member of a fields struct cannot hold ',' when typed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

struct btf;

namespace fusebpf::cli {

struct map_member;

struct map_field {
	enum class kind {
		integer,
		string,
		bytes,
		fields
	};
	kind k = kind::bytes;
	std::uint32_t size = 0;
	bool is_signed = false;
	std::string type_name;           // from BTF ("__u32", "struct hide_key"), or "" without
	std::vector<map_member> members; // kind::fields: in offset order
	bool is_range = false;           // kind::fields: two integers named as a range

	// "u32", "string[64]", "bytes[16]", "{lo:u32,hi:u32}": for `fusebpf map list`.
	std::string describe() const;
};

struct map_member {
	std::string name;
	std::uint32_t offset = 0; // bytes
	map_field field;          // kind::integer or kind::string
};

// Who reads decode()'s text: people (tables) or programs (--json).
enum class decode_style {
	people,
	raw
};

// The kind of BTF type `type_id` (0: no BTF) of `size` bytes; `b` may be null.
map_field field_of(const struct btf *b, std::uint32_t type_id, std::uint32_t size);

// Parses user text into exactly field.size bytes, or returns an error line.
std::optional<std::string> encode(const map_field &field, const std::string &text,
                                  std::vector<unsigned char> &out);

// Renders field.size bytes: for people "secret", "42", "U32_MAX",
// "0..U32_MAX", "dev=3,name=log", "0a1b"; raw as before any of that:
// integers in decimal, fields in hex.
std::string decode(const map_field &field, const unsigned char *data, decode_style style);

} // namespace fusebpf::cli
