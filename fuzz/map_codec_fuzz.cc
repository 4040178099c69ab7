// SPDX-License-Identifier: GPL-2.0-or-later
//
// map_codec_fuzz: `fusebpf map`'s key/value codec (cli/map_codec.h).
//
// Input: [0] selects the path, then:
//   path 0 (typed text): [1] field size, [2] bit 0: BTF int signedness;
//     the field is what field_of() makes of a BTF-less map of that size or
//     of a synthetic BTF type (int, enum, char array, struct) chosen by
//     [2] >> 1; the rest is the text a user types.
//   path 1 (BTF from the map): the rest is raw BTF; field_of() runs for
//     every type id it holds, with the type's size and a few others.
// Checked: encode() gives exactly field.size bytes or an error; whatever
// encode() accepts, decode() renders as text encode() accepts again with
// the same bytes (a value `fusebpf map get` prints can be typed back into
// `fusebpf map set`); an unsigned field never takes a negative number.
#include "cli/map_codec.h"

#include <bpf/btf.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

using fusebpf::cli::map_field;

void check(bool ok, const char *what, const map_field &f, const std::string &text)
{
	if (!ok) {
		std::fprintf(stderr, "map_codec_fuzz: %s (field %s, text '%s')\n", what,
		             f.describe().c_str(), text.c_str());
		std::abort();
	}
}

void round_trip(const map_field &f, const std::string &text)
{
	std::vector<unsigned char> bytes;
	if (fusebpf::cli::encode(f, text, bytes))
		return;
	check(bytes.size() == f.size, "encode() gave the wrong size", f, text);
	// "-0" is zero; any other text with a minus is a negative number.
	if (f.k == map_field::kind::integer && !f.is_signed && text.find('-') != std::string::npos)
		check(
		    std::all_of(bytes.begin(), bytes.end(), [](unsigned char b) { return b == 0; }),
		    "an unsigned field took a negative number", f, text);
	for (auto style : {fusebpf::cli::decode_style::people, fusebpf::cli::decode_style::raw}) {
		std::string shown = fusebpf::cli::decode(f, bytes.data(), style);
		std::vector<unsigned char> again;
		check(!fusebpf::cli::encode(f, shown, again),
		      "decode() printed text encode() refuses", f, shown);
		check(again == bytes, "decode() then encode() changed the bytes", f, shown);
		// Any bytes of the right size decode without a fault.
		(void)fusebpf::cli::decode(f, reinterpret_cast<const unsigned char *>(text.data()),
		                           style);
	}
}

// A BTF with one type of the chosen shape, of `size` bytes.
struct btf *synthetic_btf(unsigned shape, uint32_t size, bool is_signed, uint32_t &id)
{
	struct btf *b = btf__new_empty();
	if (!b)
		return nullptr;
	int chr = btf__add_int(b, "char", 1, BTF_INT_SIGNED);
	switch (shape % 4) {
	case 0:
		id = btf__add_int(b, "v", size ? size : 1, is_signed ? BTF_INT_SIGNED : 0);
		break;
	case 1:
		id = btf__add_enum(b, "e", size ? size : 4);
		break;
	case 2:
		id = btf__add_array(b, chr, chr, size);
		break;
	default: {
		int arr = btf__add_array(b, chr, chr, size);
		id = btf__add_struct(b, "s", size);
		btf__add_field(b, "name", arr, 0, 0);
		break;
	}
	}
	if (static_cast<int>(id) < 0)
		id = 0;
	return b;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	if (data[0] % 2 == 0) {
		uint32_t fsize = data[1] % 80;
		bool is_signed = data[2] & 1;
		std::string text(reinterpret_cast<const char *>(data + 3), size - 3);
		// Text comes from argv: no NUL inside.
		text = text.substr(0, text.find('\0'));
		round_trip(fusebpf::cli::field_of(nullptr, 0, fsize), text);
		uint32_t id = 0;
		struct btf *b = synthetic_btf(data[2] >> 1, fsize, is_signed, id);
		if (b) {
			map_field f = fusebpf::cli::field_of(b, id, fsize);
			btf__free(b);
			round_trip(f, text);
		}
		return 0;
	}
	struct btf *b = btf__new(data + 1, static_cast<uint32_t>(size - 1));
	if (!b)
		return 0;
	uint32_t n = btf__type_cnt(b);
	for (uint32_t id = 1; id < n && id < 256; id++) {
		const struct btf_type *t = btf__type_by_id(b, id);
		uint32_t sizes[] = {t && btf_is_composite(t) ? t->size : 4, 1, 8, 16};
		for (uint32_t s : sizes) {
			map_field f = fusebpf::cli::field_of(b, id, s);
			check(f.size == s, "field_of() changed the size", f, "");
			round_trip(f,
			           f.k == map_field::kind::bytes ? std::string(2 * s, 'a') : "7");
		}
	}
	btf__free(b);
	return 0;
}
