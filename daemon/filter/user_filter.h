// SPDX-License-Identifier: GPL-2.0-or-later
//
// user_filter: the userspace side of a filter, in C++.  The BPF program of an
// op decides (its verdict) when userspace takes part; this interface is what
// then runs:
//
//   BPF verdict            calls                      the op then
//   BPF_FUSE_USER          handle_<op>(ctx, io)       is answered by it, or
//                                                     by the backing fs if it
//                                                     returns `declined`
//   BPF_FUSE_USER_PREFILTER pre_<op>(ctx, io)         runs on the backing fs
//                                                     with ctx's inputs
//   BPF_FUSE_USER_POSTFILTER post_<op>(ctx, io)       returns ctx's outputs
//                                                     (after the backing op)
//
// Every hook has a default that returns the neutral verdict (CONTINUE for
// pre/post, `declined` for handle), so a filter overrides only what it uses.
// Without any user filter, a USER verdict is plain passthrough (the backing
// op runs, as if CONTINUE), USER_PREFILTER and USER_POSTFILTER are no-ops.
//
// Hooks (all run on daemon worker threads, concurrently: a filter guards its
// own state).  ctx is the op's filter_abi.h context: meta (nodeid, the
// decorated opcode, error_in, uid/gid/pid, unique), inputs and outputs.
//   pre_<op>:    may rewrite inputs (names, in.*).  Returns BPF_FUSE_CONTINUE,
//                BPF_FUSE_USER_POSTFILTER (then post_<op> runs after the
//                backing op), or a negative errno that fails the op.
//   post_<op>:   sees meta.error_in (the backing op's 0 or -errno) and the
//                outputs, may rewrite outputs; inputs are read-only (the
//                engine restores them).  Returns BPF_FUSE_CONTINUE (the op's
//                result stays error_in, with ctx.out as now) or a negative
//                errno that replaces the result (EEXIST -> EPERM remapping).
//   handle_<op>: answers the op instead of the backing fs: fills ctx.out and
//                returns 0, or returns a negative errno, or `declined`.
// Any other return value, or an exception, fails the op with -EIO and is
// counted (filter_errors); the daemon goes on.  meta is read-only.
//
// Data and the things a context cannot carry travel in user_io:
//   READ:   io.data_out is a buffer of (at least) in.size bytes the engine's
//           caller provides; a handler writes the data there and sets
//           ctx.out.size.  A handler may serve part of a file: e.g. answer
//           the read at offset 0 and decline the others (backing data).
//   WRITE:  io.data_in holds the bytes being written (read-only).
//   LOOKUP, CREATE, MKNOD, MKDIR, SYMLINK, LINK (handler or postfilter): io.child
//           says what the new/looked-up child gets: its own table (or none)
//           instead of inheriting the parent's, another backing path, or that
//           it is a virtual node.
//
// Virtual nodes (the contract the daemon implements).
//   A handler may answer LOOKUP for a name that does not exist in the backing
//   tree: it fills ctx.out.entry.attr (mode with S_IFREG/S_IFDIR, size, ino,
//   nlink, times; entry_valid/attr_valid may be left 0) and sets
//   io.child.virtual_key to a non-zero 64-bit key of its choosing.  The
//   daemon then
//     - allocates a nodeid for a virtual node {key, parent binding} (no
//       backing fd) and writes it into ctx.out.entry.nodeid (generation too),
//       counts the lookup reference as for any node (FORGET frees it);
//     - for every later op on that nodeid, skips BPF and the backing fs and
//       calls handle_<op> directly with io.virtual_key = the key (filter::
//       engine::serve_virtual()): GETATTR fills ctx.out.attr, OPEN/OPENDIR
//       ctx.out (fh is the daemon's; the handler may set open_flags such as
//       FOPEN_DIRECT_IO), READ writes into io.data_out, READDIR fills one
//       batch ctx.out (entries, count, FUSEBPF_READDIR_EOF; entry off is the
//       cookie of the next entry, the daemon passes it back as in.offset),
//       LOOKUP in a virtual dir answers children the same way;
//     - a virtual node's op the handler declines: release/releasedir/flush/
//       fsync/fsyncdir/access succeed, everything else fails with
//       -EOPNOTSUPP (never -ENOSYS: the kernel would stop sending that op
//       for the whole mount).
//   A handler may also answer an op on a backed node entirely (e.g. serve a
//   file's first block from userspace and decline the other reads), in which
//   case the data path of that file must be the classic one (no kernel
//   passthrough): the daemon takes it when the bound table filters read or
//   a user filter is bound.
#pragma once

#ifdef __BPF__
#error "daemon/filter/user_filter.h is for userspace only"
#endif

#include "daemon/filter/op_traits.h"

#include <fusebpf/filter_abi.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace fusebpf::filter {

// What a lookup-like op decides for the child it returns, as the patch sets'
// lookup replies (FUSE_ACTION_KEEP/REMOVE/REPLACE) did.  Applied by the
// daemon when the op succeeds.
struct child_decision {
	enum class table_action : std::uint8_t {
		inherit, // the child shares its parent's binding (the default)
		remove,  // the child's subtree runs with no table (plain passthrough)
		replace, // the child's subtree runs with table `table` (name or map ID)
	};
	table_action table = table_action::inherit;
	std::string table_ref; // for replace: a table name or map ID, as `fusebpf attach --ops`
	// Non-empty: the child's backing is this path, relative to the backing
	// root (resolved beneath it, RESOLVE_BENEATH), instead of parent/name.
	std::string backing_path;
	// Non-zero: the child is a virtual node with this key (see above).
	std::uint64_t virtual_key = 0;
};

