// SPDX-License-Identifier: GPL-2.0-or-later
//
// Packing directory entries into READDIR / READDIRPLUS reply buffers.
//
// Pure functions over a byte buffer (no I/O), unit-tested in
// daemon/tests/dirent_pack_test.cc. The layouts are the kernel's
// fuse_dirent / fuse_direntplus, each record padded to 8 bytes.
#pragma once

#include <fusebpf/fuse_wire.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace fusebpf::daemon {

// Bytes one READDIR record for a name of this length takes.
size_t dirent_record_size(size_t namelen);
// Bytes one READDIRPLUS record takes.
size_t direntplus_record_size(size_t namelen);

class dirent_packer {
public:
	explicit dirent_packer(std::span<std::byte> buf) : buf_(buf) {}

	// Appends a READDIR record. `off` is the offset of the *next* entry (what
	// the kernel passes back to continue after this one). Returns false,
	// writing nothing, if the record does not fit.
	bool add(std::string_view name, uint64_t ino, uint32_t type, uint64_t off);

	// Whether a READDIRPLUS record for this name would fit (checked before
	// the lookup that the record's entry needs, so a record that does not
	// fit costs no lookup reference).
	bool fits_plus(std::string_view name) const;

	// Appends a READDIRPLUS record; entry.nodeid 0 means "no entry, just the
	// name" (the kernel then takes no lookup reference). Returns false,
	// writing nothing, if it does not fit.
	bool add_plus(std::string_view name, const fuse_entry_out &entry, uint32_t type,
	              uint64_t off);

	size_t used() const { return used_; }
	const std::byte *data() const { return buf_.data(); }

private:
	// Appends one record: head_size bytes of head, then the name, zero
	// padded to 8; false if it does not fit.
	bool put(const void *head, size_t head_size, std::string_view name);

	std::span<std::byte> buf_;
	size_t used_ = 0;
};

} // namespace fusebpf::daemon
