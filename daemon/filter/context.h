// SPDX-License-Identifier: GPL-2.0-or-later
//
// context: moving data between FUSE wire arguments and filter contexts, the
// small conversions every wired op needs (the op handlers call these; the
// engine itself never touches the wire).
//
//   fill_meta(ctx.meta, header)         nodeid, unique, opcode, uid/gid/pid
//   set_name(ctx.name, name)            a validated name into a context
//   name_of(ctx.name)                   the (possibly rewritten) name back,
//                                       checked: a filter may have written
//                                       anything into len and the bytes
//   set_xattr_value / xattr_value_of    bounded value buffers, truncation flag
//   dirent_batch_add / dirent_kept      one readdir batch in and out
//
// Rewritten names come back through name_of(), which rejects what a filter
// could not legally produce (len > FUSEBPF_NAME_MAX, an empty name, '/' or
// NUL inside, "." or ".."): the op then fails with the errno it returns,
// exactly as a bad name from the kernel would (request.h validate_name()).
#pragma once

#ifdef __BPF__
#error "daemon/filter/context.h is for userspace only"
#endif

#include <fusebpf/filter_abi.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

namespace fusebpf::filter {

// meta from the request header (the opcode undecorated; the engine
// decorates it while a filter runs).
inline void fill_meta(fusebpf_meta &meta, const fuse_in_header &hdr)
{
	meta.nodeid = hdr.nodeid;
	meta.unique = hdr.unique;
	meta.opcode = hdr.opcode;
	meta.error_in = 0;
	meta.uid = hdr.uid;
	meta.gid = hdr.gid;
	meta.pid = hdr.pid;
	meta.abi_version = FUSEBPF_ABI_VERSION;
}

// Copies a name (at most FUSEBPF_NAME_MAX bytes, else ENAMETOOLONG) into a
// context name, NUL-terminated and zero-padded (filters may read past len).
// Returns 0 or a positive errno.
inline int set_name(fusebpf_name &n, std::string_view name)
{
	if (name.size() > FUSEBPF_NAME_MAX)
		return ENAMETOOLONG;
	std::memset(n.name, 0, sizeof(n.name));
	std::memcpy(n.name, name.data(), name.size());
	n.len = static_cast<__u32>(name.size());
	n.padding = 0;
	return 0;
}

// The name a context holds now, validated as one path component.  Returns 0
// and sets out (pointing into n, NUL-terminated there), or a positive errno.
inline int name_of(fusebpf_name &n, std::string_view &out)
{
	if (n.len == 0 || n.len > FUSEBPF_NAME_MAX)
		return n.len == 0 ? EINVAL : ENAMETOOLONG;
	n.name[n.len] = '\0';
	std::string_view v(n.name, n.len);
	if (v.find('/') != std::string_view::npos || v.find('\0') != std::string_view::npos ||
	    v == "." || v == "..")
		return EINVAL;
	out = v;
	return 0;
}

// Fills a bounded xattr buffer (value or list) from bytes; sets
// FUSEBPF_DATA_TRUNCATED when they do not fit.
template <class Buf> void set_xattr_bytes(Buf &buf, std::span<const std::byte> bytes)
{
	std::size_t n = std::min(bytes.size(), sizeof(buf.data));
	std::memset(buf.data, 0, sizeof(buf.data));
	if (n) // an empty value or list may come as a null span: memcpy(dst, nullptr, 0) is UB
		std::memcpy(buf.data, bytes.data(), n);
	buf.size = static_cast<__u32>(bytes.size());
	buf.flags = bytes.size() > sizeof(buf.data) ? FUSEBPF_DATA_TRUNCATED : 0;
}

// The bytes a filter left in a bounded buffer.  A truncated buffer the
// filter did not shrink into the capacity cannot be taken from the context:
// returns false, and the caller keeps the original bytes.
template <class Buf> bool xattr_bytes_of(const Buf &buf, std::span<const std::byte> &out)
{
	if (buf.size > sizeof(buf.data))
		return false;
	out = {reinterpret_cast<const std::byte *>(buf.data), buf.size};
	return true;
}

// Appends an entry to a readdir batch; false when the batch is full (or the
// name too long: such an entry cannot be filtered, the caller decides).
inline bool dirent_batch_add(fusebpf_dirent_batch &b, std::string_view name, std::uint64_t ino,
                             std::uint32_t type, std::uint64_t next_off)
{
	if (b.count >= FUSEBPF_READDIR_BATCH || name.size() > FUSEBPF_NAME_MAX)
		return false;
	fusebpf_dirent &e = b.entries[b.count++];
	std::memset(&e, 0, sizeof(e));
	e.ino = ino;
	e.off = next_off;
	e.type = type;
	e.namelen = static_cast<__u32>(name.size());
	std::memcpy(e.name, name.data(), name.size());
	return true;
}

// Whether entry i survives the postfilter, and its (possibly rewritten) name
// (validated as by name_of(); an invalid rewrite drops the entry).
inline bool dirent_kept(fusebpf_dirent_batch &b, std::uint32_t i, std::string_view &name)
{
	if (i >= b.count || i >= FUSEBPF_READDIR_BATCH || ((b.drop_mask >> i) & 1u))
		return false;
	fusebpf_dirent &e = b.entries[i];
	if (e.namelen == 0 || e.namelen > FUSEBPF_NAME_MAX)
		return false;
	e.name[e.namelen] = '\0';
	std::string_view v(e.name, e.namelen);
	if (v.find('/') != std::string_view::npos || v.find('\0') != std::string_view::npos)
		return false;
	name = v;
	return true;
}

} // namespace fusebpf::filter