// The side channel of one op through a user filter.
struct user_io {
	std::span<std::byte> data_out;      // READ: where the data goes
	std::span<const std::byte> data_in; // WRITE: the bytes written
	std::uint64_t virtual_key = 0;      // the op's node is virtual with this key (0: backed)
	child_decision child;               // LOOKUP & co.: what the child gets
};

class user_filter {
public:
	// handle_<op>() returns this to let the backing fs serve the op.
	static constexpr int declined = 1;

	user_filter() = default;
	virtual ~user_filter() = default;
	user_filter(const user_filter &) = delete;
	user_filter &operator=(const user_filter &) = delete;

	// A name for logs and `fusebpf status`.
	virtual std::string name() const { return "user_filter"; }

	// The prefilter verdict of an op on nodes whose binding has a user
	// filter but no BPF table (a custom daemon with userspace filters only):
	// BPF_FUSE_CONTINUE (the default) keeps the op off the filter path
	// entirely; any verdict makes the engine act as if a BPF prefilter had
	// returned it.  Asked once, when the binding is made.
	virtual int verdict_without_table(fusebpf_op op) const
	{
		(void)op;
		return BPF_FUSE_CONTINUE;
	}

#define FUSEBPF_X_USER_HOOKS(NAME, name)                                                           \
	virtual int pre_##name(fusebpf_##name##_ctx &, user_io &)                                  \
	{                                                                                          \
		return BPF_FUSE_CONTINUE;                                                          \
	}                                                                                          \
	virtual int post_##name(fusebpf_##name##_ctx &, user_io &)                                 \
	{                                                                                          \
		return BPF_FUSE_CONTINUE;                                                          \
	}                                                                                          \
	virtual int handle_##name(fusebpf_##name##_ctx &, user_io &)                               \
	{                                                                                          \
		return declined;                                                                   \
	}
	FUSEBPF_FILTER_OPS(FUSEBPF_X_USER_HOOKS)
#undef FUSEBPF_X_USER_HOOKS
};

// Typed dispatch for the engine: call_pre(f, lookup_ctx, io) calls
// f.pre_lookup(...).
#define FUSEBPF_X_USER_CALLS(NAME, name)                                                           \
	inline int call_pre(user_filter &f, fusebpf_##name##_ctx &ctx, user_io &io)                \
	{                                                                                          \
		return f.pre_##name(ctx, io);                                                      \
	}                                                                                          \
	inline int call_post(user_filter &f, fusebpf_##name##_ctx &ctx, user_io &io)               \
	{                                                                                          \
		return f.post_##name(ctx, io);                                                     \
	}                                                                                          \
	inline int call_handle(user_filter &f, fusebpf_##name##_ctx &ctx, user_io &io)             \
	{                                                                                          \
		return f.handle_##name(ctx, io);                                                   \
	}
FUSEBPF_FILTER_OPS(FUSEBPF_X_USER_CALLS)
#undef FUSEBPF_X_USER_CALLS

} // namespace fusebpf::filter

// ---------------------------------------------------------------------------
// Shared-object user filters (`fusebpf mount --user-filter LIB.so`).
//
// A library exports one C symbol, FUSEBPF_USER_FILTER_FACTORY_SYMBOL:
//
//	extern "C" fusebpf::filter::user_filter *
//	fusebpf_user_filter_create(unsigned abi_version, const char *arg)
//	{
//		if (abi_version != FUSEBPF_USER_FILTER_ABI_VERSION)
//			return nullptr;
//		return new my_filter(arg ? arg : "");
//	}
//
// or simply FUSEBPF_USER_FILTER_EXPORT(my_filter) at file scope, which also
// exports the version it was built against (FUSEBPF_USER_FILTER_ABI_SYMBOL)
// so the daemon can tell "built against another version" from "refused".
// The daemon deletes the object (with the library's operator delete, through
// the virtual destructor) before it unloads the library.  The library must
// be built with the same compiler family and C++ standard library as the
// daemon (it shares C++ types); the ABI version covers this interface, the
// filter_abi.h contexts and user_io.
#define FUSEBPF_USER_FILTER_ABI_VERSION 1u
#define FUSEBPF_USER_FILTER_FACTORY_SYMBOL "fusebpf_user_filter_create"
#define FUSEBPF_USER_FILTER_ABI_SYMBOL "fusebpf_user_filter_abi_version"

#define FUSEBPF_USER_FILTER_EXPORT(type)                                                           \
	extern "C" {                                                                               \
	__attribute__((                                                                            \
	    visibility("default"))) extern const unsigned fusebpf_user_filter_abi_version;         \
	const unsigned fusebpf_user_filter_abi_version = FUSEBPF_USER_FILTER_ABI_VERSION;          \
	__attribute__((visibility("default"))) fusebpf::filter::user_filter *                      \
	fusebpf_user_filter_create(unsigned abi_version, const char *arg)                          \
	{                                                                                          \
		if (abi_version != FUSEBPF_USER_FILTER_ABI_VERSION)                                \
			return nullptr;                                                            \
		return new type(arg ? arg : "");                                                   \
	}                                                                                          \
	}
