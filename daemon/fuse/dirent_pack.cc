// SPDX-License-Identifier: GPL-2.0-or-later
//
// dirent_packer: fuse_dirent / fuse_direntplus records, zero-padded to 8.
#include "daemon/fuse/dirent_pack.h"

#include <cstring>

namespace fusebpf::daemon {

size_t dirent_record_size(size_t namelen)
{
	return FUSE_DIRENT_ALIGN(FUSE_NAME_OFFSET + namelen);
}

size_t direntplus_record_size(size_t namelen)
{
	return FUSE_DIRENT_ALIGN(FUSE_NAME_OFFSET_DIRENTPLUS + namelen);
}

bool dirent_packer::put(const void *head, size_t head_size, std::string_view name)
{
	size_t size = FUSE_DIRENT_ALIGN(head_size + name.size());
	if (size > buf_.size() - used_)
		return false;
	std::byte *p = buf_.data() + used_;
	std::memset(p, 0, size);
	std::memcpy(p, head, head_size);
	std::memcpy(p + head_size, name.data(), name.size());
	used_ += size;
	return true;
}

bool dirent_packer::add(std::string_view name, uint64_t ino, uint32_t type, uint64_t off)
{
	fuse_dirent d = {};
	d.ino = ino;
	d.off = off;
	d.namelen = static_cast<uint32_t>(name.size());
	d.type = type;
	return put(&d, FUSE_NAME_OFFSET, name);
}

bool dirent_packer::fits_plus(std::string_view name) const
{
	return direntplus_record_size(name.size()) <= buf_.size() - used_;
}

bool dirent_packer::add_plus(std::string_view name, const fuse_entry_out &entry, uint32_t type,
                             uint64_t off)
{
	fuse_direntplus d = {};
	d.entry_out = entry;
	d.dirent.ino = entry.attr.ino;
	d.dirent.off = off;
	d.dirent.namelen = static_cast<uint32_t>(name.size());
	d.dirent.type = type;
	return put(&d, FUSE_NAME_OFFSET_DIRENTPLUS, name);
}

} // namespace fusebpf::daemon
