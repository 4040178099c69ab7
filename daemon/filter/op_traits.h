// SPDX-License-Identifier: GPL-2.0-or-later
//
// op_traits: the one table of filter ops the engine, the userspace filter
// interface and the stats derive from.
//
// filter_abi.h already owns the numbering (enum fusebpf_op), the lower-case
// names (FUSEBPF_OP_NAMES) and the opcode -> op mapping
// (fusebpf_op_of_opcode()); this file reuses them and adds what C++ needs:
//   - FUSEBPF_FILTER_OPS(X): X(NAME, name) for every op, in enum order; the
//     context type is fusebpf_<name>_ctx and the enum FUSEBPF_OP_<NAME>;
//   - op_of<Ctx>: the op of a context type (each op has its own struct, so a
//     context type names its op, and templates need no extra parameter);
//   - FUSEBPF_FILTER_OPCODES(X): X(OPCODE, "NAME", op) for every FUSE opcode
//     a filter op serves, with libfuse's upper-case name (what `fusebpf
//     stats` prints, as the daemon's dispatch table does);
//   - closes_file(op): ops that must not fail a close (release & co.).
// Adding an op to the ABI means one line in each list; a static_assert
// below checks the op order, a unit test (fusebpf_op_of_opcode() is not
// constexpr) checks the opcode list against filter_abi.h.
#pragma once

#ifdef __BPF__
#error "daemon/filter/op_traits.h is for userspace only"
#endif

#include <fusebpf/filter_abi.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

// X(NAME, name) for every filter op, in enum fusebpf_op order.
#define FUSEBPF_FILTER_OPS(X)                                                                      \
	X(LOOKUP, lookup)                                                                          \
	X(GETATTR, getattr)                                                                        \
	X(SETATTR, setattr)                                                                        \
	X(ACCESS, access)                                                                          \
	X(OPEN, open)                                                                              \
	X(OPENDIR, opendir)                                                                        \
	X(RELEASE, release)                                                                        \
	X(RELEASEDIR, releasedir)                                                                  \
	X(CREATE, create)                                                                          \
	X(MKNOD, mknod)                                                                            \
	X(MKDIR, mkdir)                                                                            \
	X(UNLINK, unlink)                                                                          \
	X(RMDIR, rmdir)                                                                            \
	X(RENAME, rename)                                                                          \
	X(LINK, link)                                                                              \
	X(SYMLINK, symlink)                                                                        \
	X(READLINK, readlink)                                                                      \
	X(READ, read)                                                                              \
	X(WRITE, write)                                                                            \
	X(FLUSH, flush)                                                                            \
	X(FSYNC, fsync)                                                                            \
	X(FSYNCDIR, fsyncdir)                                                                      \
	X(FALLOCATE, fallocate)                                                                    \
	X(LSEEK, lseek)                                                                            \
	X(COPY_FILE_RANGE, copy_file_range)                                                        \
	X(READDIR, readdir)                                                                        \
	X(STATFS, statfs)                                                                          \
	X(GETXATTR, getxattr)                                                                      \
	X(SETXATTR, setxattr)                                                                      \
	X(LISTXATTR, listxattr)                                                                    \
	X(REMOVEXATTR, removexattr)                                                                \
	X(GETLK, getlk)                                                                            \
	X(SETLK, setlk)

// X(OPCODE, "NAME", op) for every FUSE opcode that has a filter op.
#define FUSEBPF_FILTER_OPCODES(X)                                                                  \
	X(FUSE_LOOKUP, "LOOKUP", FUSEBPF_OP_LOOKUP)                                                \
	X(FUSE_GETATTR, "GETATTR", FUSEBPF_OP_GETATTR)                                             \
	X(FUSE_SETATTR, "SETATTR", FUSEBPF_OP_SETATTR)                                             \
	X(FUSE_ACCESS, "ACCESS", FUSEBPF_OP_ACCESS)                                                \
	X(FUSE_OPEN, "OPEN", FUSEBPF_OP_OPEN)                                                      \
	X(FUSE_OPENDIR, "OPENDIR", FUSEBPF_OP_OPENDIR)                                             \
	X(FUSE_RELEASE, "RELEASE", FUSEBPF_OP_RELEASE)                                             \
	X(FUSE_RELEASEDIR, "RELEASEDIR", FUSEBPF_OP_RELEASEDIR)                                    \
	X(FUSE_CREATE, "CREATE", FUSEBPF_OP_CREATE)                                                \
	X(FUSE_MKNOD, "MKNOD", FUSEBPF_OP_MKNOD)                                                   \
	X(FUSE_MKDIR, "MKDIR", FUSEBPF_OP_MKDIR)                                                   \
	X(FUSE_UNLINK, "UNLINK", FUSEBPF_OP_UNLINK)                                                \
	X(FUSE_RMDIR, "RMDIR", FUSEBPF_OP_RMDIR)                                                   \
	X(FUSE_RENAME, "RENAME", FUSEBPF_OP_RENAME)                                                \
	X(FUSE_RENAME2, "RENAME2", FUSEBPF_OP_RENAME)                                              \
	X(FUSE_LINK, "LINK", FUSEBPF_OP_LINK)                                                      \
	X(FUSE_SYMLINK, "SYMLINK", FUSEBPF_OP_SYMLINK)                                             \
	X(FUSE_READLINK, "READLINK", FUSEBPF_OP_READLINK)                                          \
	X(FUSE_READ, "READ", FUSEBPF_OP_READ)                                                      \
	X(FUSE_WRITE, "WRITE", FUSEBPF_OP_WRITE)                                                   \
	X(FUSE_FLUSH, "FLUSH", FUSEBPF_OP_FLUSH)                                                   \
	X(FUSE_FSYNC, "FSYNC", FUSEBPF_OP_FSYNC)                                                   \
	X(FUSE_FSYNCDIR, "FSYNCDIR", FUSEBPF_OP_FSYNCDIR)                                          \
	X(FUSE_FALLOCATE, "FALLOCATE", FUSEBPF_OP_FALLOCATE)                                       \
	X(FUSE_LSEEK, "LSEEK", FUSEBPF_OP_LSEEK)                                                   \
	X(FUSE_COPY_FILE_RANGE, "COPY_FILE_RANGE", FUSEBPF_OP_COPY_FILE_RANGE)                     \
	X(FUSE_READDIR, "READDIR", FUSEBPF_OP_READDIR)                                             \
	X(FUSE_READDIRPLUS, "READDIRPLUS", FUSEBPF_OP_READDIR)                                     \
	X(FUSE_STATFS, "STATFS", FUSEBPF_OP_STATFS)                                                \
	X(FUSE_GETXATTR, "GETXATTR", FUSEBPF_OP_GETXATTR)                                          \
	X(FUSE_SETXATTR, "SETXATTR", FUSEBPF_OP_SETXATTR)                                          \
	X(FUSE_LISTXATTR, "LISTXATTR", FUSEBPF_OP_LISTXATTR)                                       \
	X(FUSE_REMOVEXATTR, "REMOVEXATTR", FUSEBPF_OP_REMOVEXATTR)                                 \
	X(FUSE_GETLK, "GETLK", FUSEBPF_OP_GETLK)                                                   \
	X(FUSE_SETLK, "SETLK", FUSEBPF_OP_SETLK)                                                   \
	X(FUSE_SETLKW, "SETLKW", FUSEBPF_OP_SETLK)

