// SPDX-License-Identifier: GPL-2.0-or-later
//
// ctx_path: symlink targets in and out of filter contexts (struct
// fusebpf_path: SYMLINK's target, READLINK's out.target), the counterpart of
// filter/context.h's set_name()/name_of() for names. A target is not a name:
// it may hold '/' and be "..", so the only checks are its length and that a
// filter did not leave a NUL inside it (the kernel and symlinkat() would cut
// it there).
#pragma once

#include <fusebpf/filter_abi.h>

#include <cerrno>
#include <cstring>
#include <string_view>

namespace fusebpf::daemon {

// Copies target into p, NUL-terminated and zero-padded (filters may read
// past len). Returns 0, or ENAMETOOLONG if it does not fit with its NUL.
inline int set_path(fusebpf_path &p, std::string_view target)
{
	if (target.size() >= sizeof(p.path))
		return ENAMETOOLONG;
	std::memset(p.path, 0, sizeof(p.path));
	std::memcpy(p.path, target.data(), target.size());
	p.len = static_cast<__u32>(target.size());
	p.padding = 0;
	return 0;
}

// The target p holds now (a filter may have rewritten it). Returns 0 and
// sets out (NUL-terminated in p), or ENAMETOOLONG for a len that leaves no
// room for the NUL, EINVAL for an empty target or a NUL inside.
inline int path_of(fusebpf_path &p, std::string_view &out)
{
	if (p.len >= sizeof(p.path))
		return ENAMETOOLONG;
	p.path[p.len] = '\0';
	std::string_view v(p.path, p.len);
	if (v.empty() || v.find('\0') != std::string_view::npos)
		return EINVAL;
	out = v;
	return 0;
}

} // namespace fusebpf::daemon
