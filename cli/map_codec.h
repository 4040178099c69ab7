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
//   - bytes: anything else (structs, datasecs); typed and shown as hex
//     ("0a1b..."), exactly the size of the type.
// Without BTF the size decides: 1, 2, 4 or 8 bytes is an unsigned integer,
// any other size a string.  Differs from bpftool, which takes every key as
// hex bytes.  Limits: no nested structs field by field (use hex).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

struct btf;

namespace fusebpf::cli {

struct map_field {
	enum class kind {
		integer,
		string,
		bytes
	};
	kind k = kind::bytes;
	std::uint32_t size = 0;
	bool is_signed = false;
	std::string type_name; // from BTF ("__u32", "struct hide_key"), or "" without

	// "u32", "string[64]", "bytes[16]": for `fusebpf map list`.
	std::string describe() const;
};

// The kind of BTF type `type_id` (0: no BTF) of `size` bytes; `b` may be null.
map_field field_of(const struct btf *b, std::uint32_t type_id, std::uint32_t size);

// Parses user text into exactly field.size bytes, or returns an error line.
std::optional<std::string> encode(const map_field &field, const std::string &text,
                                  std::vector<unsigned char> &out);

// Renders field.size bytes for people ("secret", "42", "0a1b").
std::string decode(const map_field &field, const unsigned char *data);

} // namespace fusebpf::cli