namespace fusebpf::filter {

// The op of a context type: op_of<fusebpf_lookup_ctx> == FUSEBPF_OP_LOOKUP.
template <class Ctx> inline constexpr fusebpf_op op_of = FUSEBPF_OP_NONE;
#define FUSEBPF_X_OP_OF(NAME, name)                                                                \
	template <> inline constexpr fusebpf_op op_of<fusebpf_##name##_ctx> = FUSEBPF_OP_##NAME;
FUSEBPF_FILTER_OPS(FUSEBPF_X_OP_OF)
#undef FUSEBPF_X_OP_OF

// A type is a filter context if it names an op.
template <class Ctx>
concept filter_ctx = op_of<Ctx>
!= FUSEBPF_OP_NONE &&std::is_trivially_copyable_v<Ctx> &&offsetof(Ctx, meta) == 0;

// Whether the context has outputs (a member `out`).  Contexts put `out`
// last, so [0, offsetof(out)) is everything a postfilter may only read.
template <class Ctx> inline constexpr bool has_out = requires(Ctx c)
{
	c.out;
};

template <class Ctx> constexpr std::size_t inputs_size()
{
	if constexpr (has_out<Ctx>)
		return offsetof(Ctx, out);
	else
		return sizeof(Ctx);
}

// The lower-case op names of filter_abi.h, as string_views.
inline constexpr std::array<std::string_view, FUSEBPF_OP_COUNT> op_names = FUSEBPF_OP_NAMES;

inline constexpr std::string_view op_name(fusebpf_op op)
{
	return op >= 0 && op < FUSEBPF_OP_COUNT ? op_names[op] : std::string_view("none");
}

// A FUSE opcode a filter op serves, and its libfuse-style name.
struct opcode_entry {
	std::uint32_t opcode;
	const char *name;
	fusebpf_op op;
};

inline constexpr opcode_entry filtered_opcodes[] = {
#define FUSEBPF_X_OPCODE(OPCODE, NAME, op) {OPCODE, NAME, op},
    FUSEBPF_FILTER_OPCODES(FUSEBPF_X_OPCODE)
#undef FUSEBPF_X_OPCODE
};

// "LOOKUP", "RENAME2", ... for an opcode with a filter op, else nullptr.
constexpr const char *filtered_opcode_name(std::uint32_t opcode)
{
	for (const auto &e : filtered_opcodes)
		if (e.opcode == (opcode & FUSE_OPCODE_FILTER))
			return e.name;
	return nullptr;
}

// Ops whose failure the caller cannot see (close(2) has already returned):
// their verdicts are recorded, but the daemon still releases the file.
constexpr bool closes_file(fusebpf_op op)
{
	return op == FUSEBPF_OP_RELEASE || op == FUSEBPF_OP_RELEASEDIR;
}

// The tables agree with filter_abi.h.
namespace detail {
constexpr bool ops_in_enum_order()
{
	int i = 0;
#define FUSEBPF_X_ORDER(NAME, name)                                                                \
	if (FUSEBPF_OP_##NAME != i++)                                                              \
		return false;
	FUSEBPF_FILTER_OPS(FUSEBPF_X_ORDER)
#undef FUSEBPF_X_ORDER
	return i == FUSEBPF_OP_COUNT;
}
} // namespace detail
static_assert(detail::ops_in_enum_order(), "FUSEBPF_FILTER_OPS must list filter_abi.h's ops");

} // namespace fusebpf::filter
